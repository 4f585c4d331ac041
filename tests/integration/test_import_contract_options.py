"""Contract options on the real stack: `full_every` compaction, `where`, `columns`, and the `_deleted`
tombstones every incremental load carries. Each test imports one table with a contract of its own."""

from dataclasses import replace

import pytest

from dataplatform.generator.changes import apply_change_batch
from dataplatform_assets.ingestion.load_state import published_loads, read_state
from dataplatform_assets.ingestion.tables import SHOP_TABLES
from tests.integration.helpers import (
    INSERT_CUSTOMER,
    delete_customers,
    empty_lake_table,
    materialize_specs,
    meta,
    rows_in_hive,
    rows_in_mysql,
)

SPECS = {t.name: t for t in SHOP_TABLES}


@pytest.fixture()
def shop(engine, fresh_shop, lake):
    """A fresh shop; customers and products have no load in the test lake yet."""
    for table in ("customers", "products"):
        empty_lake_table(lake, table)
    return fresh_shop


def modes(result):
    return [meta(e.materialization.metadata)["mode"] for e in result.get_asset_materialization_events()]


def test_a_table_that_keeps_its_loads_keeps_them_across_full_loads(shop, mysql, hive, lake, test_resources):
    """keep_loads (the warehouse's history tables): a full load supersedes nothing in the lake or in
    raw.mysql_<table>; the current view still shows the table as the source holds it."""
    spec = replace(SPECS["customers"], full_every=1)
    assert spec.keep_loads
    for run in range(3):
        if run:
            apply_change_batch(mysql.connect, seed=40 + run, intensity=0.05)
        materialize_specs(test_resources, spec)
    loads = published_loads(lake, "customers")
    assert [read_state(lake, "customers", lid).mode for lid in loads] == ["full", "lastmodified", "full"]
    partitions = hive.query(f"SHOW PARTITIONS {hive.db('raw')}.mysql_customers")
    assert sorted(p[0] for p in partitions) == [f"load_id={lid}" for lid in loads]
    assert rows_in_hive(hive, "customers", "customer_id") == rows_in_mysql(mysql, "customers", "customer_id")


def test_full_every_compacts_the_chain_into_a_full_load(shop, mysql, hive, lake, test_resources):
    """full_every=2: full, two incremental loads, then a full load that supersedes the whole chain."""
    spec = replace(SPECS["customers"], full_every=2, keep_loads=False)
    seen, loads_after, source_rows = [], [], []
    for run in range(5):
        if run:
            apply_change_batch(mysql.connect, seed=20 + run, intensity=0.05)
        seen += modes(materialize_specs(test_resources, spec))
        loads_after.append(published_loads(lake, "customers"))
        source_rows.append(rows_in_mysql(mysql, "customers", "customer_id"))
        assert rows_in_hive(hive, "customers", "customer_id") == source_rows[-1]
    assert seen == ["full", "lastmodified", "lastmodified", "full", "lastmodified"]
    assert [len(loads) for loads in loads_after] == [1, 2, 3, 1, 2]
    compacted = loads_after[3][0]
    assert compacted not in loads_after[2]  # a new load, and every older one was dropped from the lake
    assert read_state(lake, "customers", compacted).mode == "full"
    partitions = hive.query(f"SHOW PARTITIONS {hive.db('raw')}.mysql_customers")
    assert sorted(p[0] for p in partitions) == [f"load_id={lid}" for lid in loads_after[4]]
    # The compacting load alone holds the whole table as MySQL held it at that run, no tombstones.
    [(rows, deleted)] = hive.query(
        f"SELECT COUNT(*), SUM(CAST(_deleted AS INT)) FROM {hive.db('raw')}.mysql_customers "
        f"WHERE load_id = '{compacted}'")
    assert (rows, deleted) == (len(source_rows[3]), 0)


