from dataplatform_assets.clickstream.hour_checks import hour_quality
from dataplatform_assets.clickstream.parse import HourOutcome


def outcome(hour: str, lines: int, accepted: int, rejected: int) -> HourOutcome:
    return HourOutcome(hour, files=1, lines_read=lines, accepted=accepted, rejected=rejected,
                       duplicates=lines - accepted - rejected)


def test_hours_above_the_reject_share_and_hours_without_events_are_named():
    quality = hour_quality([outcome("2025-01-01-00:00", 100, 96, 4),  # 4%: within 5%
                            outcome("2025-01-01-01:00", 100, 90, 6),  # 6%: above
                            outcome("2025-01-01-02:00", 69, 0, 69),  # every line rejected
                            outcome("2025-01-01-03:00", 0, 0, 0)], max_reject_share=0.05)  # nothing landed
    assert quality.high_reject_hours == {"2025-01-01-01:00": 0.06, "2025-01-01-02:00": 1.0}
    assert quality.all_rejected_hours == ["2025-01-01-02:00"]
    assert quality.worst_share == 1.0

