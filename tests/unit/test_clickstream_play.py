"""`dataplatform clickstream play`: rotations at the requested rate, live times, every event once."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from dataplatform.generator.clickstream import ClickstreamOptions
from dataplatform.generator.play import PlayOptions, play, restamp


def _events(n: int) -> list[dict]:
    start = datetime(2025, 12, 1)
    return [{"event_id": f"id-{i}", "event_type": "page_view", "event_ts": start + timedelta(seconds=i),
             "customer_id": i, "device_id": f"d{i}", "channel": "web", "host": i % 2} for i in range(n)]


def test_restamp_spreads_events_over_the_last_interval_in_order():
    end = datetime(2026, 1, 1, 12)
    stamped = restamp(_events(4), end, seconds=8)
    assert [e["event_ts"] for e in stamped] == [end - timedelta(seconds=s) for s in (6, 4, 2, 0)]
    assert [e["event_id"] for e in stamped] == ["id-0", "id-1", "id-2", "id-3"]


def test_play_writes_rotations_at_the_rate_and_every_event_once(tmp_path):
    now = [0.0]
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    options = ClickstreamOptions(bad_share=0.0, duplicate_share=0.0)
    before = datetime.now(timezone.utc)
    stats = play(_events(250), tmp_path, options, PlayOptions(rate=20, rotate_seconds=5, live=True),
                 report=lambda _: None, clock=lambda: now[0], sleep=sleep)
    assert stats.good_events == 250
    assert sleeps == [5.0] * 3  # 100 events a rotation: three rotations, five seconds apart
    lines = [json.loads(line) for f in sorted(tmp_path.glob("*.jsonl")) for line in f.read_text().splitlines()]
    assert sorted(e["event_id"] for e in lines) == sorted(f"id-{i}" for i in range(250))
    # Live: stamped into the rotation interval just ended, not at their 2025 times.
    assert all(datetime.fromisoformat(e["event_ts"]) >= before - timedelta(seconds=5) for e in lines)
    assert len({f.name for f in tmp_path.glob("*.jsonl")}) == stats.files  # every file name new
