"""Checks on the parsed hours' quality: how much was quarantined, and hours where nothing got through.

A web server that starts writing another format, or a parser rule that went wrong, shows as a jump
in the share of rejected lines; an hour whose every line is rejected publishes an empty events
partition, which would otherwise pass unnoticed (the lines still reconcile).
"""

from __future__ import annotations

from dataclasses import dataclass

from dataplatform_assets.clickstream.formats import SKIP_REASONS
from dataplatform_assets.clickstream.parse import HourOutcome

REJECT_SHARE_CHECK = "reject_share_within_limit"
ACCEPTED_CHECK = "every_hour_with_lines_has_events"


@dataclass(frozen=True)
class HourQuality:
    high_reject_hours: dict[str, float]  # hour -> share of its lines rejected, above the limit
    all_rejected_hours: list[str]  # hours with lines read and no event accepted
    worst_share: float


def skipped(outcome: HourOutcome) -> int:
    """Lines that are not events by design (SKIP_REASONS: a web server's static files, health checks...)."""
    return sum(outcome.reasons[reason] for reason in SKIP_REASONS)


def reject_share(outcome: HourOutcome) -> float:
    """The share of the lines meant as events that were rejected."""
    meant = outcome.lines_read - skipped(outcome)
    return (outcome.rejected - skipped(outcome)) / meant if meant else 0.0


def hour_quality(outcomes: list[HourOutcome], max_reject_share: float) -> HourQuality:
    shares = {o.partition_key: reject_share(o) for o in outcomes}
    return HourQuality(
        high_reject_hours={hour: round(share, 4) for hour, share in shares.items() if share > max_reject_share},
        all_rejected_hours=[o.partition_key for o in outcomes if o.lines_read > skipped(o) and not o.accepted],
        worst_share=round(max(shares.values(), default=0.0), 4))
