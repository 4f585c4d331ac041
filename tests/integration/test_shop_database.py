"""The generators against the real MariaDB."""

import json

from dataplatform.generator.changes import apply_change_batch
from dataplatform.generator.clickstream import ClickstreamOptions, write_clickstream

ORPHAN_QUERIES = {
    "orders without customer": "SELECT COUNT(*) FROM orders o LEFT JOIN customers c "
                               "ON c.customer_id = o.customer_id WHERE c.customer_id IS NULL",
    "lines without order": "SELECT COUNT(*) FROM order_items i LEFT JOIN orders o "
                           "ON o.order_id = i.order_id WHERE o.order_id IS NULL",
    "lines without product": "SELECT COUNT(*) FROM order_items i LEFT JOIN products p "
                             "ON p.product_id = i.product_id WHERE p.product_id IS NULL",
    "orders whose total is not their lines": "SELECT COUNT(*) FROM orders o JOIN (SELECT order_id, "
        "SUM(quantity * unit_price) AS s FROM order_items GROUP BY order_id) l "
        "ON l.order_id = o.order_id WHERE l.s <> o.total_amount",
}


def scalar(mysql, sql):
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchone()[0]


def test_generated_shop_loads_every_row(mysql, fresh_shop):
    for table, data in fresh_shop.items():
        assert scalar(mysql, f"SELECT COUNT(*) FROM {table}") == data.num_rows, table


def test_loaded_shop_has_no_orphans_and_exact_money(mysql, fresh_shop):
    for what, sql in ORPHAN_QUERIES.items():
        assert scalar(mysql, sql) == 0, what
    cents = sum(fresh_shop["orders"]["total_amount_cents"].to_pylist())
    assert scalar(mysql, "SELECT SUM(total_amount) * 100 FROM orders") == cents


def test_same_seed_loads_identical_contents(mysql):
    """Two shops generated afresh from the same seed load into byte-identical tables."""
    from dataplatform.generator.loader import load_tables
    from dataplatform.generator.shop import build_shop
    from tests.integration.conftest import TEST_SEED, TEST_SIZE

    checksum = "CHECKSUM TABLE customers, products, orders, order_items EXTENDED"
    sums = []
    mysql.ensure_database()
    for _ in range(2):
        load_tables(mysql.connect, build_shop(TEST_SEED, TEST_SIZE), report=lambda _: None)
        with mysql.connect() as conn, conn.cursor() as cur:
            cur.execute(checksum)
            sums.append(cur.fetchall())
    assert sums[0] == sums[1]
    assert all(value is not None and value != 0 for _, value in sums[0])  # four real tables were summed


def test_change_batches_apply_in_order_and_keep_integrity(mysql, fresh_shop):
    before = scalar(mysql, "SELECT COUNT(*) FROM orders")
    first = apply_change_batch(mysql.connect, seed=3, intensity=0.05)
    second = apply_change_batch(mysql.connect, seed=3, intensity=0.05)
    assert (first["batch"], second["batch"]) == (1, 2)
    assert scalar(mysql, "SELECT COUNT(*) FROM orders") == before + first["new_orders"] + second["new_orders"]
    recorded = json.loads(scalar(mysql, "SELECT summary FROM generator_batches WHERE batch_no = 2"))
    assert recorded["moves"] == second["moves"] > 0
    # Moved customers carry a fresh updated_at, which lastmodified imports rely on.
    assert scalar(mysql, "SELECT COUNT(*) FROM customers WHERE updated_at > NOW() - INTERVAL 1 HOUR") >= first["moves"]
    for what, sql in ORPHAN_QUERIES.items():
        assert scalar(mysql, sql) == 0, what


def test_clickstream_agrees_with_the_database(mysql, fresh_shop, tmp_path):
    stats = write_clickstream(mysql.connect, tmp_path, ClickstreamOptions(seed=1, days=30, bad_share=0))
    events = [json.loads(line) for f in tmp_path.glob("*.jsonl") for line in f.read_text().splitlines()]
    purchases = {e["order_id"]: e["customer_id"] for e in events if e["event_type"] == "purchase"}
    assert stats.files > 0 and purchases
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT order_id, customer_id FROM orders WHERE order_ts > "
                    "(SELECT MAX(order_ts) FROM orders) - INTERVAL 30 DAY")
        assert purchases == dict(cur.fetchall())
