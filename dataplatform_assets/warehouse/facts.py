"""The facts: orders and order lines, each joined to the dimension versions valid when the order
was placed (sql/warehouse/facts.sql)."""

from __future__ import annotations

import dagster as dg

from dataplatform_assets.ingestion.raw_tables import RAW_DATABASE, current_view_name
from dataplatform_assets.warehouse.assets import dimension_key
from dataplatform_assets.warehouse.derived import Check, DerivedTable
from dataplatform_assets.warehouse.dimensions import DIM_CUSTOMER, DIM_PRODUCT, Dimension
from dataplatform_assets.warehouse.scd2 import WAREHOUSE
from resources.hive import HiveServer2Resource
from resources.sql import Sql, ident, statement

FACTS_SQL = "warehouse/facts.sql"
UNMATCHED = "every_row_finds_its_dimension_version"


def _as_of(hive: HiveServer2Resource, dim: Dimension) -> str:
    return statement(FACTS_SQL, "as_of", view=ident(f"{dim.name.removeprefix('dim_')}_as_of"), key=ident(dim.key),
                     dimension=hive.table(WAREHOUSE, dim.name))


def _write(name: str):
    def statements(hive: HiveServer2Resource, location: Sql) -> list[str]:
        return [_as_of(hive, DIM_CUSTOMER), _as_of(hive, DIM_PRODUCT),
                statement(FACTS_SQL, name, location=location,
                          orders=hive.table(RAW_DATABASE, current_view_name("orders")),
                          order_items=hive.table(RAW_DATABASE, current_view_name("order_items")))]
    return statements


def _unmatched(name: str):
    def evaluate(hive: HiveServer2Resource) -> tuple[bool, dict]:
        rows, unmatched = hive.query(statement(FACTS_SQL, f"unmatched_{name.removeprefix('fact_')}",
                                               fact=hive.table(WAREHOUSE, name)))[0]
        return int(unmatched) == 0, {"rows": int(rows), "without_dimension_version": int(unmatched)}
    return Check(UNMATCHED, "Every row found the dimension versions valid when its order was placed.", evaluate)


def _deps(*tables: str) -> tuple[dg.AssetKey, ...]:
    imports = tuple(dg.AssetKey(["raw", "mysql", t]) for t in tables)
    return (*imports, dimension_key(DIM_CUSTOMER), dimension_key(DIM_PRODUCT))


FACT_ORDERS = DerivedTable(
    WAREHOUSE, "fact_orders",
    "One row per order with the customer's version (customer_sk) valid when it was placed, its lines and units.",
    _deps("orders", "order_items"), _write("fact_orders"), (_unmatched("fact_orders"),))
FACT_ORDER_ITEMS = DerivedTable(
    WAREHOUSE, "fact_order_items",
    "One row per order line with the product's and the customer's versions valid when the order was placed.",
    _deps("orders", "order_items"), _write("fact_order_items"), (_unmatched("fact_order_items"),))
FACTS = (FACT_ORDERS, FACT_ORDER_ITEMS)
