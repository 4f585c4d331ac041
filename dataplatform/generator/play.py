"""Play web servers: write rotated clickstream log files into Flume's spool folder at a set rate.

Events come from the clickstream generator (so they agree with the shop) and go out in time
order. In `live` mode each rotation's events are re-stamped into the interval just ended, as a
web server rotating its log would write them, so the stack can be watched working on fresh data;
otherwise they keep their historical times and land in past hours.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from dataplatform.generator.clickstream import ClickstreamOptions, ClickstreamStats, write_events


@dataclass(frozen=True)
class PlayOptions:
    rate: float = 200.0            # good events per second
    rotate_seconds: float = 5.0    # each web server closes its file this often
    live: bool = True


def restamp(events: list[dict], end: datetime, seconds: float) -> list[dict]:
    """Copies of `events` spread evenly, in order, over the `seconds` before `end` (naive UTC)."""
    step = seconds / max(len(events), 1)
    start = end - timedelta(seconds=seconds)
    return [{**e, "event_ts": start + timedelta(seconds=step * (i + 1))} for i, e in enumerate(events)]


def play(events: list[dict], spool: Path, options: ClickstreamOptions, play_options: PlayOptions,
         report: Callable[[str], None] = print, clock: Callable[[], float] = time.monotonic,
         sleep: Callable[[float], None] = time.sleep) -> ClickstreamStats:
    """Write `events` into `spool` in rotations of `rate * rotate_seconds` events; returns the totals."""
    per_file = max(1, round(play_options.rate * play_options.rotate_seconds))
    total = ClickstreamStats()
    started = clock()
    for n, first in enumerate(range(0, len(events), per_file), 1):
        due = started + n * play_options.rotate_seconds
        sleep(max(0.0, due - clock()))
        chunk = events[first:first + per_file]
        if play_options.live:
            now = datetime.now(timezone.utc).replace(tzinfo=None)
            chunk = restamp(chunk, now, play_options.rotate_seconds)
        stats = write_events(chunk, spool, replace(options, seed=options.seed + n))
        for name, value in asdict(stats).items():
            setattr(total, name, getattr(total, name) + value)
        elapsed = clock() - started
        report(f"rotation {n}: {stats.files} files, {stats.good_events:,} events "
               f"({total.good_events:,} of {len(events):,} in {elapsed:.0f}s, "
               f"{total.good_events / max(elapsed, 1e-9):,.0f} events/s)")
    return total
