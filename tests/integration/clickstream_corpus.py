"""A landing hour full of bad input, each line with the fate the parser must give it."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

HOUR = "2025-06-01-10:00"  # the corpus bucket: dt=2025-06-01/hr=10 (UTC)
# The test lake's landing, outside `raw/`: the import tests empty `test-lake/raw` whenever they start.
LANDING = "clickstream-landing"


def land(lake, hour: str, files: dict[str, bytes]) -> None:
    """Files as Flume leaves them in a bucket of the test lake, plus one still open (never read)."""
    dt, hr = hour[:10], hour[11:13]
    fs, _ = lake.filesystem()
    bucket = lake.path(f"{LANDING}/dt={dt}/hr={hr}")
    fs.delete_dir_contents(bucket, missing_dir_ok=True)
    fs.create_dir(bucket, recursive=True)
    for name, body in {**files, "_events.9999.jsonl.tmp": b'{"half": "written'}.items():
        with fs.open_output_stream(f"{bucket}/{name}") as out:
            out.write(body)


CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
          "Safari/537.36")


def access_line(request: str, status: int = 200, *, time: str = "01/Jun/2025:12:05:00 +0200", agent: str = CHROME,
                addr: str = "198.51.100.7", customer: str = "-", referer: str = "-") -> bytes:
    """An nginx line in the format the stack's example config logs: combined, request time, customer id."""
    return (f'{addr} - - [{time}] "{request}" {status} 512 "{referer}" "{agent}" 0.012 "{customer}"').encode()


def event_line(n: int, ts: str, customer: int | None, kind: str = "page_view", device: str | None = None,
               **extra) -> bytes:
    """One of our web servers' events; `customer=None` is an anonymous visitor (no customer_id at all)."""
    event = {"event_id": str(uuid.UUID(int=10_000 + n)), "event_type": kind, "event_ts": ts,
             "customer_id": customer, "device_id": device or f"dev-{customer}", "channel": "web", **extra}
    return json.dumps({k: v for k, v in event.items() if v is not None}).encode()


def _event(n: int, **changes) -> dict:
    # Local time 12:mm at +02:00 is 10:mm UTC: the parser must normalise it into this hour.
    event = {"event_id": str(uuid.UUID(int=n)), "event_type": "product_view",
             "event_ts": f"2025-06-01T12:{n % 60:02d}:07.250+02:00", "customer_id": 1000 + n,
             "device_id": f"dev-{n:07d}-web", "channel": "web", "page": f"/p/SKU-{n}", "product_id": n,
             "category": "books"}
    event.update(changes)
    return {k: v for k, v in event.items() if v is not None}


def _line(event: dict) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode()


@dataclass
class Corpus:
    files: dict[str, bytes] = field(default_factory=dict)
    good_ids: set[str] = field(default_factory=set)
    duplicates: int = 0
    # (file, expected reason) for every bad line, and each file's line count
    rejects: list[tuple[str, str]] = field(default_factory=list)

    def add(self, name: str, lines: list[bytes]) -> None:
        self.files[name] = b"".join(line + b"\n" for line in lines)

    @property
    def lines(self) -> int:
        return sum(body.count(b"\n") for body in self.files.values())


def build_corpus() -> Corpus:
    corpus = Corpus()
    good = [_event(n) for n in range(1, 41)]
    corpus.good_ids = {e["event_id"] for e in good}
    # Flume delivers at least once: the same event again, in the same file and in another file.
    repeated = [_line(good[0]), _line(good[1])]
    corpus.duplicates = len(repeated)

    bad: list[tuple[str, bytes]] = [
        ("malformed_json", _line(_event(101))[:37]),                                  # truncated JSON
        ("invalid_utf8", _line(_event(102))[:-1] + b',"note":"caf\xc3\x28 \xff"}'),  # invalid UTF-8
        ("line_too_long", _line(_event(103, page="/" + "x" * 5_000_000))),         # a 5 MB line
        ("missing_field", _line(_event(104, event_ts=None))),
        ("unexpected_field", _line(_event(105) | {"user_agent": "curl/8.5"})),
        ("wrong_type", _line(_event(106, customer_id="not-a-number"))),
        ("timestamp_out_of_range", _line(_event(107, event_ts="2999-12-31T23:59:59.000+00:00"))),
        ("timestamp_out_of_range", _line(_event(108, event_ts="1999-01-01T00:00:00.000+00:00"))),
        ("bad_timestamp", _line(_event(109, event_ts="yesterday at noon"))),
        ("unknown_event_type", _line(_event(110, event_type="teleport"))),
        ("not_json", b'127.0.0.1 - - [01/Jun/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 512'),
        ("empty_line", b""),
        ("invalid_value", _line(_event(111, channel="fax"))),
        ("wrong_hour", _line(_event(112, event_ts="2025-06-01T14:10:00.000+02:00"))),
        # An object or array where a text is expected is not that text: every such field is wrong_type.
        ("wrong_type", _line(_event(113, event_id={"nested": str(uuid.UUID(int=113))}))),
        ("wrong_type", _line(_event(114, page=["/p/SKU-114"]))),
        ("wrong_type", _line(_event(115, query={"q": "lamp"}))),
        ("wrong_type", _line(_event(116, category=[]))),
        ("wrong_type", _line(_event(117, device_id={}))),
        # A key given twice: which value is meant is unknowable, so the line is rejected whole.
        ("duplicate_field", _line(_event(118))[:-1] + b',"page":"/p/other"}'),
        ("malformed_json", _line(_event(119)) + b' trailing text'),  # the JSON reader would ignore the tail
    ]
    corpus.add("events.1000.jsonl", [_line(e) for e in good[:20]] + [line for _, line in bad[:7]] + repeated[:1])
    corpus.add("events.1001.jsonl", [_line(e) for e in good[20:]] + [line for _, line in bad[7:]] + repeated[1:])
    corpus.rejects = [("events.1000.jsonl", r) for r, _ in bad[:7]] + [("events.1001.jsonl", r) for r, _ in bad[7:]]
    corpus.add("events.1002.jsonl", [])  # an empty file
    all_bad = [b"{", b"\xff\xfe", b"[1, 2, 3]", b'{"event_id": 5}']
    corpus.add("events.1003.jsonl", all_bad)  # every line bad
    corpus.rejects += [("events.1003.jsonl", r) for r in ("malformed_json", "invalid_utf8", "not_json",
                                                          "missing_field")]
    return corpus


