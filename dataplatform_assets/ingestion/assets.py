"""One asset per shop table: a full import into the lake plus its Hive table `raw.mysql_<table>`."""

# No `from __future__ import annotations` here: Dagster inspects the `context` annotation.
import dagster as dg

from dataplatform_assets.ingestion.full_import import full_import, new_load_id
from dataplatform_assets.ingestion.raw_tables import publish_raw_table, raw_row_count
from dataplatform_assets.ingestion.tables import SHOP_TABLES, SourceTable
from resources.hive import HiveServer2Resource
from resources.lake import LakeResource
from resources.mysql import MySQLResource

ENGINE = "pymysql-arrow"
# Connection hiccups are worth a retry; a full import is safe to repeat.
IMPORT_RETRY = dg.RetryPolicy(max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL,
                              jitter=dg.Jitter.PLUS_MINUS)

def build_import_asset(source: SourceTable) -> dg.AssetsDefinition:
    key = dg.AssetKey(["raw", "mysql", source.name])
    count_check = "hive_count_matches_load"

    @dg.asset(
        key=key,
        group_name="ingestion",
        kinds={"mysql", "parquet", "hive"},
        owners=["team:data-platform"],
        description=(f"{source.description}\n\nFull import of `shop.{source.name}` into "
                     f"`raw/mysql/{source.name}/load_id=...` (Parquet), queryable as "
                     f"`raw.mysql_{source.name}` through HiveServer2."),
        retry_policy=IMPORT_RETRY,
        check_specs=[dg.AssetCheckSpec(count_check, asset=key,
                                       description="Rows read through HiveServer2 equal the rows "
                                       "the import wrote.")],
        tags={"source": "mysql"},
    )
    def _import(context: dg.AssetExecutionContext, mysql: MySQLResource, lake: LakeResource,
                hive: HiveServer2Resource) -> dg.MaterializeResult:
        load_id = new_load_id()
        context.log.info(f"importing shop.{source.name} as load {load_id}")
        result = full_import(mysql, lake, source.name, load_id,
                             progress=lambda rows: context.log.debug(f"{source.name}: {rows:,} rows"))
        hive_table = publish_raw_table(hive, source.name, result.columns, result.uri,
                                       comment=source.description)
        hive_rows = raw_row_count(hive, source.name)
        context.log.info(f"{source.name}: {result.rows:,} rows in {result.seconds:.1f}s -> {hive_table}")
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": result.rows,
                "dagster/column_schema": dg.TableSchema(columns=[
                    dg.TableColumn(c.name, c.hive_type, description=f"MySQL {c.mysql_type}")
                    for c in result.columns]),
                "dagster/table_name": hive_table,
                "primary_key": ", ".join(source.primary_key),
                "load_id": result.load_id,
                "load_uri": dg.MetadataValue.path(result.uri),
                "bytes": result.bytes,
                "duration_s": round(result.seconds, 3),
                "rows_per_s": round(result.rows / max(result.seconds, 1e-6)),
                "engine": ENGINE,
                "mode": "full",
            },
            check_results=[dg.AssetCheckResult(
                check_name=count_check, passed=hive_rows == result.rows,
                metadata={"hive_rows": hive_rows, "loaded_rows": result.rows})],
        )

    return _import

import_assets = [build_import_asset(source) for source in SHOP_TABLES]
