"""Property-based tests of the reject ladder on the real Thrift Server: whatever bytes or JSON land,
every line comes out exactly once, either as a valid event or as a reject with a known reason; and
the inputs the ladder exists for (objects or arrays where a value is expected, repeated keys,
invalid UTF-8) get their reason whatever else the line holds."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataplatform_assets.clickstream.formats import CLASSIFY_SQL, EVENT_TYPES, SKIP_REASONS
from dataplatform_assets.clickstream.landing import ClickstreamLandingResource
from resources.sql import SQL_DIR
from tests.integration.clickstream_corpus import classify_batch

HOUR_START = datetime(2025, 6, 1, 10, tzinfo=timezone.utc)
# The reasons the ladder can give, read from the ladder itself, and the formats' own: why a line's
# syntax is not theirs (typed_*.sql), and requests that are not events by design.
REASONS = (set(re.findall(r"THEN '(\w+)'", (SQL_DIR / CLASSIFY_SQL).read_text().split("END AS reject_reason")[0]))
           | {"not_json", "malformed_json", "not_access_log", "malformed_request"} | set(SKIP_REASONS))
TEXT_FIELDS = ("event_id", "event_type", "event_ts", "device_id", "channel", "page", "query", "category")
PROPERTY_SETTINGS = settings(max_examples=20, deadline=None, database=None,
                             suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6)
nested_values = st.lists(json_values, max_size=3) | st.dictionaries(st.text(max_size=6), json_values, max_size=3)


@st.composite
def valid_events(draw) -> dict:
    minute = draw(st.integers(0, 59))
    event = {"event_id": str(uuid.UUID(int=draw(st.integers(1, 2**64)))),
             "event_type": draw(st.sampled_from(EVENT_TYPES)),
             "event_ts": (HOUR_START + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%S.000+00:00"),
             "device_id": draw(st.text(min_size=1, max_size=20)), "channel": draw(st.sampled_from(["web", "app"]))}
    if draw(st.booleans()):
        event["customer_id"] = draw(st.integers(1, 10**9))
    if draw(st.booleans()):
        event["page"] = draw(st.text(max_size=30))  # any text, "{x" and "[x" included
    return event


def _line(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


# Each generated line with the reason it must get, or None where any outcome the ladder allows will do.
any_bytes = st.binary(max_size=120).map(lambda b: (b, None))
any_json = st.dictionaries(st.sampled_from(TEXT_FIELDS) | st.text(max_size=8), json_values, max_size=8).map(
    lambda d: (_line(d), None))
good = valid_events().map(lambda e: (_line(e), "accepted"))
nested = st.tuples(valid_events(), st.sampled_from(TEXT_FIELDS), nested_values).map(
    lambda t: (_line(t[0] | {t[1]: t[2]}), "wrong_type"))


@st.composite
def repeated(draw) -> tuple[bytes, str]:
    """A valid event with one of its keys given a second time, with any value."""
    event = draw(valid_events())
    key = draw(st.sampled_from(sorted(event)))
    return _line(event)[:-1] + b"," + _line(key) + b":" + _line(draw(json_values)) + b"}", "duplicate_field"


bad_utf8 = st.tuples(valid_events(), st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80"])).map(
    lambda t: (_line(t[0])[:-1] + b',"note":"' + t[1] + b'"}', "invalid_utf8"))
# The text reader splits lines at \n and \r: a landed line never holds either.
lines = st.lists(st.one_of(any_bytes, any_json, good, nested, repeated(), bad_utf8), min_size=1, max_size=40).map(
    lambda ls: [(b.replace(b"\n", b" ").replace(b"\r", b" "), want) for b, want in ls])


def classified(hive, fmt_name: str, batch: list[bytes], landing=None) -> dict[int, tuple]:
    """Each line's (reason, detail, event_id, event_type, event_ts, channel), by its position."""
    return classify_batch(hive, landing or ClickstreamLandingResource(format=fmt_name), batch,
                          "reject_reason, reject_detail, event_id, event_type, CAST(event_ts AS STRING), channel")


@PROPERTY_SETTINGS
@given(batch=lines)
def test_every_shop_json_line_is_an_event_or_a_reject_with_its_reason(hive, batch):
    outcome = classified(hive, "shop_json", [b for b, _ in batch])
    for n, (line, want) in enumerate(batch):
        reason, detail, event_id, event_type, event_ts, channel = outcome[n]
        assert reason is None or reason in REASONS, (line, reason)
        if reason is None:  # accepted: everything the curated table promises holds
            assert event_id and 8 <= len(event_id) <= 64 and event_type in EVENT_TYPES, (line, outcome[n])
            assert channel in ("web", "app") and event_ts.startswith("2025-06-01 10:"), (line, outcome[n])
        if want == "accepted":
            assert reason is None, (line, reason, detail)
        elif want is not None:
            assert reason == want, (line, reason, detail)


@PROPERTY_SETTINGS
@given(batch=st.lists(st.one_of(any_bytes, any_json), min_size=1, max_size=40))
def test_every_upgrad_line_is_an_event_or_a_reject_with_its_reason(hive, batch):
    batch = [b.replace(b"\n", b" ").replace(b"\r", b" ") for b, _ in batch]
    outcome = classified(hive, "upgrad", batch)
    for n, line in enumerate(batch):
        reason, _, event_id, event_type, _, channel = outcome[n]
        assert reason is None or reason in REASONS, (line, reason)
        if reason is None:
            assert event_id and event_type and channel == "app", (line, outcome[n])



# Access-log lines: any bytes, and lines in the combined format with any text in each field.
field_text = st.text(max_size=20) | st.binary(max_size=20).map(lambda b: b.decode("latin-1"))
access_lines = st.tuples(
    st.sampled_from(["203.0.113.9", "-", "::1"]), field_text,
    st.sampled_from(["01/Jun/2025:10:15:00 +0000", "01/Jun/2025:12:15:00 +0200", "31/Feb/2025:10:00:00 +0000", "x"]),
    field_text, st.sampled_from(["200", "302", "404", "500", "99"]), field_text, field_text,
    st.one_of(st.none(), st.tuples(st.sampled_from(["0.004", "-"]), field_text))).map(
    lambda t: (f'{t[0]} - {t[1] or "-"} [{t[2]}] "{t[3]}" {t[4]} 12 "{t[5]}" "{t[6]}"'
               + (f' {t[7][0]} "{t[7][1]}"' if t[7] else "")).encode("utf-8", "surrogateescape"))


@PROPERTY_SETTINGS
@given(batch=st.lists(st.one_of(any_bytes.map(lambda p: p[0]), access_lines), min_size=1, max_size=40))
def test_every_access_log_line_is_an_event_or_a_reject_with_its_reason(hive, batch, tmp_path):
    batch = [b.replace(b"\n", b" ").replace(b"\r", b" ") for b in batch]
    salt = tmp_path / "salt"
    salt.write_text("a-salt-for-the-property-test")
    landing = ClickstreamLandingResource(format="access-log", visitor_salt_file=str(salt))
    outcome = classified(hive, "access-log", batch, landing)
    for n, line in enumerate(batch):
        reason, _, event_id, event_type, event_ts, channel = outcome[n]
        assert reason is None or reason in REASONS, (line, reason)
        if reason is None:
            assert len(event_id) == 64 and event_type and channel == "web", (line, outcome[n])
            assert event_ts.startswith("2025-06-01 10:"), (line, outcome[n])
