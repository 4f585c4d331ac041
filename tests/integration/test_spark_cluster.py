"""Cluster mode: the local stack's Spark standalone cluster (a master and two workers, each its own
process, and a Thrift Server whose executors the workers start) runs the clickstream parse, the
sessions, the SCD-2 customer dimension, an import with the Spark engine (its session's executors on
the workers too) and the customer 360° build on the same inputs as local mode (the stack's Thrift
Server, a local[2] session), each with a lake, Hive databases and HBase tables of its own, and the
two give the same rows, rejects, counts, sessions, dimension versions, imported rows and 360° rows."""

from __future__ import annotations

import json
import urllib.request
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import dagster as dg
import pyarrow.fs as pafs
import pytest
from dagster_pyspark import LazyPySparkResource

from dataplatform.generator.clickstream import ClickstreamOptions, ShopFacts, build_events, write_events
from dataplatform.localstack.spark_cluster import (
    CLUSTER_THRIFT_PORT,
    CLUSTER_THRIFT_UI_PORT,
    WORKERS,
    alive_workers,
    application_conf,
    master_state,
)
from dataplatform_assets.clickstream.assets import EVENTS_KEY, clickstream_events, sessions
from dataplatform_assets.clickstream.curated_tables import new_version
from dataplatform_assets.clickstream.landing import ClickstreamLandingResource
from dataplatform_assets.ingestion.load_state import published_loads, table_dir
from dataplatform_assets.ingestion.pymysql_engine import PyMySQLEngine
from dataplatform_assets.ingestion.raw_tables import current_view_name, publish_raw_table
from dataplatform_assets.ingestion.spark_engine import IMPORT_SPARK_CONFIG, SparkEngine
from dataplatform_assets.ingestion.table_import import new_load_id, run_import
from dataplatform_assets.ingestion.tables import SHOP_TABLES
from dataplatform_assets.serving import customer_360_table as design
from dataplatform_assets.serving.refresh import MIRROR_VERSION, refresh
from dataplatform_assets.warehouse.derived import rebuild_table
from dataplatform_assets.warehouse.dimensions import DIM_CUSTOMER, DIM_PRODUCT
from dataplatform_assets.warehouse.facts import FACT_ORDERS
from dataplatform_assets.warehouse.scd2 import apply_loads
from resources.hive import HiveServer2Resource
from resources.lake import lake_at
from tests.integration.clickstream_corpus import LANDING, land
from tests.integration.helpers import delete_customers, load_fresh_shop, use_spark_conf

CUSTOMERS, PRODUCTS = (next(t for t in SHOP_TABLES if t.name == name) for name in ("customers", "products"))
# Imported with the Spark engine in four range reads on the key, so both executors get some.
SPARK_IMPORTS = [replace(t, num_partitions=4) for t in SHOP_TABLES if t.name in ("orders", "order_items")]
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
    """The rows of `sql` in each mode, its `{raw}`, `{curated}` and `{warehouse}` that mode's databases."""
    return {mode: modes[mode]["hive"].query(sql.format(**{db: modes[mode]["hive"].db(db)
                                                          for db in ("raw", "curated", "warehouse")}))
            for mode in MODES}


@pytest.fixture(scope="module")
def dimensions(modes, mysql, shop_tables):
    """Two imports of the test shop's customers with changes between them (a tier change, a rename,
    a deletion) and one of its products, the same loads in both lakes, then the customer and product
    dimensions built from them in each mode: the SCD-2 apply, on the cluster and locally."""
    load_fresh_shop(mysql, shop_tables)
    local = modes["local"]
    run_import(mysql, local["lake"], CUSTOMERS, new_load_id(), engine=PyMySQLEngine())  # L1
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute("UPDATE customers SET tier = IF(tier = 'gold', 'silver', 'gold') WHERE customer_id = 1")
        cur.execute("UPDATE customers SET first_name = 'Renamed' WHERE customer_id = 2")
        conn.commit()
    delete_customers(mysql, [3])
    results = {spec: run_import(mysql, local["lake"], spec, new_load_id(), engine=PyMySQLEngine())  # L2
               for spec in (CUSTOMERS, PRODUCTS)}
    # The cluster's lake gets the same load folders (their snapshot times with them).
    fs, _ = local["lake"].filesystem()
    for spec in results:
        target = modes["cluster"]["lake"].path(table_dir(spec.name))
        fs.create_dir(target, recursive=True)
        pafs.copy_files(local["lake"].path(table_dir(spec.name)), target, source_filesystem=fs,
                        destination_filesystem=fs)
    for resources in modes.values():
        for spec, result in results.items():
            publish_raw_table(resources["hive"], resources["lake"], spec, result.columns,
                              published_loads(resources["lake"], spec.name), result.base_load_id)
        for dimension in (DIM_CUSTOMER, DIM_PRODUCT):
            apply_loads(resources["hive"], resources["lake"], dimension, new_version("cluster-test"))
    return modes


