"""Work that comes back: a failed run of the platform's automation (an hour the landing sensor asked
for, the sessions it drove, a scheduled import, a rebuild of the warehouse, marts or 360° table) is
requested again, with the same assets and partitions, once its services answer, until it succeeds.

Steps retry a service outage themselves first (`retries.py`: 105 s or more, long enough for
supervisord to restart a service). A run that still failed is retried here when its failure reads
like an outage (`failures.py`); the waits grow 30 s, 1, 2, 4... minutes up to 30 minutes, counted in
the run's `dataplatform/attempt` tag, so a service that stays down is never hammered. Failures that
waiting cannot mend are left for a person and logged once. Every retry is a run in the UI, tagged
with the run it retries.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import dagster as dg

from dataplatform_assets.automation import AUTOMATION_SENSOR
from dataplatform_assets.clickstream.assets import EVENTS_KEY, REJECTS_KEY, SESSIONS_KEY
from dataplatform_assets.clickstream.landing_sensor import RANGE_END_TAG, RANGE_START_TAG, clickstream_landing_sensor
from dataplatform_assets.ingestion.assets import import_assets, incremental_import_schedule
from dataplatform_assets.marts.assets import mart_assets
from dataplatform_assets.recovery.failures import run_failure
from dataplatform_assets.serving.assets import customer_360
from dataplatform_assets.warehouse.assets import dimension_assets
from dataplatform_assets.warehouse.facts import FACTS
from resources.hive import HiveServer2Resource
from resources.lake import LakeResource
from resources.mysql import MySQLResource

SENSOR_NAME = "failed_run_retry_sensor"
ATTEMPT_TAG, RETRY_OF_TAG = "dataplatform/attempt", "dataplatform/retry_of"
FIRST_WAIT_SECONDS, LONGEST_WAIT_SECONDS = 30, 30 * 60
LOOKBACK = timedelta(days=2)  # failed runs older than this are left to a person
# The automation whose failed runs come back (the runs a person launches are theirs to repeat).
AUTOMATION = {"dagster/sensor_name": (clickstream_landing_sensor.name, AUTOMATION_SENSOR, SENSOR_NAME),
              "dagster/schedule_name": (incremental_import_schedule.name,)}
# The warehouse, marts and 360° table: unpartitioned, rebuilt whole when their inputs change.
DERIVED_KEYS = frozenset({key for built in (*dimension_assets, *mart_assets, customer_360) for key in built.keys}
                         | {fact.key for fact in FACTS})
# One job per partitioning of the retried assets (a job's assets share one).
RETRY_JOBS = {
    "retry_clickstream_hours": dg.define_asset_job("retry_clickstream_hours", [EVENTS_KEY, REJECTS_KEY]),
    "retry_sessions": dg.define_asset_job("retry_sessions", [SESSIONS_KEY]),
    "retry_imports": dg.define_asset_job("retry_imports", [a.key for a in import_assets]),
    "retry_derived": dg.define_asset_job("retry_derived", sorted(DERIVED_KEYS)),
}


def wait_before(attempt: int) -> float:
    """Seconds to wait after the failure of a run that was attempt number `attempt` (0: the first run)."""
    return min(FIRST_WAIT_SECONDS * 2 ** attempt, LONGEST_WAIT_SECONDS)


def assets_of(instance: dg.DagsterInstance, run: dg.DagsterRun) -> frozenset[dg.AssetKey]:
    """The assets a run was to materialize: its selection, or (a run of a whole job, e.g. one
    started in Python) the materializations it planned."""
    if run.asset_selection:
        return frozenset(run.asset_selection)
    planned = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED)
    return frozenset(r.event_log_entry.dagster_event.asset_key for r in planned.records)


def work_of(run: dg.DagsterRun, assets: frozenset[dg.AssetKey]) -> tuple:
    """What a run did: its assets and its partition or partition range."""
    return (tuple(sorted(k.to_user_string() for k in assets)),
            run.tags.get("dagster/partition"), run.tags.get(RANGE_START_TAG), run.tags.get(RANGE_END_TAG))


@dataclass
class RetryCursor:
    left: dict[str, str] = field(default_factory=dict)  # run id -> why it is not retried

    @classmethod
    def parse(cls, text: str | None) -> RetryCursor:
        return cls(json.loads(text) if text else {})

    def serialize(self) -> str:
        return json.dumps(self.left, sort_keys=True)


def services_down(hive: HiveServer2Resource, lake: LakeResource, mysql: MySQLResource) -> list[str]:
    """The services every retried run needs that do not answer now."""
    down = []
    def hive_session() -> None:
        with hive.cursor():
            pass

    for name, probe in (("HiveServer2", hive_session), ("the lake", lambda: lake.list_status("")),
                        ("MySQL", lambda: mysql.connect(database=None).close())):
        try:
            probe()
        except Exception as exc:  # noqa: BLE001 - any error means: not back yet
            down.append(f"{name} ({type(exc).__name__}: {str(exc)[:120]})")
    return down


def superseded(instance: dg.DagsterInstance, record: dg.RunRecord, work: tuple) -> bool:
    """Whether a later run (of any status) did the same work: then that run is what counts."""
    run = record.dagster_run
    same_partitions = {tag: run.tags[tag] for tag in ("dagster/partition", RANGE_START_TAG, RANGE_END_TAG)
                       if tag in run.tags}
    later = instance.get_run_records(dg.RunsFilter(created_after=record.create_timestamp, tags=same_partitions),
                                     limit=200)
    return any(r.dagster_run.run_id != run.run_id and work_of(r.dagster_run, assets_of(instance, r.dagster_run)) == work
               for r in later)


def retry_job(keys: frozenset[dg.AssetKey]) -> str | None:
    if EVENTS_KEY in keys or REJECTS_KEY in keys:
        return "retry_clickstream_hours"
    if SESSIONS_KEY in keys:
        return "retry_sessions"
    if keys and keys <= {a.key for a in import_assets}:
        return "retry_imports"
    return "retry_derived" if keys and keys <= DERIVED_KEYS else None


def retry_request(run: dg.DagsterRun, assets: frozenset[dg.AssetKey], attempt: int) -> dg.RunRequest:
    tags = {k: v for k, v in run.tags.items() if k in (RANGE_START_TAG, RANGE_END_TAG, "dagster/priority")}
    return dg.RunRequest(
        run_key=f"retry-of-{run.run_id}", job_name=retry_job(assets), asset_selection=sorted(assets),
        partition_key=run.tags.get("dagster/partition"),
        tags={**tags, ATTEMPT_TAG: str(attempt + 1), RETRY_OF_TAG: run.run_id})


@dg.sensor(
    name=SENSOR_NAME,
    jobs=list(RETRY_JOBS.values()),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Requests a failed run of the platform's automation again, with growing waits, once "
                "HiveServer2, the lake and MySQL answer, when its failure was an outage.",
)
def failed_run_retry_sensor(context: dg.SensorEvaluationContext, hive: HiveServer2Resource, lake: LakeResource,
                            mysql: MySQLResource):
    cursor = RetryCursor.parse(context.cursor)
    instance = context.instance
    since = datetime.now(timezone.utc) - LOOKBACK
    failed = [record for tag, names in AUTOMATION.items()
              for record in instance.get_run_records(dg.RunsFilter(
                  statuses=[dg.DagsterRunStatus.FAILURE], created_after=since, tags={tag: list(names)}))]
    due, waiting, seen = [], 0, set()
    for record in sorted(failed, key=lambda r: r.create_timestamp, reverse=True):
        run = record.dagster_run
        assets = assets_of(instance, run)
        work = work_of(run, assets)
        if run.run_id in cursor.left or work in seen or retry_job(assets) is None or superseded(instance, record, work):
            seen.add(work)
            continue
        seen.add(work)
        failure = run_failure(instance, run.run_id)
        if not failure.transient:
            cursor.left[run.run_id] = failure.reason
            context.log.warning(f"run {run.run_id} is not retried: {failure.reason}")
            continue
        attempt = int(run.tags.get(ATTEMPT_TAG, "0"))
        ended = record.end_time or record.update_timestamp.timestamp()
        if time.time() - ended < wait_before(attempt):
            waiting += 1
            continue
        due.append((run, assets, attempt, failure.reason))
    live = {record.dagster_run.run_id for record in failed}
    cursor.left = {run_id: why for run_id, why in cursor.left.items() if run_id in live}
    context.update_cursor(cursor.serialize())
    if not due:
        return dg.SkipReason(f"{waiting} failed runs wait for their next attempt" if waiting
                             else "no failed run to retry")
    down = services_down(hive, lake, mysql)
    if down:
        return dg.SkipReason(f"{len(due)} failed runs wait for {', '.join(down)}")
    for run, _, attempt, reason in due:
        context.log.info(f"retrying run {run.run_id} (attempt {attempt + 1}) after: {reason}")
    return [retry_request(run, assets, attempt) for run, assets, attempt, _ in due]
