"""One asset per SCD-2 dimension (dimensions.py), with checks that block downstream when wrong."""

# No `from __future__ import annotations` here: Dagster inspects the `context` annotation.
import dagster as dg

from dataplatform_assets.catalog.dictionary import data_dictionary, describe
from dataplatform_assets.catalog.lineage import lineage_metadata
from dataplatform_assets.clickstream.curated_tables import new_version
from dataplatform_assets.ingestion.raw_tables import RAW_DATABASE, current_view_name
from dataplatform_assets.warehouse.dimensions import DIMENSIONS, Dimension
from dataplatform_assets.warehouse.scd2 import SCD_COLUMNS, WAREHOUSE, OutOfOrderLoad, apply_loads
from resources.hive import HiveServer2Resource
from resources.lake import LakeResource
from resources.sql import ident, idents, statement

CHECKS_SQL = "warehouse/checks.sql"
ONE_CURRENT = "one_current_row_per_key"
INTERVALS = "validity_intervals_contiguous"
MATCHES_SOURCE = "current_versions_match_source"


def dimension_key(dim: Dimension) -> dg.AssetKey:
    return dg.AssetKey([WAREHOUSE, dim.name])


def _column_schema(dim: Dimension) -> dg.TableSchema:
    """The dimension's columns as documented: the source's (data dictionary) and the SCD-2 ones."""
    scd = data_dictionary()["warehouse.scd2"]
    source = data_dictionary()[f"shop.{dim.source}"]
    untracked = [c for c in source if c != dim.key and c not in dim.tracked]
    surrogate = scd["surrogate_key"]
    columns = [dg.TableColumn(dim.surrogate_key, surrogate["type"], description=surrogate["text"]),
               dg.TableColumn(dim.key, source[dim.key]["type"], description=describe(f"shop.{dim.source}", dim.key))]
    columns += [dg.TableColumn(c, source[c]["type"], description=f"{source[c]['text']} Tracked: a change opens "
                                                                f"a new version.") for c in dim.tracked]
    columns += [dg.TableColumn(c, source[c]["type"], description=f"{source[c]['text']} Updated in place.")
                for c in untracked]
    columns += [dg.TableColumn(c, scd[c]["type"], description=scd[c]["text"]) for c in SCD_COLUMNS]
    return dg.TableSchema(columns=columns)


def build_dimension_asset(dim: Dimension) -> dg.AssetsDefinition:
    key = dimension_key(dim)

    @dg.asset(
        key=key,
        deps=[dg.AssetKey(["raw", "mysql", dim.source])],
        group_name=WAREHOUSE,
        kinds={"spark", "parquet", "hive"},
        owners=["team:data-platform"],
        description=f"{dim.description}\n\nSCD type 2 history of `shop.{dim.source}` built from every import "
                    f"load (`raw.mysql_{dim.source}`), on the loads' snapshot times. Tracked: "
                    f"{', '.join(f'`{c}`' for c in dim.tracked)}.",
        metadata={"dagster/column_schema": _column_schema(dim), "dagster/table_name": f"{WAREHOUSE}.{dim.name}",
                  **lineage_metadata(key)},
        pool=f"{WAREHOUSE}_{dim.name}",  # one writer per dimension
        check_specs=[
            dg.AssetCheckSpec(ONE_CURRENT, asset=key, blocking=True,
                              description="Every business key has exactly one current version."),
            dg.AssetCheckSpec(INTERVALS, asset=key, blocking=True,
                              description="Per key, each version ends where the next begins; only the last "
                                          "is current and open-ended."),
            dg.AssetCheckSpec(MATCHES_SOURCE, asset=key, blocking=True,
                              description="The live current versions equal the source's current rows (as of "
                                          "the latest import), row for row on every column."),
        ],
        tags={"layer": "warehouse"},
    )
    def _dimension(context: dg.AssetExecutionContext, hive: HiveServer2Resource,
                   lake: LakeResource) -> dg.MaterializeResult:
        try:
            run = apply_loads(hive, lake, dim, new_version(context.run.run_id))
        except OutOfOrderLoad as exc:
            raise dg.Failure(str(exc), allow_retries=False) from exc
        if run.late_loads:
            context.log.warning(f"{dim.name}: late load(s) {', '.join(run.late_loads)}: history rebuilt from "
                                "every kept load")
        table = hive.table(WAREHOUSE, dim.name)
        versions, live, deleted = hive.query(statement(CHECKS_SQL, "version_counts", dimension=table))[0]
        no_current = int(hive.query(statement(CHECKS_SQL, "keys_without_one_current_row", dimension=table,
                                              key=ident(dim.key)))[0][0])
        broken = int(hive.query(statement(CHECKS_SQL, "broken_intervals", dimension=table,
                                          key=ident(dim.key)))[0][0])
        columns = [name for name, _ in hive.describe(WAREHOUSE, dim.name).columns
                   if name != dim.surrogate_key and name not in SCD_COLUMNS]
        missing, extra = hive.query(statement(CHECKS_SQL, "differs_from_source", columns=idents(columns),
                                              dimension=table,
                                              source=hive.table(RAW_DATABASE, current_view_name(dim.source))))[0]
        context.log.info(f"{dim.name}: {'rebuilt from' if run.rebuilt else 'applied'} {len(run.applied_loads)} "
                         f"load(s); {versions:,} versions, {live:,} live keys" if run.published
                         else f"{dim.name}: no new load of {dim.source}; nothing written")
        return dg.MaterializeResult(
            metadata={"dagster/row_count": int(versions), "live_keys": int(live or 0),
                      "deleted_keys": int(deleted or 0), "version": run.version or "",
                      "loads_applied": ", ".join(run.applied_loads), "rebuilt": run.rebuilt,
                      "late_loads": ", ".join(run.late_loads)},
            check_results=[
                dg.AssetCheckResult(check_name=ONE_CURRENT, passed=no_current == 0,
                                    metadata={"keys_without_one_current_row": no_current}),
                dg.AssetCheckResult(check_name=INTERVALS, passed=broken == 0, metadata={"broken_versions": broken}),
                dg.AssetCheckResult(check_name=MATCHES_SOURCE, passed=int(missing) == int(extra) == 0,
                                    metadata={"source_rows_missing": int(missing), "extra_rows": int(extra)}),
            ])

    return _dimension


dimension_assets = [build_dimension_asset(dim) for dim in DIMENSIONS]
