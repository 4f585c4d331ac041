"""The code location: every asset, check, schedule, sensor and resource of the platform."""

import os

import dagster as dg

from dataplatform_assets.automation import automation_sensor, with_automation
from dataplatform_assets.clickstream.assets import clickstream_events, raw_clickstream, sessions
from dataplatform_assets.clickstream.landing_sensor import clickstream_landing_sensor
from dataplatform_assets.environments import resources_for
from dataplatform_assets.freshness import with_freshness
from dataplatform_assets.ingestion.assets import import_assets, incremental_import_schedule, shop_tables
from dataplatform_assets.marts.assets import mart_assets
from dataplatform_assets.recovery.retry_sensor import failed_run_retry_sensor
from dataplatform_assets.serving.assets import customer_360
from dataplatform_assets.warehouse.assets import dimension_assets
from dataplatform_assets.warehouse.derived import build_derived_asset
from dataplatform_assets.warehouse.facts import FACTS

# What Dagster materializes, each with its layer's freshness policy and, for the layers that follow
# their inputs, its automation; the sources (MySQL's tables, Flume's landing) are written by others.
materialized = dg.map_asset_specs(lambda spec: with_automation(with_freshness(spec)), [
    *import_assets, clickstream_events, sessions, *dimension_assets, *(build_derived_asset(fact) for fact in FACTS),
    *mart_assets, customer_360])

defs = dg.Definitions(
    assets=[*shop_tables, raw_clickstream, *materialized],
    schedules=[incremental_import_schedule],
    sensors=[clickstream_landing_sensor, automation_sensor, failed_run_retry_sensor],
    # The environment's name picks the mapping; every value in it is read when a run starts.
    resources=resources_for(os.environ.get("DATAPLATFORM_ENV", "local")),
    # Each asset's work runs in Spark or MySQL, not here: one process per run, not one per step,
    # halves the Python start-up every sensor run pays.
    executor=dg.in_process_executor,
)
