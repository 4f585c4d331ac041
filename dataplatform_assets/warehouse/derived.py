"""Tables recomputed whole from other tables on every run (facts, marts), as Dagster assets.

A derived table's SQL writes it into a new version folder, which is then swapped in
(publish.py). Its assets say what they read, carry the data dictionary's column schema and
their checks; a failed blocking check stops whatever reads the table.
"""

# No `from __future__ import annotations` here: Dagster inspects the `context` annotation.
from collections.abc import Callable
from dataclasses import dataclass, field

import dagster as dg

from dataplatform_assets.catalog.dictionary import column_schema
from dataplatform_assets.catalog.lineage import lineage_metadata
from dataplatform_assets.clickstream.curated_tables import new_version
from dataplatform_assets.warehouse.publish import TABLES_SQL, ensure_database, swap_in
from resources.hive import HiveServer2Resource
from resources.lake import LakeResource
from resources.sql import Sql, lit, statement


@dataclass(frozen=True)
class Check:
    name: str
    description: str
    # The check's result from the table just published: (passed, metadata).
    evaluate: Callable[[HiveServer2Resource], tuple[bool, dict]]
    blocking: bool = True


@dataclass(frozen=True)
class DerivedTable:
    database: str  # warehouse or marts; also the asset group and the lake folder
    name: str
    description: str
    deps: tuple[dg.AssetKey, ...]
    # The statements of one session that write the table into the location given.
    statements: Callable[[HiveServer2Resource, Sql], list[str]]
    checks: tuple[Check, ...] = field(default=())
    # Run before the statements, e.g. to create tables it reads that may not exist yet.
    prepare: Callable[[HiveServer2Resource, LakeResource], None] | None = None

    @property
    def key(self) -> dg.AssetKey:
        return dg.AssetKey([self.database, self.name])


def rebuild_table(hive: HiveServer2Resource, lake: LakeResource, table: DerivedTable, run_id: str) -> int:
    """Write the table anew and swap it in; its rows."""
    ensure_database(hive, table.database)
    if table.prepare:
        table.prepare(hive, lake)
    directory, version = f"{table.database}/{table.name}", new_version(run_id)
    hive.execute(*table.statements(hive, lit(lake.uri(f"{directory}/{version}"))))
    swap_in(hive, lake, table.database, table.name, directory, version, table.description)
    return int(hive.query(statement(TABLES_SQL, "row_count", table=hive.table(table.database, table.name)))[0][0])


def build_derived_asset(table: DerivedTable) -> dg.AssetsDefinition:
    @dg.asset(
        key=table.key,
        deps=list(table.deps),
        group_name=table.database,
        kinds={"spark", "parquet", "hive"},
        owners=["team:data-platform"],
        description=f"{table.description}\n\nRecomputed whole on every run into a new folder and swapped in: "
                    f"`{table.database}.{table.name}`.",
        metadata={"dagster/column_schema": column_schema(f"{table.database}.{table.name}"),
                  "dagster/table_name": f"{table.database}.{table.name}", **lineage_metadata(table.key)},
        pool=f"{table.database}_{table.name}",  # one writer per table
        check_specs=[dg.AssetCheckSpec(c.name, asset=table.key, blocking=c.blocking, description=c.description)
                     for c in table.checks],
        tags={"layer": table.database},
    )
    def _derived(context: dg.AssetExecutionContext, hive: HiveServer2Resource,
                 lake: LakeResource) -> dg.MaterializeResult:
        rows = rebuild_table(hive, lake, table, context.run.run_id)
        context.log.info(f"{table.database}.{table.name}: {rows:,} rows")
        results = []
        for check in table.checks:
            passed, metadata = check.evaluate(hive)
            results.append(dg.AssetCheckResult(check_name=check.name, passed=passed, metadata=metadata))
        return dg.MaterializeResult(metadata={"dagster/row_count": rows}, check_results=results)

    return _derived
