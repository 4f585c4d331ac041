from collections import Counter

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



def test_requests_that_are_not_events_by_design_count_neither_as_rejects_nor_as_an_empty_hour():
    static = HourOutcome("2025-01-01-04:00", files=1, lines_read=100, accepted=60, rejected=40,
                         reasons=Counter({"static_asset": 30, "crawler": 7, "not_access_log": 3}))
    quiet = HourOutcome("2025-01-01-05:00", files=1, lines_read=12, accepted=0, rejected=12,
                        reasons=Counter({"health_check": 12}))
    quality = hour_quality([static, quiet], max_reject_share=0.05)
    assert quality.high_reject_hours == {}  # 3 of the 63 lines meant as events: 4.8%, not 40%
    assert quality.all_rejected_hours == []  # only health checks: no event was meant