def _stop_spark_session(unless_master: str | None = None) -> None:
    """Stop this process's one Spark context, if any, unless it runs on `unless_master`."""
    from pyspark import SparkContext

    context = SparkContext._active_spark_context  # pyspark has no public accessor that would not start one
    if context is not None and context.master != unless_master:
        context.stop()


@contextmanager
def _spark_session(conf: dict[str, str]):
    """A Spark session in this process (an import's, over the stack's Spark conf and `conf`): a
    process has one, so a session an earlier test left on another master is stopped first, and
    this one after."""
    _stop_spark_session(unless_master=conf.get("spark.master", "local[2]"))  # spark-defaults' master
    spark = LazyPySparkResource(spark_config={**IMPORT_SPARK_CONFIG, **conf})
    try:
        yield spark
    finally:
        _stop_spark_session()


@pytest.fixture(scope="module")
def spark_imports(dimensions, mysql):
    """Orders and their lines imported from the same shop with the Spark engine in each mode (the
    session on local[2] here, on the cluster's free slots there, beside its Thrift Server) and
    published as that mode's raw tables; the cluster's applications while its import ran."""
    during = {}
    with pytest.MonkeyPatch.context() as patch:
        use_spark_conf(patch.setenv)
        for mode, conf in (("local", {}), ("cluster", application_conf())):
            resources = dimensions[mode]
            with _spark_session(conf) as spark:
                for spec in SPARK_IMPORTS:
                    result = run_import(mysql, resources["lake"], spec, new_load_id(), engine=SparkEngine(spark))
                    assert result.rows > 1000, (mode, spec.name, result)
                    publish_raw_table(resources["hive"], resources["lake"], spec, result.columns,
                                      published_loads(resources["lake"], spec.name), result.base_load_id)
                if mode == "cluster":
                    during = {app["name"]: app["cores"] for app in master_state()["activeapps"]}
    return dimensions, during


@pytest.fixture(scope="module")
def customer_360_tables(spark_imports, runs, settings):
    """The order facts, then the customer 360° table (full rebuild) in each mode, from that mode's
    imports, dimension, events and sessions into HBase tables of its own (`local_*`, `cluster_*`)."""
    modes, _ = spark_imports
    built = {}
    for mode, resources in modes.items():
        rebuild_table(resources["hive"], resources["lake"], FACT_ORDERS, f"cluster-test-{mode}")
        hbase = settings.hbase(table_prefix=f"{mode}_")
        for table in (design.TABLE, design.EMAIL_INDEX):
            hbase.delete_table(table)
        result = refresh(resources["hive"], resources["lake"], hbase, f"cluster-test-{mode}", full=True)
        built[mode] = (hbase, result)
    return built


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


def test_a_spark_import_runs_on_the_cluster_beside_its_thrift_server(spark_imports):
    _, during = spark_imports
    # Both applications held a core on each worker at once: the import did not wait for the Thrift Server.
    assert during == {"dataplatform-import": WORKERS, "dataplatform-thriftserver-cluster": WORKERS}, during


def test_rows_imported_with_the_spark_engine_are_the_same_in_both_modes(spark_imports):
    modes, _ = spark_imports
    for spec in SPARK_IMPORTS:
        got = _rows(modes, f"SELECT * FROM {{raw}}.{current_view_name(spec.name)} ORDER BY {spec.key}")
        assert len(got["local"]) > 1000, spec.name
        assert got["cluster"] == got["local"], spec.name


def test_the_customer_360_table_is_the_same_in_both_modes(customer_360_tables):
    (local, local_result), (cluster, cluster_result) = customer_360_tables["local"], customer_360_tables["cluster"]
    assert (cluster_result.customers, cluster_result.changed, cluster_result.watermark_ms) == \
        (local_result.customers, local_result.changed, local_result.watermark_ms)
    rows = {mode: dict(hbase.scan(design.TABLE)) for mode, (hbase, _) in customer_360_tables.items()}
    stats = [design.decode_row(row)["stats"] for row in rows["local"].values()]
    # Customers of the shop with orders and with sessions from the landed day among them.
    assert len(rows["local"]) > 100 and any(s["orders"] for s in stats) and any(s["sessions"] for s in stats)
    # The refresh's own row names its run, the time and its mirror version; the rest (as-of times, counts) agree.
    refreshed = {mode: {k: v for k, v in rows[mode].pop(design.REFRESH_ROW).items()
                        if k not in (b"p:run_id", b"p:refreshed_at", MIRROR_VERSION)} for mode in rows}
    assert refreshed["cluster"] == refreshed["local"] and refreshed["local"]
    assert rows["cluster"] == rows["local"]
    assert dict(cluster.scan(design.EMAIL_INDEX)) == dict(local.scan(design.EMAIL_INDEX))
