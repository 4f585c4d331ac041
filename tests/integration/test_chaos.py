"""Chaos: one flow that imports a changing shop and parses landed clickstream, while MariaDB, the
NameNode, the Thrift Server, HBase's Thrift server and the Flume agent are killed (SIGKILL) one at a
time, each at a random point of the work in flight. Nobody acts: supervisord restarts the service,
steps wait out the outage, the retry sensor asks again for what still failed. At the end the lake
equals the source row for row after every import, and every good event is in its hour exactly
once. Per service, the seconds from the kill to its hour complete and the retries it took are
printed (run with -s to see them)."""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from datetime import datetime, timezone

import dagster as dg
import pytest

from dataplatform.generator.changes import apply_change_batch
from dataplatform.generator.clickstream import write_events
from dataplatform.localstack.flume import spool_dir
from dataplatform.paths import stack_dagster_home, state_dir
from dataplatform_assets.ingestion.assets import import_assets
from dataplatform_assets.ingestion.tables import SHOP_TABLES
from dataplatform_assets.recovery.retry_sensor import RETRY_OF_TAG
from tests.integration.helpers import rows_in_hive, rows_in_mysql, wait_until_back
from tests.integration.stack_clickstream import QUIET, counts, empty_hour, hour_events, in_hour, stack_resources

__all__ = ["stack_resources"]  # the fixture

KILLED = ("mariadb", "namenode", "thriftserver", "hbase-thrift", "flume")
EVENTS_PER_HOUR = 10_000


def _kill_later(stack, service: str, delay: float, killed: list[tuple[int, float]]) -> threading.Thread:
    def kill() -> None:
        time.sleep(delay)
        pid = stack.pid(service)
        os.kill(pid, signal.SIGKILL)
        killed.append((pid, time.monotonic()))

    thread = threading.Thread(target=kill, daemon=True)
    thread.start()
    return thread


def _hour_runs(instance, hour: datetime, since: datetime) -> list[dg.DagsterRun]:
    key = f"{hour:%Y-%m-%d-%H}:00"
    return [r for r in instance.get_runs(dg.RunsFilter(created_after=since))
            if r.tags.get("dagster/partition") == key
            or r.tags.get("dagster/asset_partition_range_start", "~") <= key
            <= r.tags.get("dagster/asset_partition_range_end", "")]


def _step_failures(result) -> list[str]:
    """What each failed step said, so a failure in CI can be read from its log."""
    return [f"{e.step_key}: {e.event_specific_data.error.to_string()}" for e in result.get_step_failure_events()
            if e.event_specific_data.error]


def _step_retries(instance, run_ids) -> int:
    return sum(len(instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_UP_FOR_RETRY)) for run_id in run_ids)


@pytest.mark.restarts_stack
def test_the_platform_converges_after_each_service_is_killed(stack, stack_resources, imported, mysql, hive,
                                                             test_resources):
    rng = random.Random(11_6)
    started = datetime.now(timezone.utc)
    hours, kills, import_retries = {}, {}, {}
    for n, service in enumerate(KILLED):
        hour = datetime(2025, 5, 1, n, tzinfo=timezone.utc)
        empty_hour(stack_resources, hour)
        apply_change_batch(mysql.connect, seed=600 + n, intensity=0.02)  # the shop changes under the flow
        hours[service] = (hour, hour_events(EVENTS_PER_HOUR, hour, rng))
        write_events(hours[service][1], spool_dir(state_dir()), QUIET)  # Flume lands, the daemon parses
        killed: list[tuple[int, float]] = []
        killer = _kill_later(stack, service, rng.uniform(0.5, 8.0), killed)
        result = dg.materialize(import_assets, resources=test_resources, instance=dg.DagsterInstance.ephemeral(),
                                raise_on_error=False)  # incremental: only what the batch changed
        killer.join()
        assert killed, f"{service} was never killed"
        assert result.success, f"the import did not survive {service} being killed: {_step_failures(result)}"
        # One service down at a time, and the checks below are the test's own queries, not the
        # platform's: the kill may land after a quick import ended.
        wait_until_back(stack, service, *killed[0])
        for table in SHOP_TABLES:  # the lake equals the source, row for row
            key = table.primary_key[0]
            assert rows_in_hive(hive, table.name, key) == rows_in_mysql(mysql, table.name, key), (service, table)
        import_retries[service] = sum(e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY for e in result.all_events)
        kills[service] = killed[0][1]

    complete: dict[str, float] = {}
    deadline = time.monotonic() + 900
    while len(complete) < len(KILLED):
        for service, (hour, events) in hours.items():
            if service not in complete and counts(stack_resources["hive"], hour)[0] >= len(events):
                complete[service] = time.monotonic()
        assert time.monotonic() < deadline, f"hours still incomplete: {sorted(set(KILLED) - set(complete))}"
        time.sleep(1)
    report = []
    with dg.DagsterInstance.from_config(str(stack_dagster_home())) as instance:
        for service, (hour, events) in hours.items():
            ids = [r[0] for r in stack_resources["hive"].query(
                f"SELECT event_id FROM curated.clickstream_events WHERE {in_hour(hour)}")]
            assert len(ids) == len(set(ids)) and set(ids) == {e["event_id"] for e in events}, service
            runs = _hour_runs(instance, hour, started)
            report.append((service, complete[service] - kills[service], import_retries[service],
                           _step_retries(instance, [r.run_id for r in runs]),
                           sum(RETRY_OF_TAG in r.tags for r in runs)))
    print("\nservice        kill -> hour complete (s)   import step retries   parse step retries   sensor retries")
    for service, seconds, imports, parses, sensor in report:
        print(f"{service:14} {seconds:25.1f}   {imports:19}   {parses:18}   {sensor:14}")
