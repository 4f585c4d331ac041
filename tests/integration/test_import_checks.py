"""The import's safety nets seen failing: pymysql's ImportMismatch abort, and each asset check fed a
wrong result (a row the snapshot did not count, a view that stopped deduplicating, a stray row in the lake)."""

import io
import tempfile
from dataclasses import replace
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dataplatform_assets.ingestion import assets
from dataplatform_assets.ingestion.assets import COUNT_CHECK, DUPLICATES_CHECK, WINDOW_CHECK
from dataplatform_assets.ingestion.load_state import published_loads, table_dir
from dataplatform_assets.ingestion.pymysql_engine import PyMySQLEngine
from dataplatform_assets.ingestion.raw_tables import current_row_count
from dataplatform_assets.ingestion.table_import import ImportMismatch, new_load_id, run_import
from dataplatform_assets.ingestion.tables import SHOP_TABLES
from tests.integration.helpers import (
    INSERT_CUSTOMER,
    check_results,
    empty_lake_table,
    materialize_specs,
    meta,
    rows_in_hive,
    rows_in_mysql,
)

CUSTOMERS = next(t for t in SHOP_TABLES if t.name == "customers")


@pytest.fixture()
def customers(engine, fresh_shop, lake, test_resources):
    """A fresh shop whose customers table has one full load, published with its checks passing."""
    empty_lake_table(lake, "customers")
    result = materialize_specs(test_resources, CUSTOMERS)
    assert {name: e.passed for (_, name), e in check_results(result).items()} == {
        WINDOW_CHECK: True, DUPLICATES_CHECK: True, COUNT_CHECK: True}
    return fresh_shop


def source_count(mysql, where="TRUE"):
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM customers WHERE {where}")
        return cur.fetchone()[0]


class _DropFirstRow:
    """A connection whose server-side cursors lose the first row they fetch: a reader that drops a row."""

    def __init__(self, conn):
        self.conn = conn

    def cursor(self, *args):
        return _LossyCursor(self.conn.cursor(*args))


class _LossyCursor:
    def __init__(self, cur):
        self.cur, self.dropped = cur, False

    def __enter__(self):
        self.cur.__enter__()
        return self

    def __exit__(self, *exc):
        return self.cur.__exit__(*exc)

    def execute(self, *args):
        return self.cur.execute(*args)

    def fetchmany(self, size):
        rows = self.cur.fetchmany(size)
        if rows and not self.dropped:
            self.dropped, rows = True, rows[1:]
        return rows


class _LossyPyMySQLEngine(PyMySQLEngine):
    """The pymysql engine reading through a connection that drops a row."""

    def read(self, job):
        return super().read(replace(job, snapshot=_DropFirstRow(job.snapshot)))


@pytest.mark.parametrize("engine", ["pymysql"], indirect=True)
def test_pymysql_aborts_with_import_mismatch_when_a_row_goes_missing_and_publishes_nothing(
        customers, mysql, hive, lake, monkeypatch):
    before, rows_before = published_loads(lake, "customers"), current_row_count(hive, "customers")
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute("UPDATE customers SET city = 'Atlantis' WHERE customer_id <= 3")
        conn.commit()
    with pytest.raises(ImportMismatch, match=r"customers: wrote \d+ rows but the snapshot holds \d+"):
        run_import(mysql, lake, CUSTOMERS, new_load_id(), engine=_LossyPyMySQLEngine())
    assert published_loads(lake, "customers") == before
    assert lake.list_dirs(f"{table_dir('customers')}/_staging") == []
    assert not list(Path(tempfile.gettempdir()).glob("import-customers-*"))  # no scratch left
    assert current_row_count(hive, "customers") == rows_before
    assert not hive.query(f"SELECT 1 FROM {hive.db('raw')}.mysql_customers_current WHERE city = 'Atlantis'")


def test_connectorx_window_check_warns_when_a_write_lands_between_snapshot_and_read(
        customers, mysql, hive, test_resources, monkeypatch):
    """A customer committed after the snapshot but before connectorx's statement: the load holds one
    row more than the snapshot counted. The check warns, the run succeeds, the next run converges."""
    import connectorx

    rows = source_count(mysql)
    real = connectorx.read_sql

    def read_after_a_concurrent_insert(*args, **kwargs):
        with mysql.connect() as conn, conn.cursor() as cur:
            cur.execute(INSERT_CUSTOMER, ("late@example.com",))
            conn.commit()
        return real(*args, **kwargs)

    monkeypatch.setattr(connectorx, "read_sql", read_after_a_concurrent_insert)
    result = materialize_specs(test_resources, replace(CUSTOMERS, full_every=0))  # a full load: reads all
    assert result.success
    window = check_results(result)[("customers", WINDOW_CHECK)]
    assert (window.passed, window.severity) == (False, dg.AssetCheckSeverity.WARN)
    assert meta(window.metadata) == {"loaded": rows + 1, "source": rows, "engine": "connectorx"}
    count = check_results(result)[("customers", COUNT_CHECK)]
    assert not count.passed and meta(count.metadata) == {"current_view": rows + 1, "source": rows}
    assert count.severity == dg.AssetCheckSeverity.WARN

    monkeypatch.setattr(connectorx, "read_sql", real)
    result = materialize_specs(test_resources, CUSTOMERS)
    assert all(e.passed for e in check_results(result).values())
    assert rows_in_hive(hive, "customers", "customer_id") == rows_in_mysql(mysql, "customers", "customer_id")


