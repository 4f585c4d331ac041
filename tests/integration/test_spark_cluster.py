"""Cluster mode: the local stack's Spark standalone cluster (a master and two one-core workers, each
its own process, and a Thrift Server whose executors the workers start) runs the clickstream parse,
the sessions and the SCD-2 customer dimension on the same inputs as the stack's local-mode Thrift
Server, each with a lake and Hive databases of its own, and the two give the same rows, rejects,
counts, sessions and dimension versions."""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

import dagster as dg
import pyarrow.fs as pafs
import pytest

from dataplatform.generator.clickstream import ClickstreamOptions, ShopFacts, build_events, write_events
from dataplatform.localstack.spark_cluster import CLUSTER_THRIFT_PORT, CLUSTER_THRIFT_UI_PORT, alive_workers
from dataplatform_assets.clickstream.assets import EVENTS_KEY, clickstream_events, sessions
from dataplatform_assets.clickstream.curated_tables import new_version
from dataplatform_assets.clickstream.landing import ClickstreamLandingResource
from dataplatform_assets.ingestion.load_state import published_loads, table_dir
from dataplatform_assets.ingestion.pymysql_engine import PyMySQLEngine
from dataplatform_assets.ingestion.raw_tables import publish_raw_table
from dataplatform_assets.ingestion.table_import import new_load_id, run_import
from dataplatform_assets.ingestion.tables import SHOP_TABLES
from dataplatform_assets.warehouse.dimensions import DIM_CUSTOMER
from dataplatform_assets.warehouse.scd2 import apply_loads
from resources.hive import HiveServer2Resource
from resources.lake import lake_at
from tests.integration.clickstream_corpus import LANDING, land
from tests.integration.helpers import delete_customers, load_fresh_shop

CUSTOMERS = next(t for t in SHOP_TABLES if t.name == "customers")
DAY = "2025-07-14"
MODES = ("local", "cluster")


def _shop_facts() -> ShopFacts:
    """A small shop's day: 200 orders between 02:00 and 23:00, 400 customers, 60 products."""
    day = datetime.fromisoformat(DAY)
    orders = [(n, 1 + n % 400, day + timedelta(hours=2, seconds=n * 373), ("web", "app")[n % 2],
               [(1 + n % 60, 1 + n % 3)]) for n in range(1, 201)]
    products = {p: (f"SKU-{p:04d}", ("books", "garden", "toys")[p % 3]) for p in range(1, 61)}
    return ShopFacts(window_end=day + timedelta(days=1), orders=orders, customer_ids=list(range(1, 401)),
                     products=products)


def _landed_hours(tmp: Path) -> dict[str, dict[str, bytes]]:
    """The day's web-server files (bad lines and duplicates among them), by the hour they land in."""
    options = ClickstreamOptions(seed=14, days=1.0, bad_share=0.03, duplicate_share=0.02, huge_line_bytes=300_000)
    write_events(build_events(_shop_facts(), options), tmp, options)
    hours: dict[str, dict[str, bytes]] = {}
    for path in sorted(tmp.glob("web-*.jsonl")):
        hour = path.name.split(".")[1]  # web-01.2025-07-14-10.<written>.jsonl
        hours.setdefault(f"{hour[:10]}-{hour[11:13]}:00", {})[path.name] = path.read_bytes()
    assert all(h.startswith(DAY) for h in hours) and len(hours) > 12, sorted(hours)
    return hours


@pytest.fixture(scope="module")
def cluster(stack):
    stack.up(["spark-cluster"], report=lambda _: None)
    assert len(alive_workers()) == 2
    yield stack
    stack.down(["spark-cluster"], report=lambda _: None)  # its three JVMs leave the machine to the rest


@pytest.fixture(scope="module")
def modes(cluster, settings, test_resources) -> dict[str, dict]:
    """The test resources twice: on the stack's Thrift Server (local mode) and on the cluster's, each
    with a lake on HDFS and Hive databases (`local_*`, `cluster_*`) of its own, emptied."""
    modes = {mode: {**test_resources,
                    "lake": lake_at(f"hdfs://{settings.hdfs_host}:{settings.hdfs_port}/{mode}-mode-lake",
                                    settings.webhdfs_url),
                    "hive": HiveServer2Resource(host=settings.hive_host, port=port, username=settings.hive_user,
                                                database_prefix=f"{mode}_")}
             for mode, port in (("local", settings.hive_port), ("cluster", CLUSTER_THRIFT_PORT))}
    for resources in modes.values():
        for database in ("raw", "curated", "warehouse"):
            resources["hive"].empty_database(database)
        fs, _ = resources["lake"].filesystem()
        fs.delete_dir_contents(resources["lake"].path(""), missing_dir_ok=True)
    return modes


@pytest.fixture(scope="module")
def runs(modes, tmp_path_factory):
    """The day landed and parsed (one range run, as the landing sensor asks), then sessionized, once
    per mode; each mode's per-hour counts from its parse."""
    hours = _landed_hours(tmp_path_factory.mktemp("web"))
    counts = {}
    for mode, resources in modes.items():
        for hour, files in hours.items():
            land(resources["lake"], hour, files)
        resources["clickstream"] = ClickstreamLandingResource(landing_dir=LANDING)
        with dg.DagsterInstance.ephemeral() as instance:
            parsed = dg.materialize([clickstream_events], resources=resources, instance=instance,
                                    tags={"dagster/asset_partition_range_start": min(hours),
                                          "dagster/asset_partition_range_end": max(hours)})
            assert parsed.success, mode
            assert dg.materialize([sessions], partition_key=DAY, resources=resources, instance=instance).success
        counts[mode] = {e.partition: {k: v.value for k, v in e.materialization.metadata.items()
                                      if k in ("lines_read", "accepted", "rejected", "duplicates")}
                        for e in parsed.get_asset_materialization_events() if e.asset_key == EVENTS_KEY}
    return counts


