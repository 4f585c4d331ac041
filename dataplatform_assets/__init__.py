"""The platform's Dagster code location (loaded by workspace.yaml)."""

from dataplatform_assets.definitions import defs

__all__ = ["defs"]
