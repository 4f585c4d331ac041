"""Clickstream assets: Flume's landing (observed, not built here), parsed events with their
rejects, and sessions. All partitioned by time in UTC, matching Flume's buckets."""

# No `from __future__ import annotations` here: Dagster inspects the `context` annotation.

import dagster as dg

from dataplatform_assets.catalog.dictionary import column_schema
from dataplatform_assets.catalog.lineage import lineage_metadata
from dataplatform_assets.clickstream.curated_tables import (
    EVENTS,
    REJECTS,
    SESSIONS,
    ensure_tables,
    new_version,
)
from dataplatform_assets.clickstream.formats import clickstream_format
from dataplatform_assets.clickstream.hour_checks import ACCEPTED_CHECK, REJECT_SHARE_CHECK, hour_quality
from dataplatform_assets.clickstream.landing import ClickstreamLandingResource
from dataplatform_assets.clickstream.parse import MAX_LINE_BYTES, parse_hours
from dataplatform_assets.clickstream.partitions import DAILY, HOURLY
from dataplatform_assets.clickstream.sessions import INACTIVITY_GAP_MINUTES, build_sessions
from dataplatform_assets.retries import OUTAGE_RETRY
from resources.hive import HiveServer2Resource
from resources.lake import LakeResource

RAW_CLICKSTREAM = dg.AssetKey(["raw", "clickstream"])
EVENTS_KEY = dg.AssetKey(["curated", "clickstream_events"])
REJECTS_KEY = dg.AssetKey(["quarantine", "clickstream_rejects"])  # its files: quarantine/clickstream_rejects
SESSIONS_KEY = dg.AssetKey(["curated", "sessions"])
RECONCILE_CHECK = "lines_reconcile"
GAP_CHECK = "sessions_separated_by_the_gap"
# One step at a time per pool: two runs publishing the same hour (or day) at once would each
# clear the other's version folders.
PARSE_POOL, SESSIONS_POOL = "clickstream_parse", "clickstream_sessions"
HOUR_COUNTS = ("files", "lines_read", "accepted", "rejected", "duplicates")  # of a parsed hour, in its metadata

raw_clickstream = dg.AssetSpec(
    RAW_CLICKSTREAM,
    group_name="raw",
    kinds={"flume", "hdfs"},
    owners=["team:data-platform"],
    partitions_def=HOURLY,
    metadata={"dagster/column_schema": column_schema("raw.clickstream")},
    description="Web-server log lines as Flume lands them in `raw/clickstream/dt=YYYY-MM-DD/hr=HH` (UTC event "
                "hour), at least once. Written by the Flume agent, not by Dagster; the "
                "`clickstream_landing_sensor` watches it.",
)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(EVENTS_KEY, deps=[RAW_CLICKSTREAM], kinds={"spark", "parquet", "hive"}, group_name="curated",
                     owners=["team:data-platform"],
                     metadata={"dagster/column_schema": column_schema("curated.clickstream_events"),
                               **lineage_metadata(EVENTS_KEY)},
                     description="Valid events, typed, times in UTC, each `event_id` once: "
                                 "`curated.clickstream_events`, partitioned by `dt`/`hr`."),
        dg.AssetSpec(REJECTS_KEY, deps=[RAW_CLICKSTREAM], kinds={"spark", "parquet", "hive"}, group_name="quarantine",
                     owners=["team:data-platform"],
                     metadata={"dagster/column_schema": column_schema("quarantine.clickstream_rejects")},
                     description="Every refused line, byte for byte, with its source file and a reason code: "
                                 "`curated.clickstream_rejects` (files under `quarantine/`)."),
    ],
    partitions_def=HOURLY,
    # A run may cover a range of hours (the sensor batches them); they are parsed in one pass, and
    # each hour is swapped in on its own.
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=PARSE_POOL,
    retry_policy=OUTAGE_RETRY,
    # Blocking: a run whose hours do not reconcile fails without materializing them (failed partitions in
    # the UI), and no sessions are built from them in this run or by SESSIONS_AUTOMATION.
    check_specs=[dg.AssetCheckSpec(
        RECONCILE_CHECK, asset=EVENTS_KEY, blocking=True,
        description="Per hour: accepted + rejected + duplicates = lines read (counted from the raw files on "
                    "their own), and the published partitions hold as many rows as the accepted events and "
                    "the rejected lines."),
        dg.AssetCheckSpec(ACCEPTED_CHECK, asset=EVENTS_KEY,
                          description="No hour with lines read is left without a single accepted event."),
        dg.AssetCheckSpec(REJECT_SHARE_CHECK, asset=REJECTS_KEY,
                          description="No hour rejects more than the landing's `max_reject_share` of its lines "
                                      "(warns: a new format or a broken rule).")],
)
def clickstream_events(context: dg.AssetExecutionContext, hive: HiveServer2Resource, lake: LakeResource,
                       clickstream: ClickstreamLandingResource):
    check_settings = clickstream_format(clickstream.format).check_settings
    try:
        if check_settings:
            check_settings(clickstream)
    except ValueError as exc:  # a wrong routes file or salt: waiting mends neither, so no retries
        raise dg.Failure(f"the clickstream settings are wrong: {exc}", allow_retries=False) from exc
    ensure_tables(hive, lake, EVENTS, REJECTS)
    version = new_version(context.run.run_id)
    hours = context.partition_keys
    context.log.info(f"parsing {len(hours)} hours in one pass: {hours[0]} .. {hours[-1]}")
    outcomes = parse_hours(hive, lake, clickstream, hours, version)
    for n, (key, outcome) in enumerate(zip(hours, outcomes), 1):
        context.log.info(f"[{n}/{len(hours)}] {key}: {outcome.lines_read:,} lines from {outcome.files} files -> "
                         f"{outcome.accepted:,} events, {outcome.rejected:,} rejected, "
                         f"{outcome.duplicates:,} duplicates {dict(outcome.reasons) or ''}")
        # Each hour's materialization carries its own counts, so the UI's plots are per hour however
        # many hours a run parsed.
        counts = {name: getattr(outcome, name) for name in HOUR_COUNTS}
        context.add_asset_metadata({**counts, "dagster/row_count": outcome.accepted},
                                   asset_key=EVENTS_KEY, partition_key=key)
        context.add_asset_metadata({**counts, "dagster/row_count": outcome.rejected,
                                    "reasons": dg.MetadataValue.json(dict(outcome.reasons))},
                                   asset_key=REJECTS_KEY, partition_key=key)
    totals = {name: sum(getattr(o, name) for o in outcomes) for name in HOUR_COUNTS}
    failing = [o.partition_key for o in outcomes if not o.reconciles()]
    run = {"hours_in_run": len(hours), "first_hour_in_run": hours[0], "last_hour_in_run": hours[-1],
           "format": clickstream.format}
    # A check result covers the run's hours (checks are not per partition in this Dagster): its
    # metadata holds the run's totals.
    check = dg.AssetCheckResult(check_name=RECONCILE_CHECK, asset_key=EVENTS_KEY, passed=not failing,
                                metadata={"hours_not_reconciling": ", ".join(failing), **run, **totals})
    if failing:
        # No materialization: the run's hours show as failed partitions, so sessions wait for them
        # (SESSIONS_AUTOMATION) until they are parsed again and reconcile. Re-parsing now would not help.
        yield check
        raise dg.Failure(f"lines do not reconcile in {', '.join(failing)}: not materialized", allow_retries=False)
    yield dg.MaterializeResult(asset_key=EVENTS_KEY, metadata={
        **run, "dagster/table_name": f"{hive.db('curated')}.{EVENTS.name}"})
    yield dg.MaterializeResult(asset_key=REJECTS_KEY, metadata={
        **run, "max_line_bytes": MAX_LINE_BYTES, "dagster/table_name": f"{hive.db('curated')}.{REJECTS.name}"})
    yield check
    quality = hour_quality(outcomes, clickstream.max_reject_share)
    yield dg.AssetCheckResult(check_name=ACCEPTED_CHECK, asset_key=EVENTS_KEY, passed=not quality.all_rejected_hours,
                              metadata={"hours_without_events": ", ".join(quality.all_rejected_hours)})
    yield dg.AssetCheckResult(check_name=REJECT_SHARE_CHECK, asset_key=REJECTS_KEY,
                              passed=not quality.high_reject_hours, severity=dg.AssetCheckSeverity.WARN,
                              metadata={"max_reject_share": clickstream.max_reject_share,
                                        "worst_share": quality.worst_share,
                                        "hours_above": dg.MetadataValue.json(quality.high_reject_hours)})