@pytest.mark.parametrize("engine", ["pymysql"], indirect=True)
def test_pymysql_count_checks_fail_with_error_severity(customers, mysql, test_resources, monkeypatch):
    """pymysql cannot publish a short load (it aborts), so the checks are fed snapshot counts one higher."""
    real = assets.run_import
    monkeypatch.setattr(assets, "run_import", lambda *a, **k: (lambda r: replace(
        r, expected_rows=r.expected_rows + 1, source_rows=r.source_rows + 1))(real(*a, **k)))
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute(INSERT_CUSTOMER, ("late@example.com",))
        conn.commit()
    result = materialize_specs(test_resources, CUSTOMERS)
    window = check_results(result)[("customers", WINDOW_CHECK)]
    assert (window.passed, window.severity) == (False, dg.AssetCheckSeverity.ERROR)
    loaded = meta(result.get_asset_materialization_events()[0].materialization.metadata)["rows_loaded"]
    assert meta(window.metadata) == {"loaded": loaded, "source": loaded + 1, "engine": "pymysql"}
    assert loaded == source_count(mysql)  # chunk 0 holds every customer and changed: it was read again whole
    count = check_results(result)[("customers", COUNT_CHECK)]
    assert (count.passed, count.severity) == (False, dg.AssetCheckSeverity.ERROR)
    assert meta(count.metadata) == {"current_view": loaded, "source": loaded + 1}


def test_a_view_that_stops_deduplicating_fails_the_blocking_unique_keys_check_and_stops_downstream(
        customers, mysql, hive, lake, test_resources, monkeypatch):
    spec = replace(CUSTOMERS, chunk_rows=50)
    empty_lake_table(lake, "customers")
    ran = []

    @dg.asset(deps=[dg.AssetKey(["raw", "mysql", "customers"])])
    def customer_report():
        ran.append("customer_report")

    first = materialize_specs(test_resources, spec, extra=[customer_report])  # a full load in 50-key chunks
    assert first.success and ran == ["customer_report"]

    real = assets.publish_raw_table

    def publish_a_view_without_dedup(hive_, lake_, spec_, columns, loads, base):
        view = real(hive_, lake_, spec_, columns, loads, base)
        names = ", ".join(f"`{c.name}`" for c in columns)
        hive_.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT {names} FROM "
                      f"{hive_.db('raw')}.mysql_customers WHERE NOT _deleted")
        return view

    monkeypatch.setattr(assets, "publish_raw_table", publish_a_view_without_dedup)
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute("UPDATE customers SET city = 'Atlantis' WHERE customer_id = 5")
        conn.commit()
    result = materialize_specs(test_resources, spec, extra=[customer_report], raise_on_error=False)
    # Chunk 0 (customer ids 1-49) was read again whole: each of its keys is in both loads.
    duplicates = check_results(result)[("customers", DUPLICATES_CHECK)]
    assert not duplicates.passed and duplicates.severity == dg.AssetCheckSeverity.ERROR
    assert meta(duplicates.metadata) == {"duplicated_keys": source_count(mysql, "customer_id < 50")}
    assert not result.success and ran == ["customer_report"]  # the downstream asset did not run again
    assert dg.AssetKey("customer_report") not in {e.asset_key for e in result.get_asset_materialization_events()}


def test_a_stray_row_in_the_lake_fails_the_current_view_row_count_check(customers, mysql, lake, test_resources,
                                                                        monkeypatch):
    real = assets.publish_raw_table

    def publish_with_a_stray_row(hive_, lake_, spec_, columns, loads, base):
        fs, _ = lake_.filesystem()
        latest = f"{table_dir('customers')}/load_id={loads[-1]}"
        row = pq.read_table(lake_.path(latest), filesystem=fs).slice(0, 1)
        row = row.set_column(0, "customer_id", pa.array([999_999], row.schema.field(0).type))
        out = io.BytesIO()
        pq.write_table(row, out)
        lake_.write_bytes(f"{latest}/part-stray.parquet", out.getvalue())
        return real(hive_, lake_, spec_, columns, loads, base)

    monkeypatch.setattr(assets, "publish_raw_table", publish_with_a_stray_row)
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute("UPDATE customers SET city = 'Atlantis' WHERE customer_id = 5")
        conn.commit()
    result = materialize_specs(test_resources, CUSTOMERS)
    checks = check_results(result)
    rows = source_count(mysql)
    assert not checks[("customers", COUNT_CHECK)].passed
    assert meta(checks[("customers", COUNT_CHECK)].metadata) == {"current_view": rows + 1, "source": rows}
    assert checks[("customers", WINDOW_CHECK)].passed  # the import itself read what the snapshot held
