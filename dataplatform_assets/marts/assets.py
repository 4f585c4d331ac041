"""The marts (sql/marts/marts.sql), each a table recomputed whole from the warehouse's facts and
dimensions and the curated clickstream."""

from __future__ import annotations

import dagster as dg

from dataplatform_assets.clickstream.assets import EVENTS_KEY, SESSIONS_KEY
from dataplatform_assets.clickstream.curated_tables import CURATED, EVENTS, SESSIONS, ensure_tables
from dataplatform_assets.warehouse.assets import dimension_key
from dataplatform_assets.warehouse.derived import Check, DerivedTable, build_derived_asset
from dataplatform_assets.warehouse.dimensions import DIM_CUSTOMER, DIM_PRODUCT
from dataplatform_assets.warehouse.facts import FACT_ORDER_ITEMS, FACT_ORDERS
from dataplatform_assets.warehouse.scd2 import WAREHOUSE
from resources.hive import HiveServer2Resource
from resources.lake import LakeResource
from resources.sql import Sql, placeholders, statement

MARTS = "marts"
MARTS_SQL = "marts/marts.sql"


def _tables(hive: HiveServer2Resource) -> dict[str, Sql]:
    """Every table a mart may read, by its placeholder in marts.sql."""
    return {"fact_orders": hive.table(WAREHOUSE, FACT_ORDERS.name),
            "fact_order_items": hive.table(WAREHOUSE, FACT_ORDER_ITEMS.name),
            "dim_product": hive.table(WAREHOUSE, DIM_PRODUCT.name),
            "dim_customer": hive.table(WAREHOUSE, DIM_CUSTOMER.name),
            "events": hive.table(CURATED, EVENTS.name), "sessions": hive.table(CURATED, SESSIONS.name),
            "daily_sales": hive.table(MARTS, "daily_sales")}


def _statement(hive: HiveServer2Resource, name: str, **values: Sql) -> str:
    """The named statement of marts.sql with the tables it reads filled in."""
    wanted = placeholders(MARTS_SQL, name)
    return statement(MARTS_SQL, name, **{k: v for k, v in _tables(hive).items() if k in wanted}, **values)


def _write(name: str):
    def statements(hive: HiveServer2Resource, location: Sql) -> list[str]:
        return [_statement(hive, name, location=location)]
    return statements


def _sales_match_facts(hive: HiveServer2Resource) -> tuple[bool, dict]:
    mart, facts = hive.query(_statement(hive, "sales_totals"))[0]
    return mart == facts, {"mart_revenue": float(mart or 0), "fact_revenue": float(facts or 0)}


def _clickstream_tables(hive: HiveServer2Resource, lake: LakeResource) -> None:
    """The curated tables a mart reads exist (empty) before any clickstream was parsed."""
    ensure_tables(hive, lake, EVENTS, SESSIONS)


def _mart(name: str, description: str, deps: tuple[dg.AssetKey, ...], checks: tuple[Check, ...] = ()) -> DerivedTable:
    reads_clickstream = bool({EVENTS_KEY, SESSIONS_KEY} & set(deps))
    return DerivedTable(MARTS, name, description, deps, _write(name), checks,
                        prepare=_clickstream_tables if reads_clickstream else None)


MART_TABLES = (
    _mart("daily_sales", "Orders, units, revenue and average order value by day and by the category valid when "
                         "the order was placed (cancelled and returned orders left out).",
          (FACT_ORDER_ITEMS.key, dimension_key(DIM_PRODUCT)),
          (Check("revenue_matches_the_facts", "The mart's revenue equals the facts' revenue.", _sales_match_facts),)),
    _mart("funnel_daily", "Sessions by day and feed, and how many reached a product view, a cart, a checkout, "
                          "a purchase.",
          (SESSIONS_KEY,)),
    _mart("product_performance", "Each product as it is now, with orders, units, revenue, views and cart adds.",
          (FACT_ORDER_ITEMS.key, dimension_key(DIM_PRODUCT), EVENTS_KEY)),
    _mart("customer_segments", "RFM scores and a segment per customer, with the tier valid at their last order.",
          (FACT_ORDERS.key, dimension_key(DIM_CUSTOMER))),
)
mart_assets = [build_derived_asset(table) for table in MART_TABLES]
