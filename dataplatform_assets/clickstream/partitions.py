"""Hourly partitions that match Flume's landing buckets (`dt=YYYY-MM-DD/hr=HH`, UTC)."""

from __future__ import annotations

from datetime import datetime

import dagster as dg

PARTITIONS_START = "2025-01-01-00:00"
# end_offset=1: the hour in progress is a partition too, so live events are parsed without waiting
# for the hour to end.
HOURLY = dg.HourlyPartitionsDefinition(start_date=PARTITIONS_START, end_offset=1, timezone="UTC")
DAILY = dg.DailyPartitionsDefinition(start_date=PARTITIONS_START[:10], end_offset=1, timezone="UTC")
KEY_FORMAT = "%Y-%m-%d-%H:%M"


def hour_start(partition_key: str) -> datetime:
    return datetime.strptime(partition_key, KEY_FORMAT)


def bucket_of(partition_key: str) -> tuple[str, str]:
    """(dt, hr) of a partition key: `2025-12-31-05:00` -> (`2025-12-31`, `05`)."""
    start = hour_start(partition_key)
    return start.strftime("%Y-%m-%d"), start.strftime("%H")


def partition_of(dt: str, hr: str) -> str | None:
    """The partition key of a landing bucket, or None if the names are not a valid date and hour."""
    try:
        return datetime.strptime(f"{dt} {hr}", "%Y-%m-%d %H").strftime(KEY_FORMAT)
    except ValueError:
        return None
