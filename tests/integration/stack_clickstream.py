"""The stack's own clickstream, as the flow and chaos tests drive it: events for an hour of their
own, spooled for the stack's Flume agent and parsed by the landing sensor in the stack's daemon,
read back from the stack's `curated` tables through HiveServer2."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

import pytest

from dataplatform.generator.clickstream import ClickstreamOptions
from dataplatform.settings import load_settings
from dataplatform_assets.clickstream.curated_tables import EVENTS, REJECTS, ensure_tables, partition_dir
from dataplatform_assets.clickstream.landing import LANDING_DIR

QUIET = ClickstreamOptions(bad_share=0.0, duplicate_share=0.0)


@pytest.fixture(scope="module")
def stack_resources(stack):
    down = [s.name for s in stack.status() if s.name in ("dagster-daemon", "flume") and not s.healthy]
    if down:
        pytest.fail(f"the stack's {', '.join(down)} must be running: `dataplatform stack up`", pytrace=False)
    settings = load_settings("local")
    return {"lake": settings.lake(), "hive": settings.hive()}


def bucket(hour: datetime) -> str:
    return f"{LANDING_DIR}/dt={hour:%Y-%m-%d}/hr={hour:%H}"


def empty_hour(resources, hour: datetime) -> None:
    """The hour as if it had never been seen: no landed files, no curated partitions."""
    hive, lake = resources["hive"], resources["lake"]
    fs, _ = lake.filesystem()
    fs.delete_dir_contents(lake.path(bucket(hour)), missing_dir_ok=True)
    ensure_tables(hive, lake, EVENTS, REJECTS)
    partition = {"dt": f"{hour:%Y-%m-%d}", "hr": f"{hour:%H}"}
    for table in (EVENTS, REJECTS):
        hive.execute(f"ALTER TABLE {hive.db('curated')}.{table.name} DROP IF EXISTS PARTITION "
                     f"(dt = '{partition['dt']}', hr = '{partition['hr']}')")
        fs.delete_dir_contents(lake.path(partition_dir(table, partition)), missing_dir_ok=True)
    assert lake.list_status(bucket(hour)) == []
    assert counts(hive, hour) == (0, 0)


def hour_events(n: int, hour: datetime, rng: random.Random) -> list[dict]:
    events = [{"event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "event_type": "page_view",
               "event_ts": hour + timedelta(milliseconds=rng.randrange(3_600_000)),
               "customer_id": rng.randrange(1, 999),
               "device_id": "dev-flow", "channel": "web", "page": "/", "host": rng.randrange(2)} for _ in range(n)]
    return sorted(events, key=lambda e: e["event_ts"])


def in_hour(hour: datetime) -> str:
    return f"dt = '{hour:%Y-%m-%d}' AND hr = '{hour:%H}'"


def counts(hive, hour: datetime) -> tuple[int, int]:
    """(rows, distinct ids) of the hour in curated.clickstream_events; any HiveServer2 error surfaces at once."""
    rows = hive.query(f"SELECT COUNT(*), COUNT(DISTINCT event_id) FROM {hive.db('curated')}.clickstream_events "
                      f"WHERE {in_hour(hour)}")
    return int(rows[0][0]), int(rows[0][1])
