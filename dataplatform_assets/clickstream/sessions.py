"""Sessions of one day, built with Spark SQL from the curated events and swapped in atomically."""

from __future__ import annotations

from dataplatform_assets.clickstream.curated_tables import (
    CURATED,
    EVENTS,
    SESSIONS,
    partition_dir,
    partitions_rows,
    publish_partitions,
)
from resources.hive import HiveServer2Resource
from resources.lake import LakeResource
from resources.sql import lit, statement

INACTIVITY_GAP_MINUTES = 30
SESSIONS_SQL = "clickstream/sessions.sql"


def build_sessions(hive: HiveServer2Resource, lake: LakeResource, day: str, version: str) -> tuple[int, int]:
    """Write and publish the sessions starting on `day`; returns (sessions, sessions starting within
    the gap of the same customer's previous one, which must be none)."""
    partition = {"dt": day}
    location = lake.uri(f"{partition_dir(SESSIONS, partition)}/{version}")
    values = dict(day=lit(day), gap_minutes=lit(INACTIVITY_GAP_MINUTES))
    hive.execute(statement(SESSIONS_SQL, "build", location=lit(location),
                           events=hive.table(CURATED, EVENTS.name), **values))
    publish_partitions(hive, lake, SESSIONS, [partition], version)
    rows = partitions_rows(hive, (SESSIONS,), [partition])[SESSIONS.name].get((day,), 0)
    violations = int(hive.query(statement(SESSIONS_SQL, "gap_violations",
                                          sessions=hive.table(CURATED, SESSIONS.name), **values))[0][0])
    return rows, violations
