"""Facts and marts on the real Thrift Server: a test shop imported twice with a tier change in
between, orders placed before, between and after the two imports, a day of clickstream in each of
the three feeds (our JSON events, an access log, app records) parsed into sessions; then the facts'
point-in-time keys and the marts' figures, checked against MySQL and the curated clickstream."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import dagster as dg
import pytest

from dataplatform.generator.loader import load_tables
from dataplatform_assets.clickstream.assets import sessions as sessions_asset
from dataplatform_assets.ingestion.assets import build_import_asset
from dataplatform_assets.ingestion.load_state import published_loads, read_state
from dataplatform_assets.ingestion.tables import SHOP_TABLES
from dataplatform_assets.marts.assets import mart_assets
from dataplatform_assets.warehouse.assets import dimension_assets
from dataplatform_assets.warehouse.derived import build_derived_asset
from dataplatform_assets.warehouse.facts import FACTS
from dataplatform_assets.warehouse.publish import ensure_database, swap_in
from tests.integration.clickstream_corpus import access_line, event_line, land, parse_landed_hour, upgrad_record
from tests.integration.helpers import check_results, mysql_rows

SPECS = {t.name: t for t in SHOP_TABLES}
DAY = "2025-01-03"
CUSTOMER = 1
NOT_SOLD = "('cancelled', 'returned')"


def _materialize(test_resources, assets, **kwargs):
    result = dg.materialize(assets, resources=test_resources, instance=dg.DagsterInstance.ephemeral(), **kwargs)
    assert result.success
    return result


def _snapshot(lake, load_id) -> datetime:
    return datetime.fromisoformat(read_state(lake, "customers", load_id).snapshot_time)


@pytest.fixture(scope="module")
def built(mysql, hive, lake, shop_tables, test_resources, tmp_path_factory):
    mysql.ensure_database()
    load_tables(mysql.connect, shop_tables, report=lambda _: None)
    fs, _ = lake.filesystem()
    for folder in ("raw", "warehouse", "marts"):
        fs.delete_dir_contents(lake.path(folder), missing_dir_ok=True)
    hive.execute("CREATE DATABASE IF NOT EXISTS test_warehouse", "DROP TABLE IF EXISTS test_warehouse.dim_customer",
                 "DROP TABLE IF EXISTS test_warehouse.dim_product")
    imports = [build_import_asset(spec) for spec in SHOP_TABLES]
    _materialize(test_resources, imports + dimension_assets)  # L1 of every table
    old_tier = mysql_rows(mysql, "SELECT tier FROM customers WHERE customer_id = %s", CUSTOMER)[0][0]
    new_tier = "platinum" if old_tier != "platinum" else "bronze"
    mysql_rows(mysql, "UPDATE customers SET tier = %s WHERE customer_id = %s", new_tier, CUSTOMER)
    _materialize(test_resources, [build_import_asset(SPECS["customers"])])  # L2 of customers
    first, second = published_loads(lake, "customers")[:2]
    s1, s2 = _snapshot(lake, first), _snapshot(lake, second)
    placed = {"before": datetime(2018, 5, 1, 12), "between": s1 + (s2 - s1) / 2, "after": s2 + timedelta(hours=1)}
    orders = {}
    for name, ts in placed.items():
        mysql_rows(mysql, "INSERT INTO orders (customer_id, order_ts, status, payment_method, channel, total_amount) "
                      "VALUES (%s, %s, 'paid', 'card', 'web', 20.00)", CUSTOMER, ts)
        orders[name] = mysql_rows(mysql, "SELECT MAX(order_id) FROM orders")[0][0]
        mysql_rows(mysql, "INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price) "
                      "VALUES (%s, 1, 1, 2, 10.00)", orders[name])

    # A day of clickstream: customer 950 goes all the way, 951 views a product, 952 only reads a page.
    hour = f"{DAY}-10:00"
    ts = [f"{DAY}T10:{m:02d}:00.000+00:00" for m in range(10)]
    land(lake, hour, {"events.9500.jsonl": b"\n".join([
        event_line(9500, ts[0], 950, "product_view", product_id=1),
        event_line(9501, ts[1], 950, "add_to_cart", product_id=1, quantity=1),
        event_line(9502, ts[2], 950, "checkout_start"),
        event_line(9503, ts[3], 950, "purchase", order_id=orders["after"]),
        event_line(9504, ts[4], 951, "product_view", product_id=1),
        event_line(9505, ts[5], 952, "page_view", page="/")]) + b"\n"})
    # The same day in the web servers' access log: an anonymous visitor views product 1 and adds it.
    web_hour = f"{DAY}-11:00"
    land(lake, web_hour, {"access.log": b"\n".join([
        access_line("GET /product/1 HTTP/1.1", time="03/Jan/2025:11:00:00 +0000"),
        access_line("POST /cart HTTP/1.1", time="03/Jan/2025:11:01:00 +0000")]) + b"\n"})
    # And in the app's feed: customer 5003 views two pages.
    app_hour = f"{DAY}-12:00"
    land(lake, app_hour, {"app.json": b"\n".join(
        json.dumps(upgrad_record(3, is_button_click="No", is_page_view="Yes", timestamp=f"{DAY} 12:0{m}:00")).encode()
        for m in (0, 5)) + b"\n"})
    salt = tmp_path_factory.mktemp("salt") / "visitor_salt"
    salt.write_text("a-salt-for-the-marts-test")
    with dg.DagsterInstance.ephemeral() as instance:
        assert parse_landed_hour(test_resources, hour, instance).success
        assert parse_landed_hour(test_resources, web_hour, instance, format="access-log",
                                 visitor_salt_file=str(salt)).success
        assert parse_landed_hour(test_resources, app_hour, instance, format="upgrad").success
        assert dg.materialize([sessions_asset], partition_key=DAY, resources=test_resources, instance=instance).success

    facts = [build_derived_asset(f) for f in FACTS]
    result = _materialize(test_resources, [build_import_asset(SPECS[t]) for t in ("orders", "order_items")]
                          + dimension_assets + facts + mart_assets)
    return {"orders": orders, "old_tier": old_tier, "new_tier": new_tier, "checks": check_results(result),
            "hive": hive, "mysql": mysql}


def test_each_fact_row_carries_the_dimension_version_valid_when_the_order_was_placed(built):
    hive = built["hive"]
    versions = hive.query(f"SELECT customer_sk, tier FROM test_warehouse.dim_customer "
                          f"WHERE customer_id = {CUSTOMER} ORDER BY valid_from")
    assert [tier for _, tier in versions] == [built["old_tier"], built["new_tier"]]
    ids = built["orders"]
    got = dict(hive.query(f"SELECT order_id, customer_sk FROM test_warehouse.fact_orders "
                          f"WHERE order_id IN ({ids['before']}, {ids['between']}, {ids['after']})"))
    old_sk, new_sk = versions[0][0], versions[1][0]
    # Before the first import: the key's first version; between the imports: still the old tier.
    assert got == {ids["before"]: old_sk, ids["between"]: old_sk, ids["after"]: new_sk}
    lines = dict(hive.query(f"SELECT order_id, customer_sk FROM test_warehouse.fact_order_items "
                            f"WHERE order_id IN ({ids['before']}, {ids['between']}, {ids['after']})"))
    assert lines == got


def test_every_fact_row_finds_its_versions_and_the_facts_hold_every_order(built):
    checks = built["checks"]
    assert checks[("fact_orders", "every_row_finds_its_dimension_version")].passed
    assert checks[("fact_order_items", "every_row_finds_its_dimension_version")].passed
    hive, mysql = built["hive"], built["mysql"]
    assert hive.query("SELECT COUNT(*) FROM test_warehouse.fact_orders")[0][0] == \
        mysql_rows(mysql, "SELECT COUNT(*) FROM orders")[0][0]
    assert hive.query("SELECT COUNT(*) FROM test_warehouse.fact_order_items")[0][0] == \
        mysql_rows(mysql, "SELECT COUNT(*) FROM order_items")[0][0]


def test_daily_sales_revenue_equals_the_shops_own_sum_and_its_check_passes(built):
    hive, mysql = built["hive"], built["mysql"]
    assert built["checks"][("daily_sales", "revenue_matches_the_facts")].passed
    shop = mysql_rows(mysql, "SELECT SUM(i.quantity * i.unit_price) FROM order_items i JOIN orders o USING (order_id) "
                         f"WHERE o.status NOT IN {NOT_SOLD}")[0][0]
    mart = hive.query("SELECT SUM(revenue) FROM test_marts.daily_sales")[0][0]
    assert float(mart) == pytest.approx(float(shop), abs=0.005)
    day = built["orders"]["before"]
    assert hive.query("SELECT orders, units FROM test_marts.daily_sales s JOIN test_warehouse.fact_order_items f "
                      f"ON f.order_date = s.order_date WHERE f.order_id = {day}") == [(1, 2)]


def test_customer_segments_score_every_buyer_with_the_tier_of_their_last_order(built):
    hive, mysql = built["hive"], built["mysql"]
    buyers = mysql_rows(mysql, f"SELECT COUNT(DISTINCT customer_id) FROM orders WHERE status NOT IN {NOT_SOLD}")[0][0]
    assert hive.query("SELECT COUNT(*), MIN(r_score), MAX(r_score) FROM test_marts.customer_segments")[0] == \
        (buyers, 1, 5)
    orders = mysql_rows(mysql, f"SELECT COUNT(*) FROM orders WHERE customer_id = {CUSTOMER} "
                           f"AND status NOT IN {NOT_SOLD}")[0][0]
    assert hive.query(f"SELECT tier_at_last_order, orders FROM test_marts.customer_segments "
                      f"WHERE customer_id = {CUSTOMER}") == [(built["new_tier"], orders)]


def test_the_funnel_counts_each_feeds_sessions_reaching_each_step(built):
    assert built["hive"].query(f"SELECT source_format, sessions, with_product_view, with_cart, with_checkout, "
                               f"with_purchase FROM test_marts.funnel_daily WHERE day = DATE '{DAY}' "
                               "ORDER BY source_format") == \
        [("access-log", 1, 1, 1, 0, 0), ("shop_json", 3, 2, 1, 1, 1), ("upgrad", 1, 0, 0, 0, 0)]


def test_a_table_whose_columns_change_is_published_with_its_new_columns(hive, lake):
    """A version with a column more gets the column added; one with a column retyped replaces the
    table; either way the table reads the new version's values."""
    ensure_database(hive, "marts")
    directory, table = "marts/schema_change", "test_marts.schema_change"
    hive.execute(f"DROP TABLE IF EXISTS {table}")
    versions = {"v=1": "SELECT 1 AS a", "v=2": "SELECT 2 AS a, 'two' AS b", "v=3": "SELECT 'three' AS a, 'x' AS b"}
    seen = []
    for version, select in versions.items():
        hive.execute(f"INSERT OVERWRITE DIRECTORY '{lake.uri(f'{directory}/{version}')}' USING PARQUET {select}")
        swap_in(hive, lake, "marts", "schema_change", directory, version, "a test table")
        seen.append((hive.describe("marts", "schema_change").columns, hive.query(f"SELECT * FROM {table}")))
    assert seen == [([("a", "int")], [(1,)]), ([("a", "int"), ("b", "string")], [(2, "two")]),
                    ([("a", "string"), ("b", "string")], [("three", "x")])]


def test_product_performance_joins_sales_and_clickstream_views(built):
    hive, mysql = built["hive"], built["mysql"]
    units = mysql_rows(mysql, "SELECT SUM(i.quantity) FROM order_items i JOIN orders o USING (order_id) "
                          f"WHERE i.product_id = 1 AND o.status NOT IN {NOT_SOLD}")[0][0]
    views = hive.query("SELECT COUNT(*) FROM test_curated.clickstream_events "
                       "WHERE product_id = 1 AND event_type = 'product_view'")[0][0]
    assert views >= 2
    assert hive.query("SELECT units, views FROM test_marts.product_performance WHERE product_id = 1") == \
        [(units, views)]
