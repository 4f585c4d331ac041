"""Hourly partitions that match Flume's landing buckets (`dt=YYYY-MM-DD/hr=HH`, UTC).

They start on the first day of web logs, `DATAPLATFORM_CLICKSTREAM_START` (read when the code
loads; the local stack's tests write hours from 2025 on), so the UI's partition counts and fill
rates are those of the data."""

from __future__ import annotations

import os
import re
from datetime import datetime

import dagster as dg

START_VARIABLE, DEFAULT_START = "DATAPLATFORM_CLICKSTREAM_START", "2025-01-01"


def first_day(value: str) -> str:
    """The first partition day, checked: `YYYY-MM-DD`, a real date."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise ValueError(f"{START_VARIABLE}={value!r}: the first day of web logs must be a date, YYYY-MM-DD") from None
    return value


PARTITIONS_START = first_day(os.environ.get(START_VARIABLE, DEFAULT_START)) + "-00:00"
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
