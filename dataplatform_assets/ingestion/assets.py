"""One asset per shop table (built from its contract in tables.py), plus the incremental schedule."""

# No `from __future__ import annotations` here: Dagster inspects the `context` annotation.
import dagster as dg
from dagster_pyspark import LazyPySparkResource

from dataplatform_assets.catalog.dictionary import column_schema, describe
from dataplatform_assets.catalog.lineage import lineage_metadata
from dataplatform_assets.ingestion.binlog_capture import BinlogUnavailable
from dataplatform_assets.ingestion.engine_choice import ImportEngineResource
from dataplatform_assets.ingestion.load_state import loads_since, published_loads
from dataplatform_assets.ingestion.raw_tables import (
    current_view_counts,
    publish_raw_table,
    raw_table_name,
)
from dataplatform_assets.ingestion.source_schema import UnsupportedColumn
from dataplatform_assets.ingestion.table_import import (
    ImportMismatch,
    SchemaDrift,
    drop_superseded_loads,
    new_load_id,
    run_import,
)
from dataplatform_assets.ingestion.tables import SHOP_TABLES, ContractError, SourceTable
from dataplatform_assets.retries import OUTAGE_RETRY
from resources.hive import HiveServer2Resource
from resources.lake import LakeResource
from resources.mysql import MySQLResource
from resources.sql import SqlError
from resources.sqoop import SqoopResource

# Connection hiccups are worth a retry (OUTAGE_RETRY); an import is safe to repeat. Failures that
# cannot heal by waiting (schema drift, a load that does not match its snapshot) raise dg.Failure
# without retries. Named classes only: a bare ValueError also comes from a NameNode that answers
# while it restarts (fsspec turns its IllegalArgumentException into one) or a JSON reply cut short.
PERMANENT_FAILURES = (SchemaDrift, ImportMismatch, UnsupportedColumn, ContractError, SqlError, BinlogUnavailable)
WINDOW_CHECK = "load_matches_source_window"
DUPLICATES_CHECK = "current_view_has_unique_keys"
COUNT_CHECK = "current_view_matches_source_rows"


def source_key(spec: SourceTable) -> dg.AssetKey:
    return dg.AssetKey(["mysql", "shop", spec.name])


def shop_table(spec: SourceTable) -> dg.AssetSpec:
    """The shop's table itself, where lineage starts: written by the shop, not by us."""
    return dg.AssetSpec(source_key(spec), group_name="source", kinds={"mysql"}, owners=["team:shop-backend"],
                        description=f"{spec.description}\n\nThe shop's MySQL table `shop.{spec.name}`, "
                                    f"the source of truth; imported by `raw/mysql/{spec.name}`.",
                        tags={"source": "mysql"},
                        metadata={"dagster/column_schema": column_schema(f"shop.{spec.name}")})


