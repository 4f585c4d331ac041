"""Which engine reads MySQL, and how changes are found: each table's contract says, and this
resource can override them all."""

from __future__ import annotations

import dagster as dg
from dagster_pyspark import LazyPySparkResource
from pydantic import Field, field_validator

from dataplatform_assets.ingestion.connectorx_engine import ConnectorXEngine
from dataplatform_assets.ingestion.engines import ImportEngine
from dataplatform_assets.ingestion.pymysql_engine import PyMySQLEngine
from dataplatform_assets.ingestion.spark_engine import SparkEngine
from dataplatform_assets.ingestion.sqoop_engine import SqoopEngine
from dataplatform_assets.ingestion.tables import CAPTURES, Capture, SourceTable
from resources.sqoop import SqoopResource

ENGINES = ("pymysql", "connectorx", "spark", "sqoop")


def _known(name: str) -> str:
    if name not in ENGINES:
        raise ValueError(f"unknown import engine {name!r}; known: {', '.join(ENGINES)}")
    return name


def engine_named(name: str, *, sqoop: SqoopResource | None = None,
                 spark: LazyPySparkResource | None = None) -> ImportEngine:
    """The engine called `name`; Sqoop and Spark need their client."""
    if _known(name) == "sqoop":
        if sqoop is None:
            raise ValueError("the sqoop engine needs a SqoopResource")
        return SqoopEngine(sqoop)
    if name == "spark":
        if spark is None:
            raise ValueError("the spark engine needs a Spark resource")
        return SparkEngine(spark)
    return PyMySQLEngine() if name == "pymysql" else ConnectorXEngine()


class ImportEngineResource(dg.ConfigurableResource):
    """Set `engine` or `capture` (in the launchpad's resource config, or a test's resources) to import
    every table with one engine or change capture; unset, each table uses its contract's (tables.py)."""

    engine: str | None = Field(default=None, description=f"engine for every table, overriding the "
                                                         f"contracts: one of {', '.join(ENGINES)}")
    capture: str | None = Field(default=None, description=f"change capture for every table, overriding "
                                                          f"the contracts: one of {', '.join(CAPTURES)}")

    @field_validator("engine")
    @classmethod
    def _known_engine(cls, name: str | None) -> str | None:
        return None if name is None else _known(name)

    @field_validator("capture")
    @classmethod
    def _known_capture(cls, name: str | None) -> str | None:
        if name is not None and name not in CAPTURES:
            raise ValueError(f"unknown change capture {name!r}; known: {', '.join(CAPTURES)}")
        return name

    def capture_for(self, spec: SourceTable) -> Capture:
        return self.capture or spec.capture

    def engine_for(self, spec: SourceTable, *, sqoop: SqoopResource,
                   spark: LazyPySparkResource) -> ImportEngine:
        return engine_named(self.engine or spec.engine, sqoop=sqoop, spark=spark)
