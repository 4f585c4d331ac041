"""The clickstream as it runs for real: files dropped in Flume's spool folder, landed in HDFS by
the stack's Flume agent, picked up by the landing sensor in the stack's Dagster daemon, parsed by
Spark, queried through HiveServer2. These tests use the stack's own `curated` tables (Flume and
the daemon are the stack's), each in an hour of 2025 of its own, emptied first (landing bucket and
curated partitions), with events from a seeded generator."""

from __future__ import annotations

import random
import time
from datetime import datetime, timezone

import dagster as dg
import pytest
from dagster._core.definitions.freshness import FreshnessState

from dataplatform.generator.clickstream import ClickstreamOptions, write_events
from dataplatform.localstack.flume import spool_dir
from dataplatform.paths import stack_dagster_home, state_dir
from dataplatform_assets.clickstream.assets import EVENTS_KEY
from dataplatform_assets.clickstream.landing import is_open_file
from tests.integration.helpers import kill_and_wait_for_restart
from tests.integration.stack_clickstream import QUIET, counts, empty_hour, hour_events, in_hour, stack_resources
from tests.integration.stack_clickstream import bucket as _bucket

__all__ = ["stack_resources"]  # the fixture
# Each test's own hour: no other test writes there, and the test empties it before it starts.
FLOW_HOUR = datetime(2025, 9, 14, 15)
KILL_HOUR = datetime(2025, 9, 15, 3)


def _wait_for_events(hive, hour: datetime, expected: int, timeout: float) -> tuple[int, int]:
    """(rows, distinct ids) of the hour once it holds exactly `expected` rows; fails after `timeout`."""
    deadline, seen = time.monotonic() + timeout, (0, 0)
    while time.monotonic() < deadline:
        seen = counts(hive, hour)  # the tables exist (_empty_hour made sure): no error is expected here
        if seen[0] == expected:
            return seen
        time.sleep(2)
    pytest.fail(f"after {timeout:.0f}s the hour {hour:%Y-%m-%d %H}:00 holds {seen[0]} of {expected} events")


def _freshness_state(key: dg.AssetKey, want: FreshnessState, timeout: float) -> FreshnessState | None:
    """The state the stack's freshness daemon holds for `key` once it is `want`, or the last one seen
    when `timeout` passes (the daemon evaluates every 30 s and records changes only)."""
    deadline, state = time.monotonic() + timeout, None
    with dg.DagsterInstance.from_config(str(stack_dagster_home())) as instance:
        while time.monotonic() < deadline and state != want:
            record = instance.get_freshness_state_records([key]).get(key)
            state = record.freshness_state if record else None
            time.sleep(2)
    return state


def _sensor_runs_for(hour: datetime, since: datetime) -> list[dg.DagsterRun]:
    key = f"{hour:%Y-%m-%d-%H}:00"
    with dg.DagsterInstance.from_config(str(stack_dagster_home())) as instance:
        runs = instance.get_runs(dg.RunsFilter(tags={"dagster/sensor_name": "clickstream_landing_sensor"},
                                               created_after=since))
    return [r for r in runs if r.tags.get("dagster/partition") == key
            or r.tags.get("dagster/asset_partition_range_start", "~") <= key
            <= r.tags.get("dagster/asset_partition_range_end", "")]


def _wait_for_open_file(lake, hour: datetime, timeout: float = 60) -> str:
    """The name of a file Flume has open in the hour's bucket, as soon as there is one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        open_files = [e.name for e in lake.list_status(_bucket(hour)) if is_open_file(e.name)]
        if open_files:
            return open_files[0]
        time.sleep(0.1)
    pytest.fail(f"after {timeout:.0f}s Flume had no file open in {_bucket(hour)}")


def test_spooled_files_become_queryable_through_the_sensor(stack_resources):
    started = datetime.now(timezone.utc)
    empty_hour(stack_resources, FLOW_HOUR)
    rng = random.Random(15_1)
    events = hour_events(500, FLOW_HOUR, rng)
    options = ClickstreamOptions(bad_share=0.03, duplicate_share=0.02, huge_line_bytes=10_000)
    stats = write_events(events, spool_dir(state_dir()), options)
    rows, distinct = _wait_for_events(stack_resources["hive"], FLOW_HOUR, len(events), timeout=240)
    assert rows == distinct == len(events)  # the duplicates written were removed
    ids = {r[0] for r in stack_resources["hive"].query(
        f"SELECT event_id FROM curated.clickstream_events WHERE {in_hour(FLOW_HOUR)}")}
    assert ids == {e["event_id"] for e in events}
    assert stats.duplicates > 0
    assert _sensor_runs_for(FLOW_HOUR, started), "the hour was parsed, but by no run of the landing sensor"
    # The freshness daemon sees the table just refreshed: the UI marks it passing its policy.
    assert _freshness_state(EVENTS_KEY, FreshnessState.PASS, timeout=120) == FreshnessState.PASS


def test_flume_killed_three_times_loses_and_doubles_nothing(stack, stack_resources):
    empty_hour(stack_resources, KILL_HOUR)
    rng = random.Random(15_2)
    # Twenty files: five before each kill, five after. A file Flume writes stays open until it has
    # been idle 15 s (flume_conf/clickstream.properties), so each kill finds one open.
    events = hour_events(30_000, KILL_HOUR, rng)
    spool, lake = spool_dir(state_dir()), stack_resources["lake"]
    batches = [events[i:i + 1_500] for i in range(0, len(events), 1_500)]
    killed_open = []
    try:
        for round_no in range(3):
            for batch in batches[round_no * 5:(round_no + 1) * 5]:
                write_events(batch, spool, QUIET)
            killed_open.append(_wait_for_open_file(lake, KILL_HOUR))  # Flume is writing these events now
            # No `stack up`: supervisord starts the agent again, after recovering its open files.
            kill_and_wait_for_restart(stack, "flume")
    finally:
        stack.up(["flume"], report=lambda _: None)  # whatever happened, leave the agent running
    for batch in batches[15:]:
        write_events(batch, spool, QUIET)
    rows, distinct = _wait_for_events(stack_resources["hive"], KILL_HOUR, len(events), timeout=600)
    ids = [r[0] for r in stack_resources["hive"].query(
        f"SELECT event_id FROM curated.clickstream_events WHERE {in_hour(KILL_HOUR)}")]
    assert len(ids) == len(set(ids)) == rows == distinct
    assert set(ids) == {e["event_id"] for e in events}
    # Each kill hit a file Flume had open: the restart made it visible (recovered) instead of losing it.
    landed = {entry.name for entry in lake.list_status(_bucket(KILL_HOUR))}
    recovered = {name[1:].replace(".jsonl.tmp", ".recovered.jsonl") for name in killed_open}
    assert recovered <= landed, (killed_open, sorted(landed))
