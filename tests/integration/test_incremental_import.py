"""Incremental imports against a live, changing source: nothing lost, nothing read twice."""

import pytest

from dataplatform_assets.ingestion.load_state import published_loads
from dataplatform_assets.ingestion.raw_tables import current_row_count
from dataplatform_assets.ingestion.table_import import SchemaDrift, new_load_id, run_import
from dataplatform_assets.ingestion.tables import SHOP_TABLES
from tests.integration.helpers import materialize, rows_in_hive, rows_in_mysql

SPECS = {t.name: t for t in SHOP_TABLES}


def assert_current_equals_source(hive, mysql, tables=SPECS):
    for name in tables:
        key = SPECS[name].primary_key[0]
        assert rows_in_hive(hive, name, key) == rows_in_mysql(mysql, name, key), name


def test_a_new_nullable_column_appears_without_manual_work(imported, mysql, hive, test_resources):
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute("ALTER TABLE products ADD COLUMN color VARCHAR(20) NULL")
        cur.execute("UPDATE products SET color = 'teal' WHERE product_id <= 3")
        conn.commit()
    result = materialize(test_resources)
    meta = {e.asset_key.path[-1]: e.materialization.metadata for e in result.get_asset_materialization_events()}
    assert meta["products"]["added_columns"].value == "color"
    colors = hive.query(f"SELECT product_id, color FROM {hive.db('raw')}.mysql_products_current "
                        "WHERE color IS NOT NULL ORDER BY product_id")
    assert colors == [(1, "teal"), (2, "teal"), (3, "teal")]
    assert_current_equals_source(hive, mysql, ["products"])


@pytest.mark.parametrize("change,message", [
    ("ALTER TABLE products DROP COLUMN brand", "products.brand was dropped"),
    ("ALTER TABLE products MODIFY COLUMN sku BIGINT NOT NULL DEFAULT 0", "products.sku changed type"),
])
def test_a_dropped_or_retyped_column_stops_the_import_and_publishes_nothing(
        imported, mysql, hive, lake, change, message):
    before, rows_before = published_loads(lake, "products"), current_row_count(hive, "products")
    with mysql.connect() as conn, conn.cursor() as cur:
        if "sku" in change:
            cur.execute("UPDATE products SET sku = product_id")
        cur.execute(change)
        conn.commit()
    with pytest.raises(SchemaDrift, match=message):
        run_import(mysql, lake, SPECS["products"], new_load_id())
    assert published_loads(lake, "products") == before
    assert current_row_count(hive, "products") == rows_before
