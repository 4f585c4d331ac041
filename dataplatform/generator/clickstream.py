"""Web-server clickstream logs that agree with the shop database.

Every order placed in the covered window becomes a session that views, carts and buys exactly that
order's products, ending in a `purchase` event at the order's time; browsing sessions (known and
anonymous visitors) come on top. Each web server writes hourly-rotated JSON-lines files (named by server, hour and write
time, so no name ever comes twice), stamping
times in its own UTC offset. A controllable share of extra malformed lines is mixed in, each kind
named in `BAD_KINDS`, and some good events are written twice, as at-least-once delivery does.
Files are written under a staging name and renamed into place, so a reader never sees half a file.
"""

from __future__ import annotations

import json
import os
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pymysql

from resources.sql import statement

SOURCE_SQL = "shop/clickstream_source.sql"

# Kinds of malformed line, with their relative frequency; `huge_line` appears at most once a run.
BAD_KINDS = {"truncated_json": 3, "invalid_utf8": 2, "wrong_type": 2, "missing_field": 2,
             "absurd_timestamp": 2, "unknown_event_type": 2, "not_json": 1, "huge_line": 1}
HOST_OFFSETS = (0, 60, -300, 330)  # minutes east of UTC per web server
SEARCH_TERMS = ("headphones", "running shoes", "coffee", "lamp", "gift", "jacket", "tent", "puzzle")


@dataclass(frozen=True)
class ClickstreamOptions:
    seed: int = 42
    days: float = 3.0
    bad_share: float = 0.02
    duplicate_share: float = 0.01
    huge_line_bytes: int = 1_000_000
    hosts: int = 2
    browse_sessions_per_order: float = 3.0


@dataclass
class ClickstreamStats:
    files: int = 0
    lines: int = 0
    good_events: int = 0
    bad_lines: int = 0
    duplicates: int = 0


@dataclass(frozen=True)
class ShopFacts:
    """What the logs must agree with, read from the database."""
    window_end: datetime
    orders: list[tuple[int, int, datetime, str, list[tuple[int, int]]]]  # id, customer, ts, channel, lines
    customer_ids: list[int]
    products: dict[int, tuple[str, str]]  # product_id -> (sku, category)


def read_shop_facts(connect: Callable[..., pymysql.Connection], days: float) -> ShopFacts:
    with connect() as conn, conn.cursor() as cur:
        cur.execute(statement(SOURCE_SQL, "history_end"))
        end = cur.fetchone()[0]
        if end is None:
            raise RuntimeError("the shop has no orders: run `dataplatform generate shop` first")
        cur.execute(statement(SOURCE_SQL, "order_lines"), (end - timedelta(days=days), end))
        grouped: dict[int, list] = {}
        for order_id, customer_id, ts, channel, product_id, qty in cur.fetchall():
            grouped.setdefault(order_id, [customer_id, ts, channel, []])[3].append((product_id, qty))
        cur.execute(statement(SOURCE_SQL, "customers"))
        customers = [r[0] for r in cur.fetchall()]
        cur.execute(statement(SOURCE_SQL, "products"))
        products = {r[0]: (r[1], r[2]) for r in cur.fetchall()}
    orders = [(oid, c, ts, ch, lines) for oid, (c, ts, ch, lines) in sorted(grouped.items())]
    return ShopFacts(end, orders, customers, products)


class _Events:
    def __init__(self, rng: np.random.Generator):
        self.rng = rng

    def event_id(self) -> str:
        return str(uuid.UUID(bytes=self.rng.bytes(16), version=4))

    def make(self, kind: str, ts: datetime, customer_id: int | None, device: str, channel: str,
             **extra) -> dict:
        return {"event_id": self.event_id(), "event_type": kind, "event_ts": ts,
                "customer_id": customer_id, "device_id": device, "channel": channel, **extra}


def _session(ev: _Events, rng: np.random.Generator, end: datetime, customer_id: int | None,
             device: str, channel: str, products: dict[int, tuple[str, str]],
             lines: list[tuple[int, int]], order_id: int | None) -> list[dict]:
    """One visit, built backwards from its last event so a purchase lands on the order's time."""
    steps: list[tuple[str, dict]] = [("page_view", {"page": "/"})]
    if rng.random() < 0.5:
        steps.append(("search", {"page": "/search", "query": SEARCH_TERMS[int(rng.integers(len(SEARCH_TERMS)))]}))
    for product_id, qty in lines:
        sku, category = products.get(product_id, (f"SKU-{product_id}", "unknown"))
        steps.append(("product_view", {"page": f"/p/{sku}", "product_id": product_id, "category": category}))
        if order_id is not None or rng.random() < 0.3:
            steps.append(("add_to_cart", {"page": f"/p/{sku}", "product_id": product_id, "quantity": qty}))
    if order_id is None and len(steps) > 2 and rng.random() < 0.2:
        steps.append(("remove_from_cart", {"page": "/cart", "product_id": lines[0][0], "quantity": 1}))
    if order_id is not None:
        steps.append(("checkout_start", {"page": "/checkout"}))
        steps.append(("purchase", {"page": "/checkout/done", "order_id": order_id}))
    gaps = rng.integers(5, 180, len(steps))
    ts = end
    events = []
    for (kind, extra), gap in zip(reversed(steps), gaps):
        events.append(ev.make(kind, ts, customer_id, device, channel, **extra))
        ts -= timedelta(seconds=int(gap), milliseconds=int(rng.integers(0, 1000)))
    return events[::-1]


