"""The customer 360° table as a Dagster asset: `serving/hbase/customer_360` (HBase, with its
e-mail index) and its Parquet mirror `marts/customer_360`, refreshed together (refresh.py)."""

# No `from __future__ import annotations` here: Dagster inspects the `context` annotation.
import dagster as dg

from dataplatform_assets.catalog.dictionary import column_schema
from dataplatform_assets.catalog.lineage import lineage_metadata
from dataplatform_assets.clickstream.assets import EVENTS_KEY, SESSIONS_KEY
from dataplatform_assets.serving import checks
from dataplatform_assets.serving import customer_360_table as design
from dataplatform_assets.serving.hive_table import ensure_hive_table
from dataplatform_assets.serving.refresh import MIRROR, MIRROR_DATABASE, refresh
from dataplatform_assets.warehouse.assets import dimension_key
from dataplatform_assets.warehouse.dimensions import DIM_CUSTOMER
from dataplatform_assets.warehouse.facts import FACT_ORDERS
from resources.hbase import HBaseResource
from resources.hive import HiveServer2Resource
from resources.lake import LakeResource

CUSTOMER_360_KEY = dg.AssetKey(["serving", "hbase", "customer_360"])
MIRROR_KEY = dg.AssetKey([MIRROR_DATABASE, MIRROR])
INPUTS = [dimension_key(DIM_CUSTOMER), FACT_ORDERS.key, SESSIONS_KEY, EVENTS_KEY]


class Customer360Config(dg.Config):
    full_rebuild: bool = False  # write every customer and sweep rows no customer accounts for


@dg.multi_asset(
    specs=[
        dg.AssetSpec(CUSTOMER_360_KEY, deps=INPUTS, group_name="serving", kinds={"hbase"},
                     owners=["team:data-platform"],
                     description="Each live customer's 360° view for single-key reads: profile (current SCD-2 "
                                 "version and its history), order figures, sessions, recent orders and events. "
                                 f"HBase table `{design.TABLE}` (row key md5(id)[0:4]|id), "
                                 f"index `{design.EMAIL_INDEX}`. "
                                 "Only customers whose values changed are written, at the inputs' watermark "
                                 "as cell timestamp. Look one up with `dataplatform customer ID`; query it with "
                                 "SQL as `serving.customer_360_hbase` on the Hive 4 HiveServer2 (port 10010).",
                     metadata={"dagster/column_schema": column_schema("serving.customer_360"),
                               **lineage_metadata(CUSTOMER_360_KEY)},
                     tags={"layer": "serving"}),
        dg.AssetSpec(MIRROR_KEY, deps=INPUTS, group_name="serving", kinds={"spark", "parquet", "hive"},
                     owners=["team:data-platform"],
                     description="The values the last refresh wrote to HBase, as a Parquet table for Spark-side "
                                 "joins (the Thrift Server cannot read HBase-backed tables, SPARK-32380).",
                     metadata={"dagster/column_schema": column_schema("marts.customer_360"),
                               "dagster/table_name": "marts.customer_360", **lineage_metadata(MIRROR_KEY)},
                     tags={"layer": "serving"}),
    ],
    check_specs=[dg.AssetCheckSpec(name, asset=CUSTOMER_360_KEY, description=text)
                 for name, text in checks.DESCRIPTIONS.items()],
    pool="serving_customer_360",  # one writer
)
def customer_360(context: dg.AssetExecutionContext, config: Customer360Config, hive: HiveServer2Resource,
                 lake: LakeResource, hbase: HBaseResource, hive_hbase: HiveServer2Resource):
    result = refresh(hive, lake, hbase, context.run.run_id, full=config.full_rebuild, report=context.log.info)
    hive_table = ensure_hive_table(hive_hbase, hbase)
    context.log.info(f"customer_360: {result.customers:,} live customers, {result.changed:,} written, "
                     f"{result.removed:,} removed; seconds {result.seconds}")
    timing = {f"seconds_{step}": dg.FloatMetadataValue(round(s, 3)) for step, s in result.seconds.items()}
    yield dg.MaterializeResult(asset_key=CUSTOMER_360_KEY, metadata={
        "dagster/row_count": result.customers, "written": result.changed, "removed": result.removed,
        "watermark": dg.TimestampMetadataValue(result.watermark_ms / 1000),
        "full_rebuild": config.full_rebuild, "hive_over_hbase": hive_table, **timing})
    yield dg.MaterializeResult(asset_key=MIRROR_KEY, metadata={"dagster/row_count": result.customers})
    stored = checks.stored_emails(hbase)
    for name, (passed, metadata) in ((checks.ROW_COUNT, checks.row_count(hive, stored)),
                                     (checks.SAMPLE, checks.sample(hive, hbase)),
                                     (checks.EMAIL_INDEX, checks.email_index(hbase, stored))):
        yield dg.AssetCheckResult(asset_key=CUSTOMER_360_KEY, check_name=name, passed=passed, metadata=metadata)
