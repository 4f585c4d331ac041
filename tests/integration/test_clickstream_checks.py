"""The clickstream's asset checks fail on wrong results: a published partition corrupted between writing
and publishing (every data file there twice) must fail `lines_reconcile` and `sessions_separated_by_the_gap`,
and a parse whose lines do not reconcile must keep its sessions from being built."""

from __future__ import annotations

import dagster as dg

from dataplatform_assets.clickstream import parse
from dataplatform_assets.clickstream import sessions as sessions_module
from dataplatform_assets.clickstream.assets import (
    ACCEPTED_CHECK,
    GAP_CHECK,
    RECONCILE_CHECK,
    REJECT_SHARE_CHECK,
    SESSIONS_KEY,
    clickstream_events,
    raw_clickstream,
    sessions,
)
from dataplatform_assets.clickstream.curated_tables import EVENTS, SESSIONS, partition_dir
from dataplatform_assets.clickstream.landing import ClickstreamLandingResource
from tests.integration.clickstream_corpus import LANDING, event_line, land, parse_landed_hour


def _doubling_publish(original, table):
    """`publish_partitions` that first copies every data file of `table`'s new versions once more:
    the partitions it publishes hold each row twice."""
    def publish(hive, lake, target, partitions, version, published=None):
        for partition in partitions if target is table else []:
            folder = f"{partition_dir(target, partition)}/{version}"
            for entry in lake.list_status(folder):
                if entry.name.endswith(".parquet"):
                    lake.write_bytes(f"{folder}/copy-{entry.name}", lake.read_bytes(f"{folder}/{entry.name}"))
        return original(hive, lake, target, partitions, version, published)
    return publish


def _hour_lines(day: str, hour: int, events: int, first: int) -> bytes:
    return b"\n".join(event_line(first + n, f"{day}T{hour:02d}:{n:02d}:00.000+00:00", 900 + n)
                      for n in range(events)) + b"\n"


def test_lines_reconcile_fails_and_blocks_sessions_when_the_published_hour_is_wrong(lake, hive, test_resources,
                                                                                    monkeypatch):
    day, hour, good = "2025-06-09", "2025-06-09-10:00", 6
    land(lake, hour, {"events.9000.jsonl": _hour_lines(day, 10, good, 900)})
    defs = dg.Definitions(assets=[raw_clickstream, clickstream_events, sessions],
                          resources={**test_resources, "clickstream": ClickstreamLandingResource(landing_dir=LANDING)})
    with dg.DagsterInstance.ephemeral() as instance:
        tick = dg.evaluate_automation_conditions(defs=defs, instance=instance)
        monkeypatch.setattr(parse, "publish_partitions", _doubling_publish(parse.publish_partitions, EVENTS))
        failed = parse_landed_hour(test_resources, hour, instance)
        monkeypatch.undo()
        [check] = failed.get_asset_check_evaluations()
        assert check.check_name == RECONCILE_CHECK and not check.passed
        assert check.metadata["hours_not_reconciling"].value == hour
        assert not failed.success  # blocking: the run fails without materializing the hour (a failed partition)
        assert failed.get_asset_materialization_events() == []
        rows = hive.query(f"SELECT COUNT(*), COUNT(DISTINCT event_id) FROM {hive.db('curated')}.clickstream_events "
                          f"WHERE dt = '{day}' AND hr = '10'")
        assert rows[0] == (2 * good, good)  # what the check saw: every event twice
        tick = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=tick.cursor)
        assert tick.get_requested_partitions(SESSIONS_KEY) == set()  # no sessions from an hour that is wrong

        passed = parse_landed_hour(test_resources, hour, instance)  # the hour parsed again, correctly
        assert passed.success and all(c.passed for c in passed.get_asset_check_evaluations())
        tick = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=tick.cursor)
        assert day in tick.get_requested_partitions(SESSIONS_KEY)


def test_sessions_gap_check_fails_when_sessions_overlap(lake, hive, test_resources, monkeypatch):
    day = "2025-06-14"  # a day no other test lands events around (sessions read the day before and after)
    # Three visits, hand-counted: customer 900 at 09:00 and 09:50 (a 50-minute gap), customer 901 at 09:01.
    land(lake, f"{day}-09:00", {"events.9100.jsonl": b"\n".join([
        event_line(1100, f"{day}T09:00:00.000+00:00", 900), event_line(1101, f"{day}T09:01:00.000+00:00", 901),
        event_line(1102, f"{day}T09:50:00.000+00:00", 900)]) + b"\n"})
    with dg.DagsterInstance.ephemeral() as instance:
        assert parse_landed_hour(test_resources, f"{day}-09:00", instance).success
        monkeypatch.setattr(sessions_module, "publish_partitions",
                            _doubling_publish(sessions_module.publish_partitions, SESSIONS))
        result = dg.materialize([sessions], partition_key=day, resources=test_resources, instance=instance,
                                raise_on_error=False)
    [check] = result.get_asset_check_evaluations()
    assert check.check_name == GAP_CHECK and not check.passed
    # Each of the three sessions now starts again at its own start: three violations, three sessions counted twice.
    assert check.metadata["gap_violations"].value == 3
    assert check.metadata["sessions"].value == 6


def test_an_hour_of_rejects_fails_and_a_high_reject_share_warns_at_the_configured_limit(lake, test_resources):
    bad_hour, mixed_hour, day = "2025-06-11-04:00", "2025-06-11-05:00", "2025-06-11"
    land(lake, bad_hour, {"events.9100.jsonl": b"not json\n" * 69})
    land(lake, mixed_hour, {"events.9101.jsonl": _hour_lines(day, 5, 20, 9200) + b"not json\n"})  # 1 of 21

    def checks(hour: str, max_share: float) -> dict[str, dg.AssetCheckEvaluation]:
        landing = ClickstreamLandingResource(landing_dir=LANDING, max_reject_share=max_share)
        result = dg.materialize([clickstream_events], partition_key=hour, raise_on_error=False,
                                resources={**test_resources, "clickstream": landing})
        return {c.check_name: c for c in result.get_asset_check_evaluations()}

    bad = checks(bad_hour, 0.05)
    assert bad[RECONCILE_CHECK].passed  # every line is accounted for...
    assert not bad[ACCEPTED_CHECK].passed  # ...but the hour published no event
    assert bad[ACCEPTED_CHECK].severity == dg.AssetCheckSeverity.ERROR
    assert bad[ACCEPTED_CHECK].metadata["hours_without_events"].value == bad_hour
    assert not bad[REJECT_SHARE_CHECK].passed and bad[REJECT_SHARE_CHECK].severity == dg.AssetCheckSeverity.WARN
    assert bad[REJECT_SHARE_CHECK].metadata["worst_share"].value == 1.0

    within = checks(mixed_hour, 0.05)  # 1/21 = 4.8%
    assert within[ACCEPTED_CHECK].passed and within[REJECT_SHARE_CHECK].passed
    strict = checks(mixed_hour, 0.01)
    assert not strict[REJECT_SHARE_CHECK].passed
    assert strict[REJECT_SHARE_CHECK].metadata["hours_above"].value == {mixed_hour: round(1 / 21, 4)}
