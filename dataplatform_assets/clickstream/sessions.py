"""Sessions of one day, built with Spark SQL from the curated events and swapped in atomically."""

from __future__ import annotations

from dataplatform.paths import render_sql
from dataplatform_assets.clickstream.curated_tables import (
    CURATED,
    SESSIONS,
    partition_dir,
    partition_rows,
    publish_partition,
)
from resources.hive import HiveServer2Resource
from resources.lake import LakeResource

INACTIVITY_GAP_MINUTES = 30  # also spelled out in sql/clickstream/sessions.sql


def build_sessions(hive: HiveServer2Resource, lake: LakeResource, day: str, version: str) -> tuple[int, int]:
    """Write and publish the sessions starting on `day`; returns (rows, distinct session ids)."""
    partition = {"dt": day}
    location = lake.uri(f"{partition_dir(SESSIONS, partition)}/{version}")
    hive.execute(render_sql("clickstream/sessions.sql", location=location, database=hive.db(CURATED), day=day))
    publish_partition(hive, lake, SESSIONS, partition, version)
    return partition_rows(hive, SESSIONS, partition, "session_id")
