"""The clickstream as it runs for real: files dropped in Flume's spool folder, landed in HDFS by
the stack's Flume agent, picked up by the landing sensor in the stack's Dagster daemon, parsed by
Spark, queried through HiveServer2. These tests use the stack's own `curated` tables (Flume and
the daemon are the stack's), each in an hour of 2025 of its own, emptied first (landing bucket and
curated partitions), with events from a seeded generator."""

from __future__ import annotations

import random
import time
import uuid
from datetime import datetime, timedelta, timezone

import dagster as dg
import pytest

from dataplatform.generator.clickstream import ClickstreamOptions, write_events
from dataplatform.localstack.flume import spool_dir
from dataplatform.paths import stack_dagster_home, state_dir
from dataplatform.settings import load_settings
from dataplatform_assets.clickstream.curated_tables import EVENTS, REJECTS, ensure_tables, partition_dir
from dataplatform_assets.clickstream.landing import LANDING_DIR, is_open_file
from tests.integration.helpers import kill_and_wait_for_restart

QUIET = ClickstreamOptions(bad_share=0.0, duplicate_share=0.0)
# Each test's own hour: no other test writes there, and the test empties it before it starts.
FLOW_HOUR = datetime(2025, 9, 14, 15)
KILL_HOUR = datetime(2025, 9, 15, 3)


@pytest.fixture(scope="module")
def stack_resources(stack):
    down = [s.name for s in stack.status() if s.name in ("dagster-daemon", "flume") and not s.healthy]
    if down:
        pytest.fail(f"the stack's {', '.join(down)} must be running: `dataplatform stack up`", pytrace=False)
    settings = load_settings("local")
    return {"lake": settings.lake(), "hive": settings.hive()}


def _bucket(hour: datetime) -> str:
    return f"{LANDING_DIR}/dt={hour:%Y-%m-%d}/hr={hour:%H}"


def _empty_hour(resources, hour: datetime) -> None:
    """The hour as if it had never been seen: no landed files, no curated partitions."""
    hive, lake = resources["hive"], resources["lake"]
    fs, _ = lake.filesystem()
    fs.delete_dir_contents(lake.path(_bucket(hour)), missing_dir_ok=True)
    ensure_tables(hive, lake, EVENTS, REJECTS)
    partition = {"dt": f"{hour:%Y-%m-%d}", "hr": f"{hour:%H}"}
    for table in (EVENTS, REJECTS):
        hive.execute(f"ALTER TABLE {hive.db('curated')}.{table.name} DROP IF EXISTS PARTITION "
                     f"(dt = '{partition['dt']}', hr = '{partition['hr']}')")
        fs.delete_dir_contents(lake.path(partition_dir(table, partition)), missing_dir_ok=True)
    assert lake.list_status(_bucket(hour)) == []
    assert _counts(hive, hour) == (0, 0)


def _events(n: int, hour: datetime, rng: random.Random) -> list[dict]:
    events = [{"event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "event_type": "page_view",
               "event_ts": hour + timedelta(milliseconds=rng.randrange(3_600_000)),
               "customer_id": rng.randrange(1, 999),
               "device_id": "dev-flow", "channel": "web", "page": "/", "host": rng.randrange(2)} for _ in range(n)]
    return sorted(events, key=lambda e: e["event_ts"])


def _partition(hour: datetime) -> str:
    return f"dt = '{hour:%Y-%m-%d}' AND hr = '{hour:%H}'"


def _counts(hive, hour: datetime) -> tuple[int, int]:
    """(rows, distinct ids) of the hour in curated.clickstream_events; any HiveServer2 error surfaces at once."""
    rows = hive.query(f"SELECT COUNT(*), COUNT(DISTINCT event_id) FROM {hive.db('curated')}.clickstream_events "
                      f"WHERE {_partition(hour)}")
    return int(rows[0][0]), int(rows[0][1])


def _wait_for_events(hive, hour: datetime, expected: int, timeout: float) -> tuple[int, int]:
    """(rows, distinct ids) of the hour once it holds exactly `expected` rows; fails after `timeout`."""
    deadline, seen = time.monotonic() + timeout, (0, 0)
    while time.monotonic() < deadline:
        seen = _counts(hive, hour)  # the tables exist (_empty_hour made sure): no error is expected here
        if seen[0] == expected:
            return seen
        time.sleep(2)
    pytest.fail(f"after {timeout:.0f}s the hour {hour:%Y-%m-%d %H}:00 holds {seen[0]} of {expected} events")


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
    _empty_hour(stack_resources, FLOW_HOUR)
    rng = random.Random(15_1)
    events = _events(500, FLOW_HOUR, rng)
    options = ClickstreamOptions(bad_share=0.03, duplicate_share=0.02, huge_line_bytes=10_000)
    stats = write_events(events, spool_dir(state_dir()), options)
    rows, distinct = _wait_for_events(stack_resources["hive"], FLOW_HOUR, len(events), timeout=240)
    assert rows == distinct == len(events)  # the duplicates written were removed
    ids = {r[0] for r in stack_resources["hive"].query(
        f"SELECT event_id FROM curated.clickstream_events WHERE {_partition(FLOW_HOUR)}")}
    assert ids == {e["event_id"] for e in events}
    assert stats.duplicates > 0
    assert _sensor_runs_for(FLOW_HOUR, started), "the hour was parsed, but by no run of the landing sensor"


def test_flume_killed_three_times_loses_and_doubles_nothing(stack, stack_resources):
    _empty_hour(stack_resources, KILL_HOUR)
    rng = random.Random(15_2)
    events = _events(100_000, KILL_HOUR, rng)
    spool, lake = spool_dir(state_dir()), stack_resources["lake"]
    batches = [events[i:i + 5_000] for i in range(0, len(events), 5_000)]
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
        f"SELECT event_id FROM curated.clickstream_events WHERE {_partition(KILL_HOUR)}")]
    assert len(ids) == len(set(ids)) == rows == distinct
    assert set(ids) == {e["event_id"] for e in events}
    # Each kill hit a file Flume had open: the restart made it visible (recovered) instead of losing it.
    landed = {entry.name for entry in lake.list_status(_bucket(KILL_HOUR))}
    recovered = {name[1:].replace(".jsonl.tmp", ".recovered.jsonl") for name in killed_open}
    assert recovered <= landed, (killed_open, sorted(landed))
