"""The customer 360° table on the real HBase and Thrift Server: a test shop imported and built into
the warehouse, a day of clickstream for one customer, then refreshes of `serving/hbase/customer_360`
with changes, replays, an older run, a delete and a killed Thrift server in between."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import dagster as dg
import pytest

from dataplatform.generator.loader import load_tables
from dataplatform_assets.clickstream.assets import sessions as sessions_asset
from dataplatform_assets.ingestion.assets import build_import_asset
from dataplatform_assets.ingestion.tables import SHOP_TABLES
from dataplatform_assets.serving import checks
from dataplatform_assets.serving import customer_360_table as design
from dataplatform_assets.serving.assets import customer_360
from dataplatform_assets.serving.hive_table import row_by_key
from dataplatform_assets.serving.lookup import by_id, ids_for_email
from dataplatform_assets.serving.refresh import changed_mutations, refresh
from dataplatform_assets.warehouse.assets import dimension_assets
from dataplatform_assets.warehouse.derived import build_derived_asset
from dataplatform_assets.warehouse.facts import FACTS
from resources.hive import HiveServer2Resource
from tests.integration.clickstream_corpus import event_line, land, parse_landed_hour
from tests.integration.helpers import check_results, delete_customers, mysql_rows

SPECS = {t.name: t for t in SHOP_TABLES}
DAY = "2025-02-07"
SHOPPER, CHANGED, UNCHANGED, DELETED = 5, 6, 7, 8


def _build(test_resources, *tables):
    """Import `tables`, then the dimensions and facts."""
    assets = [build_import_asset(SPECS[t]) for t in tables] + dimension_assets + [build_derived_asset(f) for f in FACTS]
    assert dg.materialize(assets, resources=test_resources, instance=dg.DagsterInstance.ephemeral()).success


def _timestamps(hbase, customer_id) -> set[int]:
    return {ts for _, ts in hbase.row(design.TABLE, design.row_key(customer_id), include_timestamp=True).values()}


@pytest.fixture(scope="module")
def hbase(settings):
    resource = settings.hbase(table_prefix="test_")
    for table in (design.TABLE, design.EMAIL_INDEX):
        resource.delete_table(table)
    return resource


@pytest.fixture(scope="module")
def hive_hbase(settings):
    return HiveServer2Resource(host=settings.hive_hbase_host, port=settings.hive_hbase_port,
                               username=settings.hive_user, database_prefix="test_")


@pytest.fixture(scope="module")
def first(mysql, hive, lake, hbase, hive_hbase, shop_tables, test_resources):
    """The shop imported and built, a day of clickstream for SHOPPER, and the first refresh through
    the asset (checks included)."""
    mysql.ensure_database()
    load_tables(mysql.connect, shop_tables, report=lambda _: None)
    fs, _ = lake.filesystem()
    for folder in ("raw", "warehouse", "marts", "serving"):
        fs.delete_dir_contents(lake.path(folder), missing_dir_ok=True)
    hive.execute("CREATE DATABASE IF NOT EXISTS test_marts", "DROP TABLE IF EXISTS test_marts.customer_360",
                 "CREATE DATABASE IF NOT EXISTS test_warehouse", "DROP TABLE IF EXISTS test_warehouse.dim_customer",
                 "DROP TABLE IF EXISTS test_warehouse.dim_product")
    _build(test_resources, *SPECS)
    hour = f"{DAY}-09:00"
    ts = [f"{DAY}T09:{m:02d}:00.000+00:00" for m in range(4)]
    land(lake, hour, {"events.5000.jsonl": b"\n".join([
        event_line(50_000, ts[0], SHOPPER, "product_view", product_id=3),
        event_line(50_001, ts[1], SHOPPER, "add_to_cart", product_id=3, quantity=1),
        event_line(50_002, ts[2], SHOPPER, "checkout_start")]) + b"\n"})
    with dg.DagsterInstance.ephemeral() as instance:
        assert parse_landed_hour(test_resources, hour, instance).success
        assert dg.materialize([sessions_asset], partition_key=DAY, resources=test_resources, instance=instance).success
    hive_hbase.execute("DROP TABLE IF EXISTS test_serving.customer_360_hbase")  # external: HBase keeps its table
    result = dg.materialize([customer_360], resources={**test_resources, "hbase": hbase, "hive_hbase": hive_hbase},
                            instance=dg.DagsterInstance.ephemeral())
    assert result.success
    return {"checks": check_results(result), "metadata": result.asset_materializations_for_node("customer_360")}


def _mirror(hive, customer_id) -> dict:
    return hive.records(f"SELECT * FROM test_marts.customer_360 WHERE customer_id = {customer_id}")[0]


def test_the_first_refresh_writes_every_live_customer_and_its_checks_pass(first, mysql, hive, hbase):
    assert all(e.passed for e in first["checks"].values()), first["checks"]
    assert set(first["checks"]) == {("customer_360", name) for name in checks.DESCRIPTIONS}
    live = mysql_rows(mysql, "SELECT COUNT(*) FROM customers")[0][0]
    assert len(checks.stored_emails(hbase)) == live
    regions = hbase.call(lambda c: c.table(hbase.name(design.TABLE)).regions())
    assert len(regions) == design.REGIONS  # pre-split


def test_lookups_by_id_and_email_return_what_the_lake_says(first, mysql, hive, hbase):
    view = by_id(hbase, SHOPPER).as_json()
    email, tier = mysql_rows(mysql, "SELECT email, tier FROM customers WHERE customer_id = %s", SHOPPER)[0]
    orders = mysql_rows(mysql, "SELECT COUNT(*) FROM orders WHERE customer_id = %s", SHOPPER)[0][0]
    assert (view["profile"]["email"], view["profile"]["tier"], view["stats"]["orders"]) == (email, tier, orders)
    mirror = _mirror(hive, SHOPPER)
    assert view["stats"]["revenue"] == design.encode(mirror["revenue"]).decode()
    assert view["recent"]["recent_orders"] == json.loads(mirror["recent_orders"])
    assert [e["event_type"] for e in view["recent"]["recent_events"][:3]] == \
        ["checkout_start", "add_to_cart", "product_view"]
    assert view["stats"]["sessions_with_checkout"] >= 1
    assert ids_for_email(hbase, f"  {email.upper()} ") == [SHOPPER]  # the address is normalised


def test_hive_over_hbase_returns_the_same_row_as_the_lookup(first, hbase, hive_hbase):
    """The real Hive 4.1 HiveServer2 reads the HBase row in place through the storage handler."""
    view = by_id(hbase, SHOPPER)
    rows = row_by_key(hive_hbase, design.row_key(SHOPPER))
    assert len(rows) == 1
    row, profile, stats, recent = rows[0], view.sections["profile"], view.sections["stats"], view.sections["recent"]
    assert row["key"] == view.row_key and row["customer_id"] == SHOPPER
    assert (row["email"], row["tier"], row["valid_from"], row["profile_as_of"]) == \
        (profile["email"], profile["tier"], profile["valid_from"], profile["as_of"])
    assert (row["orders"], f"{row['revenue']:.2f}", row["sessions_with_checkout"]) == \
        (int(stats["orders"]), stats["revenue"], int(stats["sessions_with_checkout"]))
    assert json.loads(row["recent_events"]) == json.loads(recent["recent_events"])
    assert row["marketing_opt_in"] == (profile["marketing_opt_in"] == "true")
    assert row_by_key(hive_hbase, b"0000|0") == []


def test_the_cli_prints_the_view_and_says_clearly_what_it_cannot_find(first, mysql):
    email = mysql_rows(mysql, "SELECT email FROM customers WHERE customer_id = %s", SHOPPER)[0][0]
    env = {**os.environ, "DATAPLATFORM_HBASE_TABLE_PREFIX": "test_"}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "dataplatform.cli", "customer", *args], capture_output=True,
                              text=True, env=env, timeout=120)

    out = cli(str(SHOPPER))
    assert out.returncode == 0, out.stderr
    assert f"Customer {SHOPPER}" in out.stdout and email in out.stdout and "Orders  (as of" in out.stdout
    as_json = cli("--email", email, "--json")
    assert as_json.returncode == 0 and json.loads(as_json.stdout)["customer_id"] == SHOPPER
    missing = cli("999999")
    assert missing.returncode == 1 and "no customer 999999" in missing.stderr
    for bad in (["12x"], ["--email", "not-an-address"], []):
        refused = cli(*bad)
        assert refused.returncode == 2 and refused.stderr.startswith("error:"), bad


def test_a_changed_customer_is_rewritten_and_an_unchanged_one_is_not_touched(first, mysql, hive, lake, hbase,
                                                                             test_resources):
    before = {c: _timestamps(hbase, c) for c in (CHANGED, UNCHANGED)}
    old_tier = mysql_rows(mysql, "SELECT tier FROM customers WHERE customer_id = %s", CHANGED)[0][0]
    new_tier = "platinum" if old_tier != "platinum" else "bronze"
    mysql_rows(mysql, "UPDATE customers SET tier = %s WHERE customer_id = %s", new_tier, CHANGED)
    _build(test_resources, "customers")
    result = refresh(hive, lake, hbase, "changed1")
    assert (result.changed, result.removed) == (1, 0)
    assert _timestamps(hbase, UNCHANGED) == before[UNCHANGED]  # not touched
    assert _timestamps(hbase, CHANGED) == {result.watermark_ms} and result.watermark_ms > max(before[CHANGED])
    profile = by_id(hbase, CHANGED).as_json()["profile"]
    assert profile["tier"] == new_tier and [v["tier"] for v in profile["history"]] == [new_tier, old_tier]


def test_replaying_a_refresh_changes_nothing(first, hive, lake, hbase):
    stamps = {c: _timestamps(hbase, c) for c in (SHOPPER, CHANGED, UNCHANGED)}
    rows = dict(hbase.scan(design.TABLE))
    result = refresh(hive, lake, hbase, "replay1")
    assert (result.changed, result.removed) == (0, 0)
    assert dict(hbase.scan(design.TABLE)).keys() == rows.keys()
    assert {c: _timestamps(hbase, c) for c in stamps} == stamps


def test_an_older_run_after_a_newer_one_leaves_the_newer_values(first, hive, hbase):
    newer = hbase.row(design.TABLE, design.row_key(CHANGED))
    older = {**_mirror(hive, CHANGED), "tier": "an older value", "previous_email": None}
    rows, index_puts, _ = changed_mutations([older], {})
    hbase.write(design.TABLE, min(_timestamps(hbase, CHANGED)) - 60_000, puts=rows)  # a late, older run
    assert hbase.row(design.TABLE, design.row_key(CHANGED)) == newer


def test_a_deleted_customer_disappears_from_lookups_and_the_index(first, mysql, hive, lake, hbase, test_resources):
    email = mysql_rows(mysql, "SELECT email FROM customers WHERE customer_id = %s", DELETED)[0][0]
    assert ids_for_email(hbase, email) == [DELETED]
    delete_customers(mysql, [DELETED])
    _build(test_resources, "customers", "orders", "order_items")
    result = refresh(hive, lake, hbase, "deleted1")
    assert result.removed == 1
    assert by_id(hbase, DELETED) is None and ids_for_email(hbase, email) == []
    stored = checks.stored_emails(hbase)
    assert checks.row_count(hive, stored)[0] and checks.email_index(hbase, stored)[0]
    assert checks.sample(hive, hbase)[0]


# Not `restarts_stack`: supervisord restarts the one service it kills, and the test waits for it, so
# it runs in its module's order and shares `first` (sorted last, it would build it a second time).
def test_a_thrift_server_killed_mid_write_ends_after_the_retry_with_a_complete_table(first, stack, hive, lake,
                                                                                     hbase):
    for table in (design.TABLE, design.EMAIL_INDEX):  # lost: only a full rebuild brings them back
        hbase.delete_table(table)
    killed: list[int] = []
    restarts_before = stack.supervisor.state("hbase-thrift").restarts

    def kill_after_some_batches(message: str) -> None:
        if killed or "changed customers" not in message or message.startswith("customer_360: 50 "):
            return
        killed.append(stack.pid("hbase-thrift"))
        os.kill(killed[0], signal.SIGKILL)  # no `stack up`: supervisord starts it again

    result = refresh(hive, lake, hbase, "killed1", full=True, batch_rows=50, report=kill_after_some_batches)
    assert killed, "the Thrift server was never killed"
    assert stack.supervisor.state("hbase-thrift").restarts == restarts_before + 1
    stored = checks.stored_emails(hbase)
    assert result.changed == len(stored) and checks.row_count(hive, stored)[0]
    assert checks.email_index(hbase, stored)[0] and checks.sample(hive, hbase)[0]