def build_import_asset(spec: SourceTable) -> dg.AssetsDefinition:
    key = dg.AssetKey(["raw", "mysql", spec.name])
    incremental = "" if spec.mode == "full" else (
        f" Incremental ({spec.mode} on `{spec.check_column}`): each run adds a load with what changed.")

    @dg.asset(
        key=key,
        deps=[source_key(spec)],
        group_name="raw",
        kinds={"mysql", "parquet", "hive"},
        owners=["team:data-platform"],
        description=(f"{spec.description}\n\nImport of `shop.{spec.name}` into "
                     f"`raw/mysql/{spec.name}/load_id=...` (Parquet).{incremental} Every load: "
                     f"`raw.{raw_table_name(spec.name)}`; the table as the source holds it: "
                     f"`raw.{raw_table_name(spec.name)}_current`."),
        metadata=lineage_metadata(key),
        retry_policy=OUTAGE_RETRY,
        check_specs=[
            dg.AssetCheckSpec(WINDOW_CHECK, asset=key, description="The load holds exactly the rows the "
                              "source snapshot holds for the same bounded selection."),
            # Blocking: a key twice in the view is never transient (the view is wrong), so nothing
            # downstream may read it. The other two checks can fail under concurrent writes (connectorx).
            dg.AssetCheckSpec(DUPLICATES_CHECK, asset=key, blocking=True,
                              description="No key appears twice in the current view."),
            dg.AssetCheckSpec(COUNT_CHECK, asset=key, description="The current view, read through "
                              "HiveServer2, has as many rows as the source snapshot."),
        ],
        tags={"source": "mysql"},
    )
    def _import(context: dg.AssetExecutionContext, mysql: MySQLResource, lake: LakeResource,
                hive: HiveServer2Resource, sqoop: SqoopResource, spark: LazyPySparkResource,
                import_engine: ImportEngineResource) -> dg.MaterializeResult:
        load_id = new_load_id()
        context.log.info(f"importing shop.{spec.name} ({spec.mode}) as load {load_id}")
        engine = import_engine.engine_for(spec, sqoop=sqoop, spark=spark)
        try:
            result = run_import(mysql, lake, spec, load_id, engine=engine, capture=import_engine.capture_for(spec),
                                progress=lambda rows: context.log.debug(f"{spec.name}: {rows:,} rows"))
        except PERMANENT_FAILURES as exc:
            raise dg.Failure(str(exc), allow_retries=False) from exc
        # A table with history in the warehouse keeps every load: its dimensions are rebuilt from them.
        kept = (published_loads(lake, spec.name) if spec.keep_loads
                else loads_since(lake, spec.name, result.base_load_id))
        view = publish_raw_table(hive, lake, spec, result.columns, kept, result.base_load_id)
        if not spec.keep_loads:
            drop_superseded_loads(lake, spec.name, result.base_load_id)
        current_rows, duplicates = current_view_counts(hive, spec)
        if result.note:
            context.log.warning(result.note)
        context.log.info(f"{spec.name}: {result.mode} load of {result.rows:,} rows "
                         f"({result.tombstones:,} deletes) in {result.seconds:.1f}s -> {view}")
        # Only an engine reading inside the snapshot the counts come from (pymysql) is exact; the others
        # read just after it, so under concurrent writes their counts may differ (the next run reconciles).
        exact_severity = dg.AssetCheckSeverity.ERROR if result.exact else dg.AssetCheckSeverity.WARN
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": current_rows,
                "dagster/column_schema": dg.TableSchema(columns=[
                    dg.TableColumn(c.name, c.hive_type, description=f"{describe(f'shop.{spec.name}', c.name)} "
                                                                    f"(MySQL {c.mysql_type})")
                    for c in result.columns]),
                "dagster/table_name": view,
                "primary_key": ", ".join(spec.primary_key),
                "load_id": result.load_id,
                "load_uri": dg.MetadataValue.path(result.uri),
                "mode": result.mode,
                "rows_loaded": result.rows,
                "deletes_loaded": result.tombstones,
                "capture": result.capture,
                "changed_chunks": result.changed_chunks,
                "changed_keys": result.changed_keys,
                "low_watermark": result.low_watermark or "",
                "high_watermark": result.high_watermark or "",
                "added_columns": ", ".join(result.added_columns),
                "bytes": result.bytes,
                "duration_s": round(result.seconds, 3),
                "engine": result.engine,
                **({"full_load_reason": result.note} if result.note else {}),
            },
            check_results=[
                dg.AssetCheckResult(check_name=WINDOW_CHECK, passed=result.rows == result.expected_rows,
                                    severity=exact_severity,
                                    metadata={"loaded": result.rows, "source": result.expected_rows,
                                              "engine": result.engine}),
                dg.AssetCheckResult(check_name=DUPLICATES_CHECK, passed=duplicates == 0,
                                    metadata={"duplicated_keys": duplicates}),
                dg.AssetCheckResult(check_name=COUNT_CHECK, passed=current_rows == result.source_rows,
                                    severity=exact_severity,
                                    metadata={"current_view": current_rows, "source": result.source_rows}),
            ],
        )

    return _import


shop_tables = [shop_table(spec) for spec in SHOP_TABLES]
import_assets = [build_import_asset(spec) for spec in SHOP_TABLES]

incremental_import_schedule = dg.ScheduleDefinition(
    name="shop_imports_hourly",
    target=dg.AssetSelection.assets(*(asset.key for asset in import_assets)),
    cron_schedule="5 * * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every hour: incremental imports of the shop tables (full ones where the contract says so).",
)
