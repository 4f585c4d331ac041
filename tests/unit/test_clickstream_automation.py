"""Sessions follow re-parsed hours, but never hours whose lines did not reconcile: the parse and its check
run for real in Dagster, with the Spark work replaced by outcomes of our choosing."""

from __future__ import annotations

import dagster as dg
import pytest

from dataplatform_assets.clickstream import assets
from dataplatform_assets.clickstream.landing import ClickstreamLandingResource
from dataplatform_assets.clickstream.parse import HourOutcome
from resources.hive import HiveServer2Resource
from resources.lake import LocalLake

WRONG, OTHER = "2025-06-09-10:00", "2025-08-01-10:00"


@pytest.fixture()
def parsed_as(monkeypatch):
    """Parses that publish 3 events per hour; hours in the returned set publish each event twice."""
    wrong: set[str] = set()

    def parse_hours(hive, lake, landing, keys, version):
        return [HourOutcome(key, files=1, lines_read=3, accepted=3, published_events=6 if key in wrong else 3)
                for key in keys]

    monkeypatch.setattr(assets, "parse_hours", parse_hours)
    monkeypatch.setattr(assets, "ensure_tables", lambda *tables: None)
    return wrong


def test_sessions_wait_for_an_hour_that_did_not_reconcile_until_it_is_parsed_right(parsed_as, tmp_path):
    resources = {"hive": HiveServer2Resource(host="127.0.0.1", port=1), "lake": LocalLake(root=f"file://{tmp_path}"),
                 "clickstream": ClickstreamLandingResource()}
    defs = dg.Definitions(assets=[assets.raw_clickstream, assets.clickstream_events, assets.sessions],
                          resources=resources)

    def parse(instance, hour):
        return dg.materialize([assets.clickstream_events], partition_key=hour, instance=instance,
                              resources=resources, raise_on_error=False)

    with dg.DagsterInstance.ephemeral() as instance:
        tick = dg.evaluate_automation_conditions(defs=defs, instance=instance)
        parsed_as.add(WRONG)
        failed = parse(instance, WRONG)
        [check] = failed.get_asset_check_evaluations()
        assert not failed.success and not check.passed and failed.get_asset_materialization_events() == []
        assert len(failed.get_step_failure_events()) == 1  # not retried: parsing again would not reconcile
        tick = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=tick.cursor)
        assert tick.get_requested_partitions(assets.SESSIONS_KEY) == set()
        # Another hour reconciling does not release the wrong one's days: only its own (and its neighbours').
        assert parse(instance, OTHER).success
        tick = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=tick.cursor)
        assert tick.get_requested_partitions(assets.SESSIONS_KEY) == {"2025-07-31", "2025-08-01", "2025-08-02"}
        parsed_as.discard(WRONG)
        assert parse(instance, WRONG).success  # parsed again, right this time
        tick = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=tick.cursor)
        assert tick.get_requested_partitions(assets.SESSIONS_KEY) == {"2025-06-08", "2025-06-09", "2025-06-10"}
