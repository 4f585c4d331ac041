"""The code location: every asset, check and resource of the platform."""

import dagster as dg

from dataplatform.settings import load_settings
from dataplatform_assets.ingestion.assets import import_assets, incremental_import_schedule
from resources import resources_for

defs = dg.Definitions(
    assets=[*import_assets],
    schedules=[incremental_import_schedule],
    resources=resources_for(load_settings()),
)
