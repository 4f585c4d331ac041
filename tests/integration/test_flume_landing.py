"""What the stack's real Flume agent does with lines as they come: files dropped in its spool folder, read back
from the lake's landing buckets over WebHDFS, then parsed (a copy of the landed files, in the test lake) by
Spark on the Thrift Server. Each run marks its lines with a fresh token, so earlier runs' files never count."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from itertools import zip_longest

import dagster as dg
import pytest

from dataplatform.paths import state_dir
from dataplatform.settings import load_settings
from dataplatform_assets.clickstream.assets import clickstream_events
from dataplatform_assets.clickstream.landing import LANDING_DIR, ClickstreamLandingResource
from tests.integration.clickstream_corpus import LANDING, land
from tests.integration.helpers import spool_file, wait_landed

MAX_LINE_LENGTH = 8 * 1024 * 1024  # flume_conf/clickstream.properties: deserializer.maxLineLength


@pytest.fixture(scope="module")
def stack_lake(stack):
    if not next(s for s in stack.status() if s.name == "flume").healthy:
        pytest.fail("the stack's flume agent must be running: `dataplatform stack up`", pytrace=False)
    return load_settings("local").lake()


@pytest.fixture()
def token() -> str:
    return uuid.uuid4().hex[:16]  # only to find this run's lines; no choice in the test depends on it


def _bucket(hour: datetime) -> str:
    return f"dt={hour:%Y-%m-%d}/hr={hour:%H}"


def _hours_between(start: datetime, end: datetime) -> list[datetime]:
    hour = start.replace(minute=0, second=0, microsecond=0)
    hours = []
    while hour <= end:
        hours.append(hour)
        hour += timedelta(hours=1)
    return hours


def _parse_copy(stack_lake, lake, hive, test_resources, hour: datetime, files: list[str], fmt: str = "shop_json"):
    """Parse a copy of `files` of the stack's landing bucket for `hour` in the test lake; its rejects' rows."""
    bucket = _bucket(hour)
    land(lake, f"{hour:%Y-%m-%d-%H}:00", {name: stack_lake.read_bytes(f"{LANDING_DIR}/{bucket}/{name}")
                                         for name in files})
    result = dg.materialize([clickstream_events], partition_key=f"{hour:%Y-%m-%d-%H}:00",
                            instance=dg.DagsterInstance.ephemeral(),
                            resources={**test_resources, "clickstream": ClickstreamLandingResource(
                                landing_dir=LANDING, format=fmt)})
    assert result.success
    return result


def _event(token: str, n: int, **fields) -> bytes:
    event = {"event_id": str(uuid.UUID(int=n)), "event_type": "page_view", "event_ts": "2025-03-04T05:06:07.000+00:00",
             "customer_id": 4242, "device_id": f"flume-{token}", "channel": "web", "page": "/", **fields}
    return json.dumps({k: v for k, v in event.items() if v is not None}).encode()


def test_lines_without_a_valid_time_land_in_their_arrival_hour_and_are_quarantined_there(
        stack_lake, lake, hive, test_resources, token):
    no_time = {  # line -> the reason the parser must give it in the arrival hour's bucket
        _event(token, 1, event_ts=None): "missing_field",
        _event(token, 2, event_ts="yesterday at noon"): "bad_timestamp",
        _event(token, 3, event_ts="2025-02-30T10:00:00.000+00:00"): "bad_timestamp",  # no such day
        _event(token, 4, event_ts="2100-01-01T00:00:00.000+00:00"): "timestamp_out_of_range",
        _event(token, 5, event_ts="1999-12-31T23:59:59.000+00:00"): "timestamp_out_of_range",
    }
    timed = _event(token, 6)  # a well-formed time in the same file: its own hour's bucket
    before = datetime.now(timezone.utc)
    spool_file(f"arrival-{token}.jsonl", b"\n".join([*no_time, timed]) + b"\n")
    arrival_hours = _hours_between(before, datetime.now(timezone.utc) + timedelta(seconds=120))
    found = wait_landed(stack_lake, [_bucket(h) for h in arrival_hours] + ["dt=2025-03-04/hr=05"], token, 6)
    assert [line for files in found.pop("dt=2025-03-04/hr=05", {}).values() for line in files] == [timed]
    [(bucket, files)] = found.items()  # the five lines without a valid time: one arrival-hour bucket
    assert sorted(line for lines in files.values() for line in lines) == sorted(no_time)
    arrived = next(h for h in arrival_hours if _bucket(h) == bucket)
    assert before.replace(minute=0, second=0, microsecond=0) <= arrived <= datetime.now(timezone.utc)

    _parse_copy(stack_lake, lake, hive, test_resources, arrived, list(files))
    rows = hive.query(f"SELECT raw_line, reason FROM {hive.db('curated')}.clickstream_rejects "
                      f"WHERE dt = '{arrived:%Y-%m-%d}' AND hr = '{arrived:%H}' AND raw_line LIKE '%{token}%'")
    assert sorted((line.encode(), reason) for line, reason in rows) == sorted(no_time.items())


def test_upgrad_records_land_in_the_hour_of_their_timestamp(stack_lake, lake, hive, test_resources, token):
    def record(n: int, timestamp: str, key: str = "timestamp") -> bytes:
        return json.dumps({"customer_id": str(6000 + n), "app_version": "2.1.3", "OS_version": "Android 13",
                           "lat": "52.52", "lon": "13.40", "page_id": f"page-{n}", "button_id": token,
                           "is_button_click": "No", "is_page_view": "Yes", "is_scroll_up": "No",
                           "is_scroll_down": "No", key: timestamp}).encode()

    hours = {datetime(2025, 3, 5, 6, tzinfo=timezone.utc): [record(1, "2025-03-05 06:00:00.000001"),
                                                            record(2, "2025-03-05 06:59:59", key="TIMESTAMP")],
             datetime(2025, 3, 5, 7, tzinfo=timezone.utc): [record(3, "2025-03-05 07:30:00.5", key="Timestamp"),
                                                            record(4, "2025-03-05 07:00:00.123456"),
                                                            # The real feed's key, and padded spellings.
                                                            record(5, "2025-03-05 07:10:00", key="timestamp\n"),
                                                            record(6, "2025-03-05 07:20:00", key=" TimeStamp\t")]}
    # One file, the hours interleaved as an app would send them.
    interleaved = [line for lines in zip_longest(*hours.values()) for line in lines if line]
    spool_file(f"upgrad-{token}.jsonl", b"\n".join(interleaved) + b"\n")
    found = wait_landed(stack_lake, [_bucket(h) for h in hours], token, 6)
    for hour, records in hours.items():
        assert sorted(line for lines in found[_bucket(hour)].values() for line in lines) == sorted(records)
        _parse_copy(stack_lake, lake, hive, test_resources, hour, list(found[_bucket(hour)]), fmt="upgrad")
        accepted = hive.query(f"SELECT customer_id FROM {hive.db('curated')}.clickstream_events "
                              f"WHERE dt = '{hour:%Y-%m-%d}' AND hr = '{hour:%H}' "
                              f"AND attributes['button_id'] = '{token}' ORDER BY customer_id")
        assert [r[0] for r in accepted] == sorted(int(json.loads(r)["customer_id"]) for r in records)


def test_access_log_lines_land_in_the_utc_hour_of_their_local_time(stack_lake, token):
    def access(time: str) -> bytes:
        return f'192.0.2.1 - - [{time}] "GET /{token} HTTP/1.1" 200 5 "-" "test-agent"'.encode()

    hours = {datetime(2025, 3, 6, 6, tzinfo=timezone.utc): [access("06/Mar/2025:11:40:00 +0530"),
                                                            access("05/Mar/2025:22:10:00 -0800")],
             datetime(2025, 3, 6, 7, tzinfo=timezone.utc): [access("06/Mar/2025:07:59:59 +0000")]}
    no_such_day = access("30/Feb/2025:10:00:00 +0000")  # not a date: the line keeps its arrival time
    before = datetime.now(timezone.utc)
    spool_file(f"access-{token}.log", b"\n".join([*hours[min(hours)], no_such_day, *hours[max(hours)]]) + b"\n")
    arrival = _hours_between(before, datetime.now(timezone.utc) + timedelta(seconds=120))
    found = wait_landed(stack_lake, [_bucket(h) for h in [*hours, *arrival]], token, 4)
    for hour, lines in hours.items():
        assert sorted(line for lines_ in found.pop(_bucket(hour)).values() for line in lines_) == sorted(lines)
    [(bucket, files)] = found.items()
    assert bucket in {_bucket(h) for h in arrival} and [ln for f in files.values() for ln in f] == [no_such_day]


def test_a_line_over_8_mib_is_split_by_flume_and_each_piece_quarantined(stack_lake, lake, hive, test_resources,
                                                                       token):
    own_hour = datetime(2025, 3, 6, 4, tzinfo=timezone.utc)
    head = _event(token, 7, event_ts="2025-03-06T04:05:06.000+00:00", page="/")[:-1]
    line = head + b', "padding": "' + b"x" * (MAX_LINE_LENGTH + 100_000) + b'", "query": "' + token.encode() + b'"}'
    first, rest = line[:MAX_LINE_LENGTH], line[MAX_LINE_LENGTH:]
    log = state_dir() / "logs" / "flume.log"
    warned_before = log.read_text(errors="replace").count(f"Line length exceeds max ({MAX_LINE_LENGTH})")
    before = datetime.now(timezone.utc)
    spool_file(f"long-{token}.jsonl", line + b"\n")
    arrival_hours = _hours_between(before, datetime.now(timezone.utc) + timedelta(seconds=120))
    # The token is in both pieces: the device id near the start, the query at the end.
    found = wait_landed(stack_lake, [_bucket(own_hour)] + [_bucket(h) for h in arrival_hours], token, 2)
    own_files = found.pop(_bucket(own_hour), {})
    assert [ln for lines in own_files.values() for ln in lines] == [first]  # cut at exactly maxLineLength bytes,
    # in the bucket of the time it carries; the rest a line of its own, without a time: the arrival hour's bucket
    [(arrival_bucket, rest_files)] = found.items()
    assert [ln for lines in rest_files.values() for ln in lines] == [rest]
    assert log.read_text(errors="replace").count(f"Line length exceeds max ({MAX_LINE_LENGTH})") > warned_before

    _parse_copy(stack_lake, lake, hive, test_resources, own_hour, list(own_files))
    rows = hive.query(f"SELECT reason, line_bytes FROM {hive.db('curated')}.clickstream_rejects "
                      f"WHERE dt = '2025-03-06' AND hr = '04' AND source_file IN "
                      f"({', '.join(repr(f) for f in own_files)})")
    assert rows == [("line_too_long", MAX_LINE_LENGTH)]  # over the parser's own 1 MiB limit
    arrived = next(h for h in arrival_hours if _bucket(h) == arrival_bucket)
    _parse_copy(stack_lake, lake, hive, test_resources, arrived, list(rest_files))
    rows = hive.query(f"SELECT reason, line_bytes FROM {hive.db('curated')}.clickstream_rejects "
                      f"WHERE dt = '{arrived:%Y-%m-%d}' AND hr = '{arrived:%H}' AND raw_line LIKE '%{token}%'")
    assert rows == [("not_json", len(rest))]