# Sessions of a day need the events from the day before (an early event may continue a late
# session) to the day after (a late session may run past midnight).
SESSION_EVENT_WINDOW = dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=1)

# Rebuild a day whenever any hour it reads was re-parsed, once no such hour is still running and none
# failed its last run (e.g. its lines did not reconcile): sessions wait until that hour is parsed right.
SESSIONS_AUTOMATION = (
    dg.AutomationCondition.any_deps_updated().since_last_handled()
    & ~dg.AutomationCondition.any_deps_in_progress()
    & ~dg.AutomationCondition.any_deps_match(dg.AutomationCondition.execution_failed())
    & ~dg.AutomationCondition.in_progress()
).with_label("events_changed")


@dg.asset(
    key=SESSIONS_KEY,
    group_name="curated",
    metadata={"dagster/column_schema": column_schema("curated.sessions"), **lineage_metadata(SESSIONS_KEY)},
    kinds={"spark", "parquet", "hive"},
    owners=["team:data-platform"],
    partitions_def=DAILY,
    deps=[dg.AssetDep(EVENTS_KEY, partition_mapping=SESSION_EVENT_WINDOW)],
    backfill_policy=dg.BackfillPolicy.single_run(),
    automation_condition=SESSIONS_AUTOMATION,
    pool=SESSIONS_POOL,
    retry_policy=OUTAGE_RETRY,
    description=f"`curated.sessions`: visits of a customer (or an anonymous device) with no gap over "
                f"{INACTIVITY_GAP_MINUTES} minutes, by start day (UTC): start, end, duration, pages, products "
                "viewed, cart adds, whether it converted.",
    check_specs=[dg.AssetCheckSpec(GAP_CHECK, asset=SESSIONS_KEY,
                                   description=f"No session of a customer (or device) starts within "
                                               f"{INACTIVITY_GAP_MINUTES} minutes of its previous one's end.")],
)
def sessions(context: dg.AssetExecutionContext, hive: HiveServer2Resource, lake: LakeResource):
    ensure_tables(hive, lake, SESSIONS)
    version = new_version(context.run.run_id)
    days = context.partition_keys
    totals = {"sessions": 0, "gap_violations": 0}
    for n, day in enumerate(days, 1):
        rows, violations = build_sessions(hive, lake, day, version)
        totals["sessions"] += rows
        totals["gap_violations"] += violations
        context.add_asset_metadata({"dagster/row_count": rows, "gap_violations": violations}, partition_key=day)
        context.log.info(f"[{n}/{len(days)}] {day}: {rows:,} sessions")
    yield dg.MaterializeResult(metadata={"days_in_run": len(days),
                                         "dagster/table_name": f"{hive.db('curated')}.{SESSIONS.name}"})
    yield dg.AssetCheckResult(check_name=GAP_CHECK, passed=totals["gap_violations"] == 0, metadata=totals)
