"""The code location: every asset, check, schedule, sensor and resource of the platform."""

import os

import dagster as dg

from dataplatform_assets.clickstream.assets import (
    AUTOMATION_SENSOR,
    EVENTS_KEY,
    REJECTS_KEY,
    SESSIONS_KEY,
    clickstream_events,
    raw_clickstream,
    sessions,
)
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

# Declarative automation (sessions follow re-parsed events) needs its sensor on from the start.
automation_sensor = dg.AutomationConditionSensorDefinition(
    AUTOMATION_SENSOR, target=dg.AssetSelection.assets(EVENTS_KEY, REJECTS_KEY, SESSIONS_KEY),
    default_status=dg.DefaultSensorStatus.RUNNING, minimum_interval_seconds=30,
    description="Rebuilds the sessions of every day whose events were re-parsed.")

# What Dagster materializes, each with its layer's freshness policy; the sources (MySQL's tables,
# Flume's landing) are written by others.
materialized = dg.map_asset_specs(with_freshness, [
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
