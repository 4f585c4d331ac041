"""The `shop_imports_hourly` schedule: what it targets, when, and the run it asks for."""

from datetime import datetime, timezone

import dagster as dg

from dataplatform_assets.definitions import defs
from dataplatform_assets.ingestion.assets import COUNT_CHECK, DUPLICATES_CHECK, WINDOW_CHECK

SHOP_ASSETS = {dg.AssetKey(["raw", "mysql", t]) for t in ("customers", "products", "orders", "order_items")}


def schedule() -> dg.ScheduleDefinition:
    return defs.resolve_schedule_def("shop_imports_hourly")


def test_the_hourly_schedule_runs_at_five_past_every_hour_and_is_on_by_default():
    hourly = schedule()
    assert hourly.cron_schedule == "5 * * * *"
    assert hourly.default_status == dg.DefaultScheduleStatus.RUNNING


def test_the_hourly_schedule_targets_exactly_the_four_shop_imports_and_their_checks():
    job = defs.resolve_job_def(schedule().job_name)
    assert set(job.asset_layer.executable_asset_keys) == SHOP_ASSETS
    checks = {(key.asset_key, key.name) for key in job.asset_layer.asset_graph.asset_check_keys}
    assert checks == {(asset, name) for asset in SHOP_ASSETS for name in (WINDOW_CHECK, DUPLICATES_CHECK, COUNT_CHECK)}


def test_a_tick_of_the_hourly_schedule_requests_one_run_of_its_job():
    hourly = schedule()
    tick = datetime(2026, 12, 1, 10, 5, tzinfo=timezone.utc)
    data = hourly.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=tick))
    assert data.skip_message is None
    [request] = data.run_requests
    # No narrower selection and no other job: the run is the schedule's job, i.e. the four imports.
    assert request.asset_selection is None and request.job_name in (None, hourly.job_name)
    assert request.tags["dagster/schedule_name"] == "shop_imports_hourly"