def test_a_where_filter_lands_exactly_the_matching_source_rows_in_every_run(shop, mysql, hive, test_resources):
    spec = replace(SPECS["customers"], where="customer_id <= 100")
    materialize_specs(test_resources, spec)
    expected = rows_in_mysql(mysql, "customers", "customer_id", where="customer_id <= 100")
    assert len(expected) == 100 and rows_in_hive(hive, "customers", "customer_id") == expected
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute("UPDATE customers SET city = 'Atlantis' WHERE customer_id IN (50, 150)")
        cur.execute(INSERT_CUSTOMER, ("new@example.com",))
        conn.commit()
    delete_customers(mysql, [60, 160])
    assert modes(materialize_specs(test_resources, spec)) == ["lastmodified"]
    expected = rows_in_mysql(mysql, "customers", "customer_id", where="customer_id <= 100")
    assert len(expected) == 99 and rows_in_hive(hive, "customers", "customer_id") == expected
    cities = hive.query(f"SELECT customer_id FROM {hive.db('raw')}.mysql_customers_current WHERE city = 'Atlantis'")
    assert cities == [(50,)]  # customer 150 changed too, but lies outside the filter
    outside = hive.query(f"SELECT COUNT(*) FROM {hive.db('raw')}.mysql_customers WHERE customer_id > 100")
    assert outside == [(0,)]  # in no load of the chain, not even as a tombstone


def test_a_row_that_leaves_the_where_filter_leaves_the_current_view(shop, mysql, hive, test_resources):
    spec = replace(SPECS["customers"], where="tier <> 'platinum'")
    materialize_specs(test_resources, spec)
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT customer_id FROM customers WHERE tier <> 'platinum' ORDER BY customer_id LIMIT 2")
        moved = [row[0] for row in cur.fetchall()]
        cur.execute("UPDATE customers SET tier = 'platinum' WHERE customer_id IN (%s, %s)", moved)
        conn.commit()
    result = materialize_specs(test_resources, spec)
    assert meta(result.get_asset_materialization_events()[0].materialization.metadata)["deletes_loaded"] == 2
    expected = rows_in_mysql(mysql, "customers", "customer_id", where="tier <> 'platinum'")
    assert rows_in_hive(hive, "customers", "customer_id") == expected
    assert not [r for r in expected if r[0] in moved]


def test_a_column_subset_lands_only_those_columns_with_the_source_values(shop, mysql, hive, test_resources):
    wanted = ("product_id", "sku", "price")
    spec = replace(SPECS["products"], columns=wanted)
    materialize_specs(test_resources, spec)
    database = hive.db("raw")
    described = [r[0] for r in hive.query(f"DESCRIBE {database}.mysql_products_current")]
    assert described == list(wanted)
    every_load = [r[0] for r in hive.query(f"DESCRIBE {database}.mysql_products")]
    assert every_load[:5] == [*wanted, "_deleted", "load_id"]
    columns = ", ".join(wanted)
    assert rows_in_hive(hive, "products", "product_id", columns) == rows_in_mysql(mysql, "products", "product_id",
                                                                                   columns=columns)
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute("UPDATE products SET price = price + 1 WHERE product_id <= 5")
        cur.execute("UPDATE products SET brand = 'Other' WHERE product_id = 6")  # a column not imported
        conn.commit()
    assert modes(materialize_specs(test_resources, spec)) == ["lastmodified"]
    assert rows_in_hive(hive, "products", "product_id", columns) == rows_in_mysql(mysql, "products", "product_id",
                                                                                   columns=columns)
    assert [r[0] for r in hive.query(f"DESCRIBE {database}.mysql_products_current")] == list(wanted)


def test_deleted_keys_become_tombstones_in_the_latest_load_and_leave_the_current_view(shop, mysql, hive, lake,
                                                                                      test_resources):
    spec = replace(SPECS["customers"], chunk_rows=50)  # customer ids 1-49 are chunk 0, 150-199 chunk 3
    materialize_specs(test_resources, spec)
    delete_customers(mysql, [9, 160])
    materialize_specs(test_resources, spec)
    latest = published_loads(lake, "customers")[-1]
    rows = hive.query(f"SELECT customer_id, _deleted FROM {hive.db('raw')}.mysql_customers "
                      f"WHERE load_id = '{latest}'")
    assert sorted(key for key, deleted in rows if deleted) == [9, 160]
    # Nothing else changed, so the load holds exactly the two changed chunks as MySQL holds them.
    changed_chunks = rows_in_mysql(mysql, "customers", "customer_id", columns="customer_id",
                                   where="FLOOR(customer_id / 50) IN (0, 3)")
    assert sorted((key,) for key, deleted in rows if not deleted) == changed_chunks
    current = rows_in_hive(hive, "customers", "customer_id")
    assert not [r for r in current if r[0] in (9, 160)]
    assert current == rows_in_mysql(mysql, "customers", "customer_id")