def build_events(facts: ShopFacts, options: ClickstreamOptions) -> list[dict]:
    """Every good event of the window, in time order, with a `host` key saying who logged it."""
    rng = np.random.default_rng([options.seed, 7])
    ev = _Events(rng)
    start = facts.window_end - timedelta(days=options.days)
    product_ids = sorted(facts.products)
    events: list[dict] = []

    def place(session: list[dict]) -> None:
        host = int(rng.integers(options.hosts))
        for e in session:
            e["host"] = host
        events.extend(session)

    for order_id, customer_id, ts, channel, lines in facts.orders:
        place(_session(ev, rng, ts, customer_id, f"dev-{customer_id:07d}-{channel}", channel,
                       facts.products, lines, order_id))
    n_browse = int(round(len(facts.orders) * options.browse_sessions_per_order)) or 10
    span = (facts.window_end - start).total_seconds()
    for _ in range(n_browse):
        end = start + timedelta(milliseconds=int(rng.uniform(0.1, 1.0) * span * 1000))  # ms, as logged
        known = facts.customer_ids and rng.random() < 0.6
        customer_id = int(facts.customer_ids[int(rng.integers(len(facts.customer_ids)))]) if known else None
        channel = "web" if rng.random() < 0.65 else "app"
        device = f"dev-{customer_id:07d}-{channel}" if customer_id else f"anon-{ev.event_id()[:13]}"
        picks = [(int(product_ids[int(rng.integers(len(product_ids)))]), 1)
                 for _ in range(int(rng.integers(1, 4)))] if product_ids else []
        place(_session(ev, rng, end, customer_id, device, channel, facts.products, picks, None))
    events.sort(key=lambda e: (e["event_ts"], e["event_id"]))
    return events


def render(event: dict, offset_minutes: int) -> bytes:
    body = {k: v for k, v in event.items() if k != "host"}
    tz = timezone(timedelta(minutes=offset_minutes))
    body["event_ts"] = event["event_ts"].replace(tzinfo=timezone.utc).astimezone(tz).isoformat(
        timespec="milliseconds")
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def bad_line(kind: str, good: bytes, rng: np.random.Generator, ev: _Events, huge_bytes: int) -> bytes:
    """A malformed line of the given kind, derived from a good one but with its own event id."""
    record = json.loads(good)
    record["event_id"] = ev.event_id()
    if kind == "truncated_json":
        text = json.dumps(record).encode()
        return text[: int(rng.integers(5, len(text) - 2))]
    if kind == "invalid_utf8":
        text = json.dumps(record, ensure_ascii=False).encode()
        cut = text.index(b'"device_id"')
        return text[:cut] + b'"note":"\xff\xfe\xc3(",' + text[cut:]
    if kind == "wrong_type":
        record["customer_id"] = "not-a-number"
        record["quantity"] = "many"
    elif kind == "missing_field":
        del record[("event_id", "event_type", "event_ts")[int(rng.integers(3))]]
    elif kind == "absurd_timestamp":
        record["event_ts"] = ("1970-01-01T00:00:00.000+00:00", "2999-12-31T23:59:59.000+00:00")[int(rng.integers(2))]
    elif kind == "unknown_event_type":
        record["event_type"] = "teleport"
    elif kind == "not_json":
        # A web server's error-log line in the feed (an access-log line would be bucketed by its own time).
        return b'2025/01/01 00:00:00 [error] 7#7: *1 open() "/srv/www/favicon.ico" failed (2: No such file)'
    elif kind == "huge_line":
        record["user_agent"] = "x" * huge_bytes
    return json.dumps(record, separators=(",", ":")).encode()


def write_clickstream(connect: Callable[..., pymysql.Connection], out: Path,
                      options: ClickstreamOptions) -> ClickstreamStats:
    return write_events(build_events(read_shop_facts(connect, options.days), options), out, options)


def write_events(events: list[dict], out: Path, options: ClickstreamOptions) -> ClickstreamStats:
    rng = np.random.default_rng([options.seed, 11])
    ev = _Events(rng)
    kinds = list(BAD_KINDS)
    weights = np.array([BAD_KINDS[k] for k in kinds], dtype=float)
    files: dict[tuple[int, str], list[bytes]] = defaultdict(list)
    stats = ClickstreamStats()
    huge_written = False
    for event in events:
        host = event["host"]
        line = render(event, HOST_OFFSETS[host % len(HOST_OFFSETS)])
        bucket = files[(host, event["event_ts"].strftime("%Y-%m-%d-%H"))]
        bucket.append(line)
        stats.good_events += 1
        if rng.random() < options.duplicate_share:
            bucket.append(line)
            stats.duplicates += 1
        if rng.random() < options.bad_share:
            kind = kinds[int(rng.choice(len(kinds), p=weights / weights.sum()))]
            if kind == "huge_line":
                if huge_written:
                    kind = "truncated_json"
                huge_written = True
            bucket.append(bad_line(kind, line, rng, ev, options.huge_line_bytes))
            stats.bad_lines += 1
    staging = out / ".staging"
    staging.mkdir(parents=True, exist_ok=True)
    # The write time in the name keeps every file name new: Flume's spooling source stops for good
    # when a name it has already completed comes again.
    written = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    for (host, hour), lines in sorted(files.items()):
        name = f"web-{host + 1:02d}.{hour}.{written}.jsonl"
        (staging / name).write_bytes(b"\n".join(lines) + b"\n")
        os.replace(staging / name, out / name)
        stats.files += 1
        stats.lines += len(lines)
    staging.rmdir()
    return stats