def _rows(modes, sql: str) -> dict[str, list[tuple]]:
    """The rows of `sql` in each mode, its `{curated}` and `{warehouse}` that mode's databases."""
    return {mode: modes[mode]["hive"].query(sql.format(curated=modes[mode]["hive"].db("curated"),
                                                       warehouse=modes[mode]["hive"].db("warehouse")))
            for mode in MODES}


@pytest.fixture(scope="module")
def dimensions(modes, mysql, shop_tables):
    """Two imports of the test shop's customers with changes between them (a tier change, a rename,
    a deletion), the same loads in both lakes, then the customer dimension built from both in each
    mode: the SCD-2 apply, on the cluster and locally."""
    load_fresh_shop(mysql, shop_tables)
    local = modes["local"]
    run_import(mysql, local["lake"], CUSTOMERS, new_load_id(), engine=PyMySQLEngine())  # L1
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute("UPDATE customers SET tier = IF(tier = 'gold', 'silver', 'gold') WHERE customer_id = 1")
        cur.execute("UPDATE customers SET first_name = 'Renamed' WHERE customer_id = 2")
        conn.commit()
    delete_customers(mysql, [3])
    result = run_import(mysql, local["lake"], CUSTOMERS, new_load_id(), engine=PyMySQLEngine())  # L2
    # The cluster's lake gets the same load folders (their snapshot times with them).
    fs, _ = local["lake"].filesystem()
    target = modes["cluster"]["lake"].path(table_dir("customers"))
    fs.create_dir(target, recursive=True)
    pafs.copy_files(local["lake"].path(table_dir("customers")), target, source_filesystem=fs,
                    destination_filesystem=fs)
    for resources in modes.values():
        publish_raw_table(resources["hive"], resources["lake"], CUSTOMERS, result.columns,
                          published_loads(resources["lake"], "customers"), result.base_load_id)
        apply_loads(resources["hive"], resources["lake"], DIM_CUSTOMER, new_version("cluster-test"))
    return modes


# The landed file as `dt=…/hr=…/name`: the lake roots differ between the modes.
FILE = "substring_index(source_file, '/', -3)"


def test_the_cluster_thrift_server_runs_its_tasks_on_both_workers(runs):
    with urllib.request.urlopen(f"http://127.0.0.1:{CLUSTER_THRIFT_UI_PORT}/api/v1/applications") as resp:
        [app] = json.load(resp)
    with urllib.request.urlopen(f"http://127.0.0.1:{CLUSTER_THRIFT_UI_PORT}/api/v1/applications/"
                                f"{app['id']}/executors") as resp:
        executors = [e for e in json.load(resp) if e["id"] != "driver"]
    # One executor per worker, each a JVM of its own (its own port), and each ran part of the work.
    assert len(executors) == 2 and len({e["hostPort"] for e in executors}) == 2, executors
    assert all(e["totalTasks"] > 0 for e in executors), executors


def test_events_are_the_same_row_for_row_in_both_modes(modes, runs):
    got = _rows(modes, "SELECT event_id, event_type, CAST(event_ts AS STRING), customer_id, device_id, channel, page, "
                      f"query, product_id, category, quantity, order_id, CAST(attributes AS STRING), source_format, "
                      f"{FILE}, hr FROM {{curated}}.clickstream_events WHERE dt = '{DAY}' ORDER BY event_id")
    assert len(got["local"]) > 2000
    assert got["cluster"] == got["local"]


def test_rejects_and_their_reasons_are_the_same_in_both_modes(modes, runs):
    got = _rows(modes, f"SELECT hr, reason, detail, {FILE}, line_bytes, md5(raw_line), source_format "
                      f"FROM {{curated}}.clickstream_rejects WHERE dt = '{DAY}' ORDER BY 1, 2, 3, 4, 5, 6")
    assert len({row[1] for row in got["local"]}) >= 5  # several reasons, the 300 kB line's among them
    assert got["cluster"] == got["local"]


def test_each_hours_counts_are_the_same_in_both_modes(runs):
    counts = runs
    assert len(counts["local"]) > 12 and sum(c["duplicates"] for c in counts["local"].values()) > 0
    assert counts["cluster"] == counts["local"]


def test_sessions_are_the_same_in_both_modes(modes, runs):
    got = _rows(modes, f"SELECT * FROM {{curated}}.sessions WHERE dt = '{DAY}' ORDER BY session_id")
    assert len(got["local"]) > 500 and any(row[11] for row in got["local"])  # some converted
    assert got["cluster"] == got["local"]


def test_the_cluster_listens_on_loopback_only(cluster):
    found = {name: ports for name, ports in cluster.listeners().items() if name in cluster.cluster_names()}
    assert set(found) == set(cluster.cluster_names())
    assert {7077, 8080, 8081, 8082, CLUSTER_THRIFT_PORT, CLUSTER_THRIFT_UI_PORT} <= {x.port for p in found.values()
                                                                                    for x in p}
    exposed = {name: [str(x) for x in ports if not x.loopback] for name, ports in found.items()}
    assert not any(exposed.values()), exposed


def test_the_scd2_customer_dimension_is_the_same_in_both_modes(dimensions):
    got = _rows(dimensions, "SELECT * FROM {warehouse}.dim_customer ORDER BY customer_id, valid_from")
    touched = [row for row in got["local"] if row[1] in (1, 2, 3)]
    # 1: two versions (a tracked change); 2: one (a rename is not tracked); 3: closed, then deleted.
    assert len(got["local"]) > 100 and len(touched) == 5, touched
    assert got["cluster"] == got["local"]
