"""SCD type 2 dimensions on the real Thrift Server: one scenario of imports and dimension runs over
`shop_test.customers`, then one test per case asserting the exact history of the keys it touched.

The loads (L1..L6) are real imports (pymysql, inside a snapshot); the dimension runs read them
from `test_raw.mysql_customers` and publish `test_warehouse.dim_customer`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import dagster as dg
import pytest

from dataplatform.generator.loader import load_tables
from dataplatform_assets.clickstream.curated_tables import new_version
from dataplatform_assets.ingestion.assets import build_import_asset
from dataplatform_assets.ingestion.load_state import published_loads, read_state, table_dir
from dataplatform_assets.ingestion.pymysql_engine import PyMySQLEngine
from dataplatform_assets.ingestion.raw_tables import publish_raw_table
from dataplatform_assets.ingestion.table_import import new_load_id, run_import
from dataplatform_assets.ingestion.tables import SHOP_TABLES
from dataplatform_assets.warehouse import scd2
from dataplatform_assets.warehouse.assets import build_dimension_asset
from dataplatform_assets.warehouse.dimensions import DIM_CUSTOMER
from dataplatform_assets.warehouse.scd2 import OutOfOrderLoad, apply_loads, dimension_dir
from tests.integration.helpers import check_results, delete_customers

CUSTOMERS = next(t for t in SHOP_TABLES if t.name == "customers")
FAR = "9999-12-31 00:00:00.000000"
HISTORY_SQL = ("SELECT customer_id, tier, first_name, date_format(valid_from, 'yyyy-MM-dd HH:mm:ss.SSSSSS'), "
               "date_format(valid_to, 'yyyy-MM-dd HH:mm:ss.SSSSSS'), is_current, is_deleted, load_id "
               "FROM test_warehouse.dim_customer WHERE customer_id = {key} ORDER BY valid_from")
ALL_SQL = "SELECT * FROM test_warehouse.dim_customer ORDER BY customer_id, valid_from"


def version(moment: str) -> str:
    return new_version(moment.replace(" ", "-"))


TIERS = ("bronze", "silver", "gold", "platinum")


@dataclass
class Version:
    tier: str | None
    first_name: str | None
    valid_from: str
    valid_to: str
    is_current: bool
    is_deleted: bool
    load_id: str


class Scenario:
    def __init__(self, mysql, hive, lake):
        self.mysql, self.hive, self.lake = mysql, hive, lake
        self.loads: dict[str, str] = {}  # L1.. -> load id
        self.snapshots: dict[str, str] = {}  # L1.. -> snapshot time
        self.histories: dict[str, dict[int, list[Version]]] = {}  # moment -> key -> versions
        self.tables: dict[str, list[tuple]] = {}  # moment -> every row of the dimension
        self.runs: dict[str, scd2.DimensionRun] = {}

    def sql(self, statement, *params):
        with self.mysql.connect() as conn, conn.cursor() as cur:
            cur.execute(statement, params)
            conn.commit()

    def tier(self, key, tier):
        self.sql("UPDATE customers SET tier = %s WHERE customer_id = %s", tier, key)

    def load(self, name):
        load_id = new_load_id()
        result = run_import(self.mysql, self.lake, CUSTOMERS, load_id, engine=PyMySQLEngine())
        publish_raw_table(self.hive, self.lake, CUSTOMERS, result.columns, published_loads(self.lake, "customers"),
                          result.base_load_id)
        self.loads[name] = load_id
        self.snapshots[name] = read_state(self.lake, "customers", load_id).snapshot_time.ljust(26, "0")

    def apply(self, moment, dim=DIM_CUSTOMER, **kwargs):
        self.runs[moment] = apply_loads(self.hive, self.lake, dim, version(moment), **kwargs)
        self.record(moment)

    def record(self, moment):
        self.histories[moment] = {key: self.history(key) for key in range(1, 10)}
        self.tables[moment] = self.hive.query(ALL_SQL)

    def history(self, key) -> list[Version]:
        return [Version(*row[1:]) for row in self.hive.query(HISTORY_SQL.format(key=key))]

    def v(self, load, tier, first_name, until=None, deleted=False):
        """The version opened by `load` (L1..), ending where `until` (a load) begins, or current."""
        return Version(None if deleted else tier, None if deleted else first_name, self.snapshots[load],
                       self.snapshots[until] if until else FAR, until is None, deleted, self.loads[load])


@pytest.fixture(scope="module")
def scenario(mysql, hive, lake, shop_tables):
    mysql.ensure_database()
    load_tables(mysql.connect, shop_tables, report=lambda _: None)
    fs, _ = lake.filesystem()
    for folder in (table_dir("customers"), dimension_dir(DIM_CUSTOMER)):
        fs.delete_dir_contents(lake.path(folder), missing_dir_ok=True)
    hive.execute("CREATE DATABASE IF NOT EXISTS test_warehouse", "DROP TABLE IF EXISTS test_warehouse.dim_customer")
    s = Scenario(mysql, hive, lake)
    s.original = {row[0]: row[1:] for row in _customer_rows(mysql)}

    s.load("L1")
    s.apply("after L1")

    s.new_tiers = {key: [t for t in TIERS if t != s.original[key][9]] for key in range(1, 10)}
    s.tier(1, s.new_tiers[1][0])                                       # 1: a tracked change
    s.sql("UPDATE customers SET first_name = 'Renamed' WHERE customer_id = 2")  # 2: untracked only
    delete_customers(mysql, [3])                                       # 3: deleted
    delete_customers(mysql, [4])                                       # 4: deleted, restored in L3
    saved5 = _customer_rows(mysql, 5)[0]
    delete_customers(mysql, [5])                                       # 5: deleted and restored before
    _insert(mysql, saved5)                                             #    any load sees it
    s.tier(6, s.new_tiers[6][0])                                       # 6: two changes, L2 and L3,
    s.load("L2")                                                       #    applied in one run
    _insert(mysql, _row_of(s.original, 4))
    s.tier(6, s.new_tiers[6][1])
    s.load("L3")
    s.apply("after L3")
    s.apply("again")                                                   # the same loads once more

    s.tier(7, s.new_tiers[7][0])                                       # 7: changes in a late load L4
    s.load("L4")
    s.tier(7, s.new_tiers[7][1])
    s.load("L5")
    late = f"{table_dir('customers')}/load_id={s.loads['L4']}"
    hidden = f"{table_dir('customers')}/_held_back"
    fs.create_dir(lake.path(hidden))
    fs.move(lake.path(late), lake.path(f"{hidden}/load_id={s.loads['L4']}"))  # L4 publishes late
    s.apply("L5 before L4")
    fs.move(lake.path(f"{hidden}/load_id={s.loads['L4']}"), lake.path(late))
    with pytest.raises(OutOfOrderLoad, match=s.loads["L4"]):
        apply_loads(hive, lake, replace(DIM_CUSTOMER, out_of_order="refuse"), version("refused"))
    s.apply("after late L4")

    s.sql("ALTER TABLE customers ADD COLUMN loyalty_points INT NULL")   # 8: a new nullable column
    s.sql("UPDATE customers SET loyalty_points = 120 WHERE customer_id = 8")
    s.load("L6")
    s.apply("after L6")
    s.rebuilt = apply_loads(hive, lake, DIM_CUSTOMER, version("rebuild"), rebuild=True)
    s.record("rebuilt")
    yield s
    s.sql("ALTER TABLE customers DROP COLUMN IF EXISTS loyalty_points")


def _customer_rows(mysql, key=None):
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT * FROM customers" + ("" if key is None else " WHERE customer_id = %s"),
                    () if key is None else (key,))
        return cur.fetchall()


def _row_of(original, key):
    return (key, *original[key])


def _insert(mysql, row):
    marks = ", ".join(["%s"] * len(row))
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute(f"INSERT INTO customers VALUES ({marks})", row)
        conn.commit()


def _tier(s, key):
    return s.original[key][9]  # customers columns: ..., country, tier (the 11th)


def _name(s, key):
    return s.original[key][1]


def test_the_first_load_inserts_one_current_version_per_customer(scenario):
    s = scenario
    assert s.histories["after L1"][1] == [s.v("L1", _tier(s, 1), _name(s, 1))]
    rows = s.tables["after L1"]
    assert len(rows) == len(s.original) and {r[1] for r in rows} == set(s.original)


def test_a_tracked_change_closes_the_version_and_opens_one_at_the_loads_snapshot_time(scenario):
    s = scenario
    assert s.histories["after L3"][1] == [s.v("L1", _tier(s, 1), _name(s, 1), until="L2"),
                                          s.v("L2", s.new_tiers[1][0], _name(s, 1))]


def test_an_untracked_change_updates_the_current_version_in_place(scenario):
    s = scenario
    assert s.histories["after L3"][2] == [s.v("L1", _tier(s, 2), "Renamed")]


def test_a_delete_closes_the_version_and_adds_a_deleted_marker(scenario):
    s = scenario
    assert s.histories["after L3"][3] == [s.v("L1", _tier(s, 3), _name(s, 3), until="L2"),
                                          s.v("L2", None, None, deleted=True)]


def test_a_key_restored_after_a_delete_opens_a_new_version(scenario):
    s = scenario
    assert s.histories["after L3"][4] == [s.v("L1", _tier(s, 4), _name(s, 4), until="L2"),
                                          s.v("L2", None, None, until="L3", deleted=True),
                                          s.v("L3", _tier(s, 4), _name(s, 4))]


def test_a_delete_and_restore_between_two_loads_leaves_no_trace(scenario):
    s = scenario
    assert s.histories["after L3"][5] == [s.v("L1", _tier(s, 5), _name(s, 5))]


def test_two_changes_in_consecutive_loads_applied_together_make_two_versions(scenario):
    s = scenario
    assert s.runs["after L3"].applied_loads == (s.loads["L2"], s.loads["L3"])
    assert s.histories["after L3"][6] == [s.v("L1", _tier(s, 6), _name(s, 6), until="L2"),
                                          s.v("L2", s.new_tiers[6][0], _name(s, 6), until="L3"),
                                          s.v("L3", s.new_tiers[6][1], _name(s, 6))]


def test_the_same_loads_applied_again_change_nothing(scenario):
    s = scenario
    assert not s.runs["again"].published and s.runs["again"].version == s.runs["after L3"].version
    assert s.tables["again"] == s.tables["after L3"]


def test_a_late_load_rebuilds_the_history_in_snapshot_order(scenario):
    s = scenario
    assert s.histories["L5 before L4"][7] == [s.v("L1", _tier(s, 7), _name(s, 7), until="L5"),
                                              s.v("L5", s.new_tiers[7][1], _name(s, 7))]
    run = s.runs["after late L4"]
    assert run.rebuilt and run.late_loads == (s.loads["L4"],)
    assert s.histories["after late L4"][7] == [s.v("L1", _tier(s, 7), _name(s, 7), until="L4"),
                                               s.v("L4", s.new_tiers[7][0], _name(s, 7), until="L5"),
                                               s.v("L5", s.new_tiers[7][1], _name(s, 7))]
    assert s.histories["after late L4"][6] == s.histories["after L3"][6]  # other keys keep their history


def test_a_new_nullable_source_column_is_added_untracked(scenario):
    s = scenario
    assert s.histories["after L6"][8] == s.histories["after L3"][8] == [s.v("L1", _tier(s, 8), _name(s, 8))]
    points = s.hive.query("SELECT customer_id, loyalty_points, loaded_at FROM test_warehouse.dim_customer "
                          "WHERE customer_id IN (8, 9) AND is_current ORDER BY customer_id")
    assert [(k, p) for k, p, _ in points] == [(8, 120), (9, None)]


def test_a_rebuild_from_every_kept_load_gives_exactly_the_incremental_history(scenario):
    s = scenario
    assert s.rebuilt.rebuilt and s.rebuilt.applied_loads == tuple(s.loads[f"L{i}"] for i in range(1, 7))
    assert s.tables["rebuilt"] == s.tables["after L6"]


def test_the_table_keeps_its_last_versions_and_nothing_else(scenario):
    s = scenario
    folders = s.lake.list_dirs(dimension_dir(DIM_CUSTOMER))
    assert folders[-1] == scd2.current_version(s.hive, DIM_CUSTOMER) and len(folders) == DIM_CUSTOMER.keep_versions


def test_a_run_killed_before_publishing_leaves_the_table_and_nothing_behind(scenario, monkeypatch):
    s = scenario
    before = scd2.current_version(s.hive, DIM_CUSTOMER)
    s.tier(9, s.new_tiers[9][0])
    s.load("L7")

    def killed(self, relative, data):
        raise KeyboardInterrupt("killed after writing the version, before publishing it")

    monkeypatch.setattr(type(s.lake), "write_bytes", killed)
    with pytest.raises(KeyboardInterrupt):
        apply_loads(s.hive, s.lake, DIM_CUSTOMER, version("killed"))
    monkeypatch.undo()
    assert scd2.current_version(s.hive, DIM_CUSTOMER) == before
    assert s.hive.query(ALL_SQL) == s.tables["rebuilt"]
    leftovers = set(s.lake.list_dirs(dimension_dir(DIM_CUSTOMER)))
    s.apply("after L7")
    assert s.histories["after L7"][9][-1] == s.v("L7", s.new_tiers[9][0], _name(s, 9))
    assert set(s.lake.list_dirs(dimension_dir(DIM_CUSTOMER))) < leftovers | {s.runs["after L7"].version}
    assert not any("killed" in f for f in s.lake.list_dirs(dimension_dir(DIM_CUSTOMER)))


def test_the_dimension_asset_publishes_with_its_checks_passing(scenario, test_resources):
    s = scenario
    s.tier(9, s.new_tiers[9][1])
    result = dg.materialize([build_import_asset(CUSTOMERS), build_dimension_asset(DIM_CUSTOMER)],
                            resources=test_resources, instance=dg.DagsterInstance.ephemeral())
    checks = {name: e.passed for (table, name), e in check_results(result).items() if table == "dim_customer"}
    assert checks == {"one_current_row_per_key": True, "validity_intervals_contiguous": True,
                      "current_versions_match_source": True}
    assert scenario.history(9)[-1].tier == s.new_tiers[9][1]
