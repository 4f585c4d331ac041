"""Incremental imports against a live, changing source: nothing lost, nothing read twice."""

import random
import threading
import time
from collections import Counter

import pytest

from dataplatform_assets.ingestion.engine_choice import ENGINES
from dataplatform_assets.ingestion.load_state import published_loads
from dataplatform_assets.ingestion.raw_tables import current_row_count
from dataplatform_assets.ingestion.table_import import SchemaDrift, new_load_id, run_import
from dataplatform_assets.ingestion.tables import SHOP_TABLES
from tests.integration.helpers import delete_customers, materialize, rows_in_hive, rows_in_mysql

SPECS = {t.name: t for t in SHOP_TABLES}


def assert_current_equals_source(hive, mysql, tables=SPECS):
    for name in tables:
        key = SPECS[name].primary_key[0]
        assert rows_in_hive(hive, name, key) == rows_in_mysql(mysql, name, key), name


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_updates_with_past_timestamps_and_deletes_are_caught(imported, mysql, hive, test_resources):
    with mysql.connect() as conn, conn.cursor() as cur:
        # An update that sets updated_at back in time: invisible to a check column alone.
        cur.execute("UPDATE customers SET city = 'Atlantis', updated_at = '2020-01-01 00:00:00' "
                    "WHERE customer_id = 5")
        conn.commit()
    delete_customers(mysql, [9])  # its orders first, as the foreign keys demand
    materialize(test_resources)
    assert_current_equals_source(hive, mysql)


class Writer(threading.Thread):
    """Inserts orders, updates (some with updated_at in the past), deletes orders with their lines and
    restores some of them under their old keys and old timestamps, until told to stop. The operations
    come from a seeded random stream."""

    def __init__(self, mysql, seed: int):
        super().__init__(daemon=True)
        self.mysql, self.rng, self.stop, self.ops = mysql, random.Random(seed), threading.Event(), 0
        self.done: Counter[str] = Counter()
        self.deleted: list[tuple[tuple, list[tuple]]] = []  # (order row, its lines), to restore
        self.error: Exception | None = None

    def run(self):
        try:
            with self.mysql.connect() as conn, conn.cursor() as cur:
                while not self.stop.is_set():
                    self.step(cur)
                    conn.commit()
                    self.ops += 1
                    time.sleep(0.01)
        except Exception as exc:  # noqa: BLE001 - surfaced by the test
            self.error = exc

    def step(self, cur):
        kind = self.rng.random()
        customer = self.rng.randint(1, 300)
        if kind < 0.3:
            cur.execute("UPDATE customers SET tier = %s WHERE customer_id = %s",
                        (self.rng.choice(["bronze", "silver", "gold", "platinum"]), customer))
            self.done["update"] += cur.rowcount
        elif kind < 0.4:
            cur.execute("UPDATE orders SET status = 'shipped', updated_at = updated_at - INTERVAL 30 DAY "
                        "WHERE order_id = %s", (self.rng.randint(1, 2000),))
            self.done["backdate"] += cur.rowcount
        elif kind < 0.6:
            cur.execute("INSERT INTO orders (customer_id, order_ts, status, payment_method, channel, total_amount) "
                        "SELECT customer_id, NOW(3), 'placed', 'card', 'web', 0 FROM customers "
                        "WHERE customer_id = %s", (customer,))
            if cur.rowcount:
                cur.execute("INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price) "
                            "VALUES (LAST_INSERT_ID(), 1, %s, 1, 9.99)", (self.rng.randint(1, 60),))
                self.done["insert"] += 1
        elif kind < 0.7:
            cur.execute("UPDATE products SET price = price + 0.01 WHERE product_id = %s", (self.rng.randint(1, 60),))
            self.done["update"] += cur.rowcount
        elif kind < 0.85:
            self.delete_order(cur, self.rng.randint(1, 2000))
        elif self.deleted:
            self.restore_order(cur, *self.deleted.pop(self.rng.randrange(len(self.deleted))))

    def delete_order(self, cur, order_id):
        cur.execute("SELECT * FROM orders WHERE order_id = %s FOR UPDATE", (order_id,))
        order = cur.fetchone()
        if order is None:
            return
        cur.execute("SELECT * FROM order_items WHERE order_id = %s", (order_id,))
        lines = list(cur.fetchall())
        cur.execute("DELETE FROM order_items WHERE order_id = %s", (order_id,))
        cur.execute("DELETE FROM orders WHERE order_id = %s", (order_id,))
        self.deleted.append((order, lines))
        self.done["delete"] += 1

    def restore_order(self, cur, order, lines):
        """The same keys and values again, updated_at included: the check column alone may not show it."""
        cur.execute(f"INSERT INTO orders VALUES ({', '.join(['%s'] * len(order))})", order)
        for line in lines:
            cur.execute(f"INSERT INTO order_items VALUES ({', '.join(['%s'] * len(line))})", line)
        self.done["restore"] += 1


# Each run imports all four tables while the writer works (about 12 s; Sqoop starts a JVM per
# table and run, about 25 s a run): four runs give each engine hundreds of concurrent writes to
# race, two do for Sqoop, and the four engines together take about four minutes of the suite.
RUNS = {"sqoop": 2}


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_a_concurrent_writer_during_incremental_runs_loses_nothing(imported, mysql, hive, lake, test_resources,
                                                                   engine):
    runs = RUNS.get(engine, 4)
    writer = Writer(mysql, seed=4)
    writer.start()
    try:
        for _ in range(runs):
            materialize(test_resources)
    finally:
        writer.stop.set()
        writer.join(timeout=60)
    assert not writer.is_alive(), "the writer did not stop within 60 s"
    assert writer.error is None, writer.error
    assert writer.ops > 50
    assert all(writer.done[kind] > 0 for kind in ("insert", "update", "backdate", "delete", "restore")), writer.done
    materialize(test_resources)  # the run after the last write
    assert_current_equals_source(hive, mysql)
    assert len(published_loads(lake, "orders")) == runs + 2  # one full load, then the incremental ones


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
