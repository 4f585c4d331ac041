"""Column lineage: every column of every derived table is traced, only to columns that exist in
assets it depends on, and a 360° column leads back to its MySQL column or clickstream field."""

import dagster as dg
import pytest

from dataplatform_assets.catalog.dictionary import data_dictionary
from dataplatform_assets.catalog.lineage import LINEAGE_TABLE_LABEL, platform_lineage, sources
from dataplatform_assets.definitions import defs

GRAPH = defs.resolve_asset_graph()
HBASE_360 = dg.AssetKey(["serving", "hbase", "customer_360"])
TRACED = sorted(platform_lineage(), key=lambda k: k.to_user_string())


def columns_of(key: dg.AssetKey) -> set[str]:
    schema = GRAPH.get(key).metadata.get("dagster/column_schema")
    if schema is None:  # raw imports learn their schema at run time; they copy the shop's columns
        assert key.path[:2] == ["raw", "mysql"], key
        return set(data_dictionary()[f"shop.{key.path[-1]}"])
    return {c.name for c in schema.columns}


def test_the_tables_people_trace_all_carry_lineage():
    names = {k.to_user_string() for k in TRACED}
    assert {"serving/hbase/customer_360", "marts/customer_360", "marts/daily_sales", "warehouse/fact_orders",
            "warehouse/dim_customer", "raw/mysql/orders", "curated/sessions"} <= names
    for key in TRACED:
        metadata = GRAPH.get(key).metadata
        assert isinstance(metadata["dagster/column_lineage"], dg.TableColumnLineage), key
        assert LINEAGE_TABLE_LABEL in metadata, key


@pytest.mark.parametrize("key", TRACED, ids=lambda k: k.to_user_string())
def test_every_column_is_traced_to_columns_of_assets_it_depends_on(key):
    lineage = platform_lineage()[key]
    assert set(lineage) == columns_of(key)
    parents = GRAPH.get(key).parent_keys
    for column, upstream in lineage.items():
        for parent, parent_column in upstream:
            assert parent in parents, f"{key.to_user_string()}.{column} reads {parent.to_user_string()}"
            assert parent_column in columns_of(parent), f"{key.to_user_string()}.{column} <- {parent_column}"


def test_the_definition_metadata_holds_the_same_lineage():
    lineage = GRAPH.get(HBASE_360).metadata["dagster/column_lineage"]
    deps = {d.asset_key.to_user_string() + "." + d.column_name for d in lineage.deps_by_column["p:email"]}
    assert deps == {"warehouse/dim_customer.email"}


@pytest.mark.parametrize("column,expected", [
    ("p:email", {"mysql/shop/customers.email"}),
    ("p:customer_sk", {"mysql/shop/customers.customer_id"}),
    ("s:revenue", {"mysql/shop/orders.total_amount", "mysql/shop/orders.status"}),
    ("s:sessions", {"raw/clickstream.customer_id", "raw/clickstream.device_id", "raw/clickstream.event_ts"}),
    ("r:recent_events", {f"raw/clickstream.{f}" for f in
                         ("event_ts", "event_type", "page", "product_id", "query", "order_id")}),
])
def test_a_360_column_leads_back_to_its_mysql_column_or_clickstream_field(column, expected):
    assert {f"{k.to_user_string()}.{c}" for k, c in sources(HBASE_360, column)} == expected


def test_the_readable_table_names_each_column_and_its_sources():
    table = GRAPH.get(HBASE_360).metadata[LINEAGE_TABLE_LABEL].value
    rows = {line.split("|")[1].strip(" `"): line for line in table.splitlines()[2:]}
    assert set(rows) == columns_of(HBASE_360)
    assert rows["p:tier"].endswith("| mysql/shop/customers.tier |")
