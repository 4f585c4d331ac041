"""Which engine reads MySQL: each table's contract says, and this resource can override them all."""

from __future__ import annotations

import dagster as dg
from pydantic import Field, field_validator

ENGINES = ("pymysql", "connectorx", "spark", "sqoop")


class ImportEngineResource(dg.ConfigurableResource):
    """Set `engine` (in the launchpad's resource config, or a test's resources) to import every table
    with one engine; unset, each table uses its contract's (tables.py)."""

    engine: str | None = Field(default=None, description=f"engine for every table, overriding the "
                                                         f"contracts: one of {', '.join(ENGINES)}")

    @field_validator("engine")
    @classmethod
    def _known_engine(cls, name: str | None) -> str | None:
        if name is not None and name not in ENGINES:
            raise ValueError(f"unknown import engine {name!r}; known: {', '.join(ENGINES)}")
        return name
