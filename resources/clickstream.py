"""Where Flume lands the clickstream in the lake, and in which line format."""

from __future__ import annotations

import dagster as dg
from pydantic import Field

LANDING_DIR = "raw/clickstream"  # lake-relative; Flume buckets it into dt=YYYY-MM-DD/hr=HH


class ClickstreamLandingResource(dg.ConfigurableResource):
    landing_dir: str = Field(default=LANDING_DIR,
                             description="lake-relative folder of Flume's dt=YYYY-MM-DD/hr=HH buckets")
    format: str = Field(default="shop_json",
                        description="line format, a key of dataplatform_assets.clickstream.formats.FORMATS")
