import json
from datetime import datetime, timedelta

import pytest

from dataplatform.generator.clickstream import (
    BAD_KINDS,
    ClickstreamOptions,
    ShopFacts,
    _Events,
    bad_line,
    build_events,
    render,
    write_events,
)

END = datetime(2026, 1, 10, 12, 0, 0)


@pytest.fixture(scope="module")
def facts() -> ShopFacts:
    orders = [(100 + i, 1 + i % 5, END - timedelta(hours=3 * i), "web" if i % 2 else "app",
               [(10 + i % 7, 1), (20 + i % 3, 2)]) for i in range(20)]
    products = {p: (f"SKU-{p}", "books") for p in range(10, 30)}
    return ShopFacts(END, orders, customer_ids=[1, 2, 3, 4, 5], products=products)


def test_same_seed_same_events(facts):
    a = build_events(facts, ClickstreamOptions(seed=3))
    b = build_events(facts, ClickstreamOptions(seed=3))
    assert [render(e, 0) for e in a] == [render(e, 0) for e in b]


def test_every_order_is_purchased_once_at_its_time_with_its_products(facts):
    events = build_events(facts, ClickstreamOptions(seed=3))
    purchases = [e for e in events if e["event_type"] == "purchase"]
    assert sorted(e["order_id"] for e in purchases) == [o[0] for o in facts.orders]
    by_order = {o[0]: o for o in facts.orders}
    for p in purchases:
        order_id, customer_id, ts, _, lines = by_order[p["order_id"]]
        assert p["customer_id"] == customer_id and p["event_ts"] == ts
        carted = {e["product_id"] for e in events if e["event_type"] == "add_to_cart"
                  and e["device_id"] == p["device_id"] and ts - timedelta(hours=1) < e["event_ts"] <= ts}
        assert {pid for pid, _ in lines} <= carted


def test_event_ids_are_unique(facts):
    events = build_events(facts, ClickstreamOptions(seed=3))
    assert len({e["event_id"] for e in events}) == len(events)


def test_rendered_times_carry_the_host_offset_and_mean_the_same_instant(facts):
    event = build_events(facts, ClickstreamOptions(seed=3))[0]
    shifted = json.loads(render(event, 60))["event_ts"]
    assert shifted.endswith("+01:00")
    assert datetime.fromisoformat(shifted).replace(tzinfo=None) - timedelta(hours=1) == event["event_ts"]


HUGE_BYTES = 50_000


def _defects(line: bytes) -> set[str]:
    """What is wrong with a line, judged as a reader would, knowing only that a good line is one
    page_view of 2026 with every field typed and at most a few hundred bytes."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return {"invalid_utf8"}
    if not text.startswith("{"):
        return {"not_json"}
    try:
        record = json.loads(text)
    except json.JSONDecodeError:
        return {"truncated_json"}
    found = set()
    if not all(k in record for k in ("event_id", "event_type", "event_ts")):
        found.add("missing_field")
    if not isinstance(record.get("customer_id"), int):
        found.add("wrong_type")
    if record.get("event_type", "page_view") != "page_view":
        found.add("unknown_event_type")
    if not 2000 <= datetime.fromisoformat(record.get("event_ts", "2026-01-01T00:00:00+00:00")).year <= 2099:
        found.add("absurd_timestamp")
    if len(line) > HUGE_BYTES:
        found.add("huge_line")
    return found


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("kind", sorted(BAD_KINDS))
def test_each_bad_kind_has_its_own_defect_and_no_other(kind, seed):
    import numpy as np
    rng = np.random.default_rng(seed)
    good = render({"event_id": "x", "event_type": "page_view", "event_ts": END, "customer_id": 5,
                   "device_id": "d", "channel": "web", "page": "/", "host": 0}, 0)
    assert _defects(good) == set()
    line = bad_line(kind, good, rng, _Events(rng), huge_bytes=HUGE_BYTES)
    assert _defects(line) == {kind}, line[:200]


def test_files_hold_every_good_event_plus_the_stated_bad_lines_and_duplicates(tmp_path, facts):
    options = ClickstreamOptions(seed=3, bad_share=0.1, duplicate_share=0.05, huge_line_bytes=10_000)
    events = build_events(facts, options)
    stats = write_events(events, tmp_path, options)
    files = sorted(tmp_path.glob("*.jsonl"))
    assert stats.files == len(files) and not (tmp_path / ".staging").exists()
    lines = [ln for f in files for ln in f.read_bytes().splitlines()]
    assert len(lines) == stats.lines == stats.good_events + stats.bad_lines + stats.duplicates
    assert stats.good_events == len(events) and stats.bad_lines > 0 and stats.duplicates > 0
    parsed = []
    for ln in lines:
        try:
            parsed.append(json.loads(ln))
        except (UnicodeDecodeError, json.JSONDecodeError):
            pass
    good_ids = {e["event_id"] for e in events}
    assert good_ids <= {p.get("event_id") for p in parsed}


def test_files_rotate_per_host_and_hour(tmp_path, facts):
    options = ClickstreamOptions(seed=3, hosts=2, bad_share=0, duplicate_share=0)
    write_events(build_events(facts, options), tmp_path, options)
    names = [f.name for f in tmp_path.glob("*.jsonl")]
    assert {n.split(".")[0] for n in names} == {"web-01", "web-02"}
    for name in names:
        hour = name.split(".")[1]
        datetime.strptime(hour, "%Y-%m-%d-%H")
    assert len(set(names)) == len(names)


def test_writing_twice_never_reuses_a_file_name(tmp_path, facts):
    # Flume's spooling source stops for good when a completed file name comes again.
    options = ClickstreamOptions(seed=3, bad_share=0, duplicate_share=0)
    events = build_events(facts, options)
    first = write_events(events, tmp_path, options)
    second = write_events(events, tmp_path, options)
    assert len(list(tmp_path.glob("*.jsonl"))) == first.files + second.files
