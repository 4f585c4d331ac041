"""A benchmark run that skips a part keeps that part's section from the last report."""

from bench.measure import keep_sections

REPORT = """# Clickstream benchmark

Measured on this machine; each section says when.

## Freshness: Flume closes a file -> its events are queryable

Measured 2026-12-01 10:00 UTC.

| p50 s | p95 s |
|---|---|
| 40.0 | 55.0 |

## Parse: 1,000 lines, 1 MB, one landing file

Measured 2026-12-01 10:05 UTC.

| path | wall s |
|---|---|
| platform | 2.0 |
"""


def test_the_skipped_section_is_kept_whole_and_nothing_else():
    kept = keep_sections(REPORT, ["Parse"])
    assert kept[0] == "## Parse: 1,000 lines, 1 MB, one landing file"
    assert "Measured 2026-12-01 10:05 UTC." in kept and "| platform | 2.0 |" in kept
    assert not any("Freshness" in line or "40.0" in line for line in kept)
    assert keep_sections(REPORT, ["Freshness"])[-2] == "| 40.0 | 55.0 |"
    assert keep_sections("", ["Parse"]) == []
