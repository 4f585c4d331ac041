"""Watching the stack's Dagster daemon do its work: the landing sensor parses hours, the automation
rebuilds whatever read something that changed. The main job calls nothing itself here; it reads the
instance until every automated table exists and no input it follows was written after its build
started."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

import dagster as dg

from dataplatform.localstack.dagster_services import WEBSERVER_URL as UI
from dataplatform_assets.automation import (
    AUTOMATED_GROUPS,
    inputs_newer_than_build,
    latest_materialization,
    watched_inputs,
)


@dataclass(frozen=True)
class Lag:
    refreshed: int  # automated tables materialized since the start
    automated: int
    partitions_missing: dict[str, list[str]]  # asset -> partitions not yet materialized since the start
    behind: list[str]  # automated tables never built, or built before an input they follow was written

    @property
    def caught_up(self) -> bool:
        return not self.behind and not any(self.partitions_missing.values())

    def describe(self) -> str:
        parts = [f"{self.refreshed}/{self.automated} tables refreshed, {len(self.behind)} behind their inputs"]
        parts += [f"{key}: {len(missing)} partitions to go" for key, missing in self.partitions_missing.items()
                  if missing]
        return "waiting for the daemon: " + ", ".join(parts)


def _done_partitions(instance: dg.DagsterInstance, key: dg.AssetKey, since: float) -> set[str]:
    records = instance.fetch_materializations(dg.AssetRecordsFilter(asset_key=key, after_timestamp=since),
                                              limit=1000).records
    return {r.partition_key for r in records}


def lag(instance: dg.DagsterInstance, graph, since: float, partitions: dict[dg.AssetKey, set[str]]) -> Lag:
    automated = [key for key in graph.get_all_asset_keys() if graph.get(key).group_name in AUTOMATED_GROUPS]
    latest = {}

    def when(key: dg.AssetKey) -> float:
        if key not in latest:
            record = latest_materialization(instance, key)
            latest[key] = record.timestamp if record else 0.0
        return latest[key]

    # Only what changed is rebuilt (a mart of web sessions ignores a change batch in MySQL), so a
    # table is up to date when no input it follows was written after its build started, however old
    # it is: the automation's own rule (`inputs_newer_than_build`).
    behind = []
    for key in automated:
        reads = watched_inputs({dep for dep in graph.get(key).parent_keys if graph.get(dep).is_materializable})
        if not when(key) or inputs_newer_than_build(instance, key, reads):
            behind.append(key.to_user_string())
    missing = {key.to_user_string(): sorted(wanted - _done_partitions(instance, key, since))
               for key, wanted in partitions.items()}
    return Lag(sum(when(key) > since for key in automated), len(automated), missing, sorted(behind))


def failed_runs(instance: dg.DagsterInstance, since: float) -> list[dg.DagsterRun]:
    records = instance.get_run_records(dg.RunsFilter(statuses=[dg.DagsterRunStatus.FAILURE],
                                                     created_after=datetime.fromtimestamp(since, timezone.utc)))
    return [r.dagster_run for r in records]


def wait_for_daemon(since: float, partitions: dict[dg.AssetKey, set[str]], update: Callable[[str], None],
                    report: Callable[[str], None], timeout: float = 900) -> Lag:
    """Wait until the daemon has materialized `partitions` and every automated table caught up with its
    inputs after `since` (a Unix time); failed runs are reported as they appear (the retry sensor
    requests them again when an outage caused them). Raises after `timeout` seconds."""
    from dataplatform.paths import stack_dagster_home
    from dataplatform_assets.definitions import defs

    graph = defs.resolve_asset_graph()
    deadline, seen_failed = time.monotonic() + timeout, set()
    with dg.DagsterInstance.from_config(str(stack_dagster_home())) as instance:
        while True:
            state = lag(instance, graph, since, partitions)
            update(state.describe())
            for run in failed_runs(instance, since):
                if run.run_id not in seen_failed:
                    seen_failed.add(run.run_id)
                    report(f"run {run.run_id} failed ({run.job_name}); see {UI}/runs/{run.run_id}")
            if state.caught_up:
                return state
            if time.monotonic() > deadline:
                raise RuntimeError(f"after {timeout:.0f}s the daemon has not caught up: "
                                   f"{', '.join(state.behind) or 'the tables are current'}; "
                                   + "; ".join(f"{k} {v[:5]}" for k, v in state.partitions_missing.items() if v)
                                   + f" (see the runs at {UI}/runs)")
            time.sleep(2)
