"""The clickstream as it runs for real: files dropped in Flume's spool folder, landed in HDFS by
the stack's Flume agent, picked up by the landing sensor in the stack's Dagster daemon, parsed by
Spark, queried through HiveServer2. These tests use the stack's own `curated` tables (Flume and
the daemon are the stack's), each in an hour of 2025 drawn at random, with fresh event ids."""

from __future__ import annotations

import os
import random
import signal
import time
import uuid
from datetime import datetime, timedelta

import dagster as dg
import pytest

from dataplatform.generator.clickstream import ClickstreamOptions, write_events
from dataplatform.localstack import process
from dataplatform.localstack.flume import spool_dir
from dataplatform.paths import stack_dagster_home, state_dir
from dataplatform.settings import load_settings
from resources import resources_for

QUIET = ClickstreamOptions(bad_share=0.0, duplicate_share=0.0)


@pytest.fixture(scope="module")
def stack_resources(stack):
    down = [s.name for s in stack.status() if s.name in ("dagster-daemon", "flume") and not s.healthy]
    if down:
        pytest.fail(f"the stack's {', '.join(down)} must be running: `dataplatform stack up`", pytrace=False)
    return resources_for(load_settings("local"))


def _random_hour(rng: random.Random) -> datetime:
    return datetime(2025, 2, 1) + timedelta(hours=rng.randrange(24 * 300))


def _events(n: int, hour: datetime, rng: random.Random) -> list[dict]:
    events = [{"event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "event_type": "page_view",
               "event_ts": hour + timedelta(milliseconds=rng.randrange(3_600_000)),
               "customer_id": rng.randrange(1, 999),
               "device_id": "dev-flow", "channel": "web", "page": "/", "host": rng.randrange(2)} for _ in range(n)]
    return sorted(events, key=lambda e: e["event_ts"])


def _partition(hour: datetime) -> str:
    return f"dt = '{hour:%Y-%m-%d}' AND hr = '{hour:%H}'"


def _wait_for_events(hive, hour: datetime, expected: int, timeout: float) -> tuple[int, int]:
    """(rows, distinct ids) of the hour once it holds `expected` rows; fails after `timeout`."""
    sql = (f"SELECT COUNT(*), COUNT(DISTINCT event_id) FROM {hive.db('curated')}.clickstream_events "
           f"WHERE {_partition(hour)}")
    deadline, seen = time.monotonic() + timeout, (0, 0)
    while time.monotonic() < deadline:
        try:
            seen = tuple(int(v) for v in hive.query(sql)[0])
        except Exception:  # the table does not exist before the first parse
            seen = (0, 0)
        if seen[0] >= expected:
            return seen
        time.sleep(2)
    pytest.fail(f"after {timeout:.0f}s the hour {hour:%Y-%m-%d %H}:00 holds {seen[0]} of {expected} events")


def _sensor_runs_for(hour: datetime) -> list[dg.DagsterRun]:
    key = f"{hour:%Y-%m-%d-%H}:00"
    with dg.DagsterInstance.from_config(str(stack_dagster_home())) as instance:
        runs = instance.get_runs(dg.RunsFilter(tags={"dagster/sensor_name": "clickstream_landing_sensor"}))
    return [r for r in runs if r.tags.get("dagster/partition") == key
            or r.tags.get("dagster/asset_partition_range_start", "~") <= key
            <= r.tags.get("dagster/asset_partition_range_end", "")]


def test_spooled_files_become_queryable_through_the_sensor(stack_resources):
    rng = random.Random()
    hour = _random_hour(rng)
    events = _events(500, hour, rng)
    options = ClickstreamOptions(bad_share=0.03, duplicate_share=0.02, huge_line_bytes=10_000)
    stats = write_events(events, spool_dir(state_dir()), options)
    rows, distinct = _wait_for_events(stack_resources["hive"], hour, len(events), timeout=240)
    assert rows == distinct == len(events)  # the duplicates written were removed
    ids = {r[0] for r in stack_resources["hive"].query(
        f"SELECT event_id FROM curated.clickstream_events WHERE {_partition(hour)}")}
    assert ids == {e["event_id"] for e in events}
    assert stats.duplicates > 0
    assert _sensor_runs_for(hour), "the hour was parsed, but by no run of the landing sensor"


def test_flume_killed_three_times_loses_and_doubles_nothing(stack, stack_resources):
    rng = random.Random()
    hour = _random_hour(rng)
    events = _events(100_000, hour, rng)
    spool = spool_dir(state_dir())
    batches = [events[i:i + 5_000] for i in range(0, len(events), 5_000)]
    try:
        for round_no in range(3):
            for batch in batches[round_no * 5:(round_no + 1) * 5]:
                write_events(batch, spool, QUIET)
            time.sleep(3)  # let Flume get well into these files
            pid = process.read_pid(stack.pid_file("flume"))
            assert pid, "flume is not running"
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 30
            while process.pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            stack.up(["flume"], report=lambda _: None)
    finally:
        stack.up(["flume"], report=lambda _: None)  # whatever happened, leave the agent running
    for batch in batches[15:]:
        write_events(batch, spool, QUIET)
    rows, distinct = _wait_for_events(stack_resources["hive"], hour, len(events), timeout=600)
    ids = [r[0] for r in stack_resources["hive"].query(
        f"SELECT event_id FROM curated.clickstream_events WHERE {_partition(hour)}")]
    assert len(ids) == len(set(ids)) == rows == distinct
    assert set(ids) == {e["event_id"] for e in events}
    # The kills hit files Flume had open: the restarts made them visible instead of losing them.
    landed = stack_resources["lake"].list_status(f"raw/clickstream/dt={hour:%Y-%m-%d}/hr={hour:%H}")
    assert any(".recovered." in entry.name for entry in landed), [e.name for e in landed]
