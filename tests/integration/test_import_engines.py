"""The four import engines behind one contract, and the default engine with binlog change capture,
each against a live, changing source.

Each engine imports a fresh shop once (a Sqoop import alone takes about 30 s: a JVM per table);
this module's tests of that engine then run in order on that lake. Each test leaves the lake equal
to the source, so the next starts from a published state, as an hourly run does."""

import random
import threading
import time
from collections import Counter

import pytest

from dataplatform.generator.changes import apply_change_batch
from dataplatform_assets.ingestion.engine_choice import ENGINES, ImportEngineResource
from dataplatform_assets.ingestion.load_state import latest_state, published_loads, table_dir, write_state
from dataplatform_assets.ingestion.table_import import new_load_id, run_import
from dataplatform_assets.ingestion.tables import SHOP_TABLES
from tests.integration.helpers import (
    delete_customers,
    import_into_empty_lake,
    load_fresh_shop,
    materialize,
    rows_in_hive,
    rows_in_mysql,
    use_engine,
)

# The engines with the contracts' checksum capture, and the default engine with binlog capture.
CASES = (*ENGINES, "connectorx+binlog")


@pytest.fixture(scope="module", params=CASES)
def engine_import(request, mysql, lake, shop_tables, test_resources):
    """(engine, result of its first run): a fresh shop imported by `engine` into an empty test lake."""
    with pytest.MonkeyPatch.context() as patch:
        use_engine(request.param, test_resources, patch.setenv)
        load_fresh_shop(mysql, shop_tables)
        yield request.param, import_into_empty_lake(lake, test_resources)
    test_resources["import_engine"] = ImportEngineResource()


def assert_current_equals_source(hive, mysql):
    for source in SHOP_TABLES:
        key = source.primary_key[0]
        assert rows_in_hive(hive, source.name, key) == rows_in_mysql(mysql, source.name, key), source.name


def loads_per_table(lake) -> dict[str, int]:
    return {source.name: len(published_loads(lake, source.name)) for source in SHOP_TABLES}


def test_every_table_reads_back_identical_through_hiveserver2(engine_import, mysql, hive):
    _, first_run = engine_import
    modes = {e.asset_key.path[-1]: e.materialization.metadata["mode"].value
             for e in first_run.get_asset_materialization_events()}
    assert modes == {source.name: "full" for source in SHOP_TABLES}
    assert_current_equals_source(hive, mysql)


def test_an_incremental_run_catches_a_change_batch_back_dated_updates_and_deletes(engine_import, mysql, hive,
                                                                                  lake, test_resources):
    before = loads_per_table(lake)
    apply_change_batch(mysql.connect, seed=9, intensity=0.05)
    with mysql.connect() as conn, conn.cursor() as cur:
        # An update that sets updated_at back in time: invisible to a check column alone.
        cur.execute("UPDATE customers SET city = 'Atlantis', updated_at = '2020-01-01 00:00:00' "
                    "WHERE customer_id = 5")
        conn.commit()
    delete_customers(mysql, [9])  # its orders first, as the foreign keys demand
    result = materialize(test_resources)
    metadata = {e.asset_key.path[-1]: e.materialization.metadata for e in result.get_asset_materialization_events()}
    assert {table: m["mode"].value for table, m in metadata.items()} == {
        "customers": "lastmodified", "products": "lastmodified", "orders": "lastmodified", "order_items": "append"}
    engine, _ = engine_import
    capture = engine.partition("+")[2] or "checksums"
    assert {m["capture"].value for m in metadata.values()} == {capture}
    if capture == "binlog":  # the changed keys, found without a checksum of any chunk
        assert metadata["customers"]["changed_keys"].value >= 2
        assert {m["changed_chunks"].value for m in metadata.values()} == {0}
    assert_current_equals_source(hive, mysql)
    assert hive.query(f"SELECT city FROM {hive.db('raw')}.mysql_customers_current WHERE customer_id = 5") \
        == [("Atlantis",)]
    assert hive.query(f"SELECT COUNT(*) FROM {hive.db('raw')}.mysql_customers_current WHERE customer_id = 9") \
        == [(0,)]
    assert loads_per_table(lake) == {name: count + 1 for name, count in before.items()}


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


def import_every_table(test_resources):
    """One run's imports of every table, as the import assets do them (the same engine, capture and
    load state), without Dagster or the Hive views: the run after the last one publishes those."""
    choice, mysql, lake = test_resources["import_engine"], test_resources["mysql"], test_resources["lake"]
    for spec in SHOP_TABLES:
        engine = choice.engine_for(spec, sqoop=test_resources["sqoop"], spark=test_resources["spark"])
        run_import(mysql, lake, spec, new_load_id(), engine=engine, capture=choice.capture_for(spec))


# Ten consecutive incremental runs of all four tables while the writer works (about 50 writes a
# second): each engine races hundreds of concurrent inserts, updates, back-dated updates, deletes
# and re-inserts. The runs call the import itself, not Dagster (a Dagster run adds the Hive views
# and about 8 s); Sqoop starts a JVM per table and run, so its ten runs take about 4 minutes.
RUNS = 10


def test_a_concurrent_writer_during_incremental_runs_loses_nothing(engine_import, mysql, hive, lake,
                                                                   test_resources):
    before = len(published_loads(lake, "orders"))
    writer = Writer(mysql, seed=4)
    writer.start()
    try:
        for _ in range(RUNS):
            import_every_table(test_resources)
    finally:
        writer.stop.set()
        writer.join(timeout=60)
    assert not writer.is_alive(), "the writer did not stop within 60 s"
    assert writer.error is None, writer.error
    assert writer.ops > 50
    assert all(writer.done[kind] > 0 for kind in ("insert", "update", "backdate", "delete", "restore")), writer.done
    materialize(test_resources)  # the run after the last write, through Dagster: the views it publishes
    assert_current_equals_source(hive, mysql)
    assert len(published_loads(lake, "orders")) == before + RUNS + 1  # one load per run


def test_binlog_capture_starts_over_with_a_full_load_when_its_position_is_gone(engine_import, mysql, hive, lake,
                                                                               test_resources):
    engine, _ = engine_import
    if not engine.endswith("+binlog"):
        pytest.skip("checksum capture keeps no binary log position")
    # The last customers load remembers a binary log file the server no longer has (as after a purge).
    state = latest_state(lake, "customers")
    state.binlog = ["mysql-bin.000000", 4]
    write_state(lake, f"{table_dir('customers')}/load_id={state.load_id}", state)
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute("UPDATE customers SET city = 'Lyonesse' WHERE customer_id = 7")
        conn.commit()
    result = materialize(test_resources)
    metadata = {e.asset_key.path[-1]: e.materialization.metadata for e in result.get_asset_materialization_events()}
    assert metadata["customers"]["mode"].value == "full"
    assert "mysql-bin.000000:4 on is gone from the source" in metadata["customers"]["full_load_reason"].value
    assert metadata["orders"]["mode"].value == "lastmodified"
    assert_current_equals_source(hive, mysql)
    assert materialize(test_resources).get_asset_materialization_events()[0].materialization.metadata["mode"].value \
        != "full"  # and the next run is incremental again