UPGRAD_HOUR = "2025-06-02-08:00"


def upgrad_record(n: int, **changes) -> dict:
    """An upGrad-style app record of customer 5000 + n (a button click if n is odd, else a page view)."""
    r = {"customer_id": str(5000 + n), "app_version": "2.1.3", "OS_version": "Android 13",
         "lat": "52.52", "lon": "13.40", "page_id": f"page-{n % 7}", "button_id": f"btn-{n % 3}",
         "is_button_click": "Yes" if n % 2 else "No", "is_page_view": "No" if n % 2 else "Yes",
         "is_scroll_up": "No", "is_scroll_down": "No", "timestamp": f"2025-06-02 08:{n % 60:02d}:11.123456"}
    r.update(changes)
    return r


def build_upgrad_file() -> tuple[bytes, int, list[str]]:
    """upGrad-style records for UPGRAD_HOUR: (file body, good records, reasons of the bad ones)."""
    record = upgrad_record

    def quirky(r: dict, n: int) -> dict:
        """The real feed's key spellings: its time keyed `timestamp\n`, other keys padded; folded alike."""
        pad = ("{}\n", " {}", "{}\t ", "\r{}\u0001")[n % 4]
        return {(pad.format(k) if k in ("timestamp", "OS_version", "page_id") else k): v for k, v in r.items()}

    good = [quirky(record(n), n) if n % 3 == 0 else record(n) for n in range(30)]
    bad = [("wrong_type", record(40, lat="north")), ("unknown_event_type", record(41, is_button_click="No",
                                                                                  is_page_view="No")),
           ("missing_field", {k: v for k, v in record(42).items() if k != "timestamp"}),
           ("wrong_type", record(43, button_id={"id": "btn-1"})),
           ("duplicate_field", record(44) | {"PAGE_ID": "page-9"})]  # page_id twice once case is folded
    lines = [_line(r) for r in good] + [_line(good[3])] + [_line(r) for _, r in bad]
    return b"\n".join(lines) + b"\n", len(good), [reason for reason, _ in bad]


def parse_landed_hour(test_resources, hour: str, instance, **landing):
    """Materialize one hour of `curated/clickstream_events` from the test landing (errors returned,
    not raised); `landing` configures its resource (e.g. another format)."""
    import dagster as dg

    from dataplatform_assets.clickstream.assets import clickstream_events
    from dataplatform_assets.clickstream.landing import ClickstreamLandingResource

    return dg.materialize([clickstream_events], partition_key=hour, instance=instance, raise_on_error=False,
                          resources={**test_resources,
                                     "clickstream": ClickstreamLandingResource(landing_dir=LANDING, **landing)})


def classify_batch(hive, landing, batch: list[bytes], columns: str) -> dict[int, tuple]:
    """Each line of `batch` through its format's reject ladder (`landing.format`) on the Thrift
    Server, for HOUR: the `columns` of `clickstream_classified`, by the line's position. The
    position rides in source_file; the bytes reach Spark untouched, as the text reader gives them."""
    import base64

    from dataplatform_assets.clickstream.formats import clickstream_format
    from dataplatform_assets.clickstream.parse import PARSE_SQL, classify_lines
    from dataplatform_assets.clickstream.partitions import hour_start
    from resources.hive import run_statement
    from resources.sql import statements

    rows = ", ".join(f"({i}, '{base64.b64encode(b).decode()}')" for i, b in enumerate(batch))
    with hive.cursor() as cur:
        for text in statements(PARSE_SQL, "settings"):
            run_statement(cur, text)
        run_statement(cur, "CREATE OR REPLACE TEMPORARY VIEW clickstream_lines AS "
                           "SELECT CAST(unbase64(b64) AS STRING) AS value, CAST(n AS STRING) AS source_file, "
                           f"TIMESTAMP '{hour_start(HOUR):%Y-%m-%d %H:%M:%S}' AS hour_start "
                           f"FROM VALUES {rows} AS given(n, b64)")
        classify_lines(cur, clickstream_format(landing.format), landing)
        run_statement(cur, f"SELECT CAST(source_file AS INT), {columns} FROM clickstream_classified")
        out = cur.fetchall()
    by_line = {r[0]: r[1:] for r in out}
    assert len(out) == len(by_line) == len(batch), "a line came out twice or not at all"
    return by_line
