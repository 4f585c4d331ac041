"""Full imports of the shop tables, materialized through Dagster, read back through HiveServer2."""

import dagster as dg
import pyarrow.parquet as pq
import pytest

from dataplatform.paths import state_dir
from dataplatform_assets.ingestion import assets as ingestion_assets
from dataplatform_assets.ingestion.assets import COUNT_CHECK, DUPLICATES_CHECK, WINDOW_CHECK
from dataplatform_assets.ingestion.load_state import published_loads, table_dir
from dataplatform_assets.ingestion.raw_tables import current_row_count
from dataplatform_assets.ingestion.table_import import new_load_id, run_import
from dataplatform_assets.ingestion.tables import SHOP_TABLES
from resources.mysql import MySQLError, MySQLResource
from tests.integration.helpers import every_load_rows, materialize, materialize_specs, rows_in_hive, rows_in_mysql

TABLES = [t.name for t in SHOP_TABLES]


def test_materialization_records_row_counts_and_passing_checks(imported, fresh_shop):
    counts = {}
    for event in imported.get_asset_materialization_events():
        meta = event.materialization.metadata
        counts[event.asset_key.path[-1]] = meta["dagster/row_count"].value
        assert meta["mode"].value == "full" and meta["load_uri"].value.endswith(meta["load_id"].value)
        assert meta["rows_loaded"].value == meta["dagster/row_count"].value
    assert counts == {name: table.num_rows for name, table in fresh_shop.items()}
    checks = imported.get_asset_check_evaluations()
    assert sorted((c.asset_key.path[-1], c.check_name) for c in checks) == sorted(
        (table, check) for table in TABLES for check in (WINDOW_CHECK, DUPLICATES_CHECK, COUNT_CHECK))
    assert [c for c in checks if not c.passed] == []


def test_an_unchanged_source_adds_nothing(imported, mysql, hive, lake, test_resources):
    """Every run publishes a load (docs/ingestion.md); with nothing changed it is empty, and neither
    `raw.mysql_<t>` (every load) nor `raw.mysql_<t>_current` gains, loses or changes a row."""
    before = {t: (published_loads(lake, t), every_load_rows(hive, t)) for t in TABLES}
    result = materialize(test_resources)
    for event in result.get_asset_materialization_events():
        meta = event.materialization.metadata
        assert (meta["rows_loaded"].value, meta["deletes_loaded"].value) == (0, 0), event.asset_key
    fs, _ = lake.filesystem()
    for source in SHOP_TABLES:
        loads, rows = before[source.name]
        [new] = set(published_loads(lake, source.name)) - set(loads)
        assert published_loads(lake, source.name) == [*loads, new], source.name
        written = pq.read_table(lake.path(f"{table_dir(source.name)}/load_id={new}"), filesystem=fs)
        assert written.num_rows == 0, source.name
        assert every_load_rows(hive, source.name) == rows, source.name
        key = source.primary_key[0]
        assert rows_in_hive(hive, source.name, key) == rows_in_mysql(mysql, source.name, key), source.name


def test_a_failed_import_publishes_nothing_and_the_next_run_completes(imported, mysql, hive, lake,
                                                                      test_resources):
    spec = next(t for t in SHOP_TABLES if t.name == "order_items")
    base = table_dir("order_items")
    before, count_before = published_loads(lake, "order_items"), current_row_count(hive, "order_items")
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price) "
                    "SELECT order_id, 99, product_id, 1, unit_price FROM order_items WHERE line_no = 1 LIMIT 5")
        conn.commit()

    def killed(rows):
        raise KeyboardInterrupt("import killed mid-way")

    with pytest.raises(KeyboardInterrupt):
        run_import(mysql, lake, spec, new_load_id(), force_full=True, progress=killed)
    assert published_loads(lake, "order_items") == before
    assert lake.list_dirs(f"{base}/_staging")  # the killed load got no further than staging
    assert not list((state_dir() / "imports").glob("order_items-*"))  # and its local scratch is gone
    assert current_row_count(hive, "order_items") == count_before  # readers still see the last load
    materialize(test_resources)
    assert current_row_count(hive, "order_items") == count_before + 5
    assert lake.list_dirs(f"{base}/_staging") == []  # the good run cleared the leftovers


def test_an_import_that_fails_leaves_no_staging_behind(imported, mysql, lake):
    spec = next(t for t in SHOP_TABLES if t.name == "order_items")

    def source_gone(rows):
        raise RuntimeError("the source went away mid-read (the test)")

    with pytest.raises(RuntimeError, match="went away"):
        run_import(mysql, lake, spec, new_load_id(), force_full=True, progress=source_gone)
    assert lake.list_dirs(f"{table_dir('order_items')}/_staging") == []


@pytest.mark.parametrize("killed_in", ["publish_raw_table", "current_view_counts"])
def test_an_import_killed_after_its_upload_is_completed_by_the_next_run(killed_in, imported, mysql, hive, lake,
                                                                         test_resources, monkeypatch):
    """The two later crash points of a load: uploaded but not yet registered in Hive
    (`publish_raw_table` never ran), and registered but the run ended before its checks."""
    spec = next(t for t in SHOP_TABLES if t.name == "order_items")
    before, count_before = published_loads(lake, "order_items"), current_row_count(hive, "order_items")
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price) "
                    "SELECT order_id, 98, product_id, 1, unit_price FROM order_items WHERE line_no = 1 LIMIT 5")
        conn.commit()

    def killed(*_args, **_kwargs):  # the run ends here: nothing after this line of the asset runs
        raise dg.Failure(f"killed in {killed_in}", allow_retries=False)

    monkeypatch.setattr(ingestion_assets, killed_in, killed)
    assert not materialize_specs(test_resources, spec, raise_on_error=False).success
    monkeypatch.undo()
    [new_load] = sorted(set(published_loads(lake, "order_items")) - set(before))  # uploaded: in the lake
    registered = current_row_count(hive, "order_items")
    assert registered == (count_before if killed_in == "publish_raw_table" else count_before + 5)
    assert not lake.list_dirs(f"{table_dir('order_items')}/_staging")

    assert materialize_specs(test_resources, spec).success  # the next run completes what was left
    assert current_row_count(hive, "order_items") == count_before + 5
    partitions = {r[0].split("=", 1)[1] for r in hive.query(f"SHOW PARTITIONS {hive.db('raw')}.mysql_order_items")}
    assert new_load in partitions and partitions == set(published_loads(lake, "order_items"))
    assert rows_in_hive(hive, "order_items", "order_item_id") == rows_in_mysql(mysql, "order_items", "order_item_id")


def test_wrong_password_is_a_clear_error_that_never_shows_the_password(settings, tmp_path):
    secret = "wrong-Pa55word-never-logged"
    bad = MySQLResource(host=settings.mysql_host, port=settings.mysql_port, user=settings.mysql_user,
                        database="shop_test", password=secret)
    with pytest.raises(MySQLError) as err:
        bad.connect()
    message = str(err.value)
    assert "Access denied" in message and f"{settings.mysql_host}:{settings.mysql_port}" in message
    assert secret not in message and secret not in repr(err.value.__cause__)
