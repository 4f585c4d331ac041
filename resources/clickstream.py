"""Where Flume lands the clickstream in the lake, and in which line format."""

from __future__ import annotations

import dagster as dg
from pydantic import Field, field_validator

LANDING_DIR = "raw/clickstream"  # lake-relative; Flume buckets it into dt=YYYY-MM-DD/hr=HH


class ClickstreamLandingResource(dg.ConfigurableResource):
    landing_dir: str = Field(default=LANDING_DIR,
                             description="lake-relative folder of Flume's dt=YYYY-MM-DD/hr=HH buckets")
    format: str = Field(default="shop_json",
                        description="line format, a key of dataplatform_assets.clickstream.formats.FORMATS")

    @field_validator("format")
    @classmethod
    def _known_format(cls, name: str) -> str:
        """An unknown format (e.g. a typo in DATAPLATFORM_CLICKSTREAM_FORMAT) fails when the resources are
        built, not at the first parse hours later."""
        # Imported here: the code location imports this module while it loads the assets.
        from dataplatform_assets.clickstream.formats import FORMATS

        if name not in FORMATS:
            raise ValueError(f"unknown clickstream format {name!r} (DATAPLATFORM_CLICKSTREAM_FORMAT); "
                             f"known: {', '.join(FORMATS)}")
        return name
