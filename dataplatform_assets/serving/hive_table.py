"""The customer 360° table as a Hive table over HBase (sql/serving/customer_360_hbase.sql), on the
Hive 4.1 HiveServer2 that reads HBase tables in place: analysts query the live HBase rows with SQL."""

from __future__ import annotations

from dataplatform_assets.serving import customer_360_table as design
from resources.hbase import HBaseResource
from resources.hive import HiveServer2Resource
from resources.sql import ident, lit, statement

HIVE_SQL = "serving/customer_360_hbase.sql"
DATABASE, TABLE = "serving", "customer_360_hbase"


def ensure_hive_table(hive_hbase: HiveServer2Resource, hbase: HBaseResource) -> str:
    """Create the database and the external table over HBase unless they exist; its name."""
    hive_hbase.execute(statement(HIVE_SQL, "create_database", database=ident(hive_hbase.db(DATABASE))),
                       statement(HIVE_SQL, "create_table", table=hive_hbase.table(DATABASE, TABLE),
                                 hbase_table=lit(hbase.name(design.TABLE))))
    return f"{hive_hbase.db(DATABASE)}.{TABLE}"


def row_by_key(hive_hbase: HiveServer2Resource, key: bytes) -> list[dict]:
    return hive_hbase.records(statement(HIVE_SQL, "by_key", table=hive_hbase.table(DATABASE, TABLE),
                                        key=lit(key.decode())))
