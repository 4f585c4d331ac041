"""Benchmark: the customer 360° table in HBase, in one run.

    .venv/bin/python -m bench.customer_360_benchmark [--customers 100000] [--lookups 10000]

Needs the local stack (`dataplatform stack up`). A shop of N customers (3 orders each on average)
is generated into the MySQL schema `shop_bench`, imported and built into the warehouse under the
`bench_` Hive databases and a separate `bench-lake`; the HBase tables get the prefix `bench_`.
There is no clickstream in this shop (the curated tables are empty). Timed, through the platform's
own code (dataplatform_assets/serving/refresh.py):

1. writes of N customer rows (every cell the refresh writes) into a pre-split table: batched as the
   refresh writes (1,000 rows per Thrift call, two connections in flight) against one put per row;
2. the first refresh; then a change batch touching 1% of the customers (their tier) is imported
   and applied to the dimension (not timed), and the incremental refresh that follows is timed
   against a full rebuild of the same state; both include computing the values and finding what
   changed, with the seconds of each step (compute, diff, write, publish);
3. random single-key lookups through Thrift (`dataplatform customer`'s read: the row and the
   refresh row in one call): p50/p95/p99.

Prints the figures and writes them to docs/benchmarks/customer_360.md. A benchmark, not a test:
nothing here asserts a target.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from datetime import datetime, timezone
from decimal import Decimal

from bench.measure import publish_results
from dataplatform.paths import REPO_ROOT
from resources.sql import statement

RESULTS = REPO_ROOT / "docs" / "benchmarks" / "customer_360.md"
BENCH_DATABASE = "shop_bench"
BENCH_SQL = "bench/customer_360.sql"


def _resources():
    from dagster_pyspark import LazyPySparkResource

    from dataplatform.settings import load_settings
    from dataplatform_assets.ingestion.engine_choice import ImportEngineResource
    from dataplatform_assets.ingestion.spark_engine import IMPORT_SPARK_CONFIG
    from resources.hive import HiveServer2Resource
    from resources.lake import lake_at
    from resources.sqoop import SqoopResource

    s = load_settings()
    return {"mysql": s.mysql(database=BENCH_DATABASE),
            "hive": HiveServer2Resource(host=s.hive_host, port=s.hive_port, username=s.hive_user,
                                        database_prefix="bench_"),
            "lake": lake_at(f"hdfs://{s.hdfs_host}:{s.hdfs_port}/bench-lake/c360", s.webhdfs_url),
            "hbase": s.hbase(table_prefix="bench_"), "sqoop": SqoopResource(executable=s.sqoop_bin),
            "spark": LazyPySparkResource(spark_config=IMPORT_SPARK_CONFIG), "import_engine": ImportEngineResource()}


def _build(resources, tables: tuple[str, ...]) -> None:
    import dagster as dg

    from dataplatform_assets.ingestion.assets import build_import_asset
    from dataplatform_assets.ingestion.tables import SHOP_TABLES
    from dataplatform_assets.warehouse.assets import dimension_assets
    from dataplatform_assets.warehouse.derived import build_derived_asset
    from dataplatform_assets.warehouse.facts import FACTS

    assets = [build_import_asset(t) for t in SHOP_TABLES if t.name in tables] + dimension_assets + \
        [build_derived_asset(f) for f in FACTS]
    result = dg.materialize(assets, resources={k: v for k, v in resources.items() if k != "hbase"},
                            instance=dg.DagsterInstance.ephemeral())
    if not result.success:
        raise RuntimeError("building the bench warehouse failed")


def _prepare(resources, customers: int, seed: int) -> None:
    from dataplatform.generator.loader import load_tables
    from dataplatform.generator.shop import ShopSize, build_shop
    from dataplatform_assets.serving import customer_360_table as design

    mysql, hive, lake, hbase = (resources[k] for k in ("mysql", "hive", "lake", "hbase"))
    mysql.ensure_database()
    load_tables(mysql.connect, build_shop(seed, ShopSize(customers, 1_000, customers * 3)), report=lambda _: None)
    fs, _ = lake.filesystem()
    fs.delete_dir_contents(lake.path(""), missing_dir_ok=True)
    for db in ("raw", "warehouse", "marts", "curated"):
        hive.empty_database(db)
    for table in (design.TABLE, design.EMAIL_INDEX, "write_bench"):
        hbase.delete_table(table)
    _build(resources, ("customers", "products", "orders", "order_items"))


def _synthetic(i: int) -> dict:
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    return {"customer_id": i, "customer_sk": 10**15 + i, "valid_from": now, "email": f"c{i}@example.com",
            "first_name": "Bench", "last_name": f"Customer{i}", "phone": "+49 30 1234567", "city": "Berlin",
            "state": "BE", "country": "DE", "tier": "gold", "status": "active", "marketing_opt_in": True,
            "created_at": now, "versions": 2, "history": '[{"valid_from":"2026-01-01T00:00:00.000Z","tier":"gold"}]',
            "orders": 7, "kept_orders": 6, "revenue": Decimal("612.40"), "aov": Decimal("102.07"),
            "first_order_ts": now, "last_order_ts": now, "orders_30d": 1, "revenue_30d": Decimal("80.00"),
            "orders_90d": 2, "revenue_90d": Decimal("150.00"), "sessions": 12, "last_seen": now, "devices": 2,
            "sessions_with_product_view": 9, "sessions_with_cart": 4, "sessions_with_checkout": 3,
            "sessions_converted": 2,
            "recent_orders": '[{"order_ts":"2026-01-01T00:00:00.000Z","order_id":1,"status":"paid"}]' * 1,
            "recent_events": '[{"event_ts":"2026-01-01T00:00:00.000Z","event_type":"page_view","page":"/"}]'}


def bench_writes(hbase, rows: int) -> dict[str, float]:
    from dataplatform_assets.serving import customer_360_table as design

    hbase.ensure_table("write_bench", {f.name: f.ttl_seconds for f in design.FAMILIES}, design.split_keys())
    cells = [(design.row_key(i), design.cells(_synthetic(i), {})) for i in range(1, rows + 1)]
    # The rows are built ahead so only the writes are timed; freezing them keeps Python's garbage
    # collector from walking their millions of objects on every collection during the writes
    # (which the refresh, building each batch as it goes, never holds).
    gc.freeze()
    ts = int(time.time() * 1000)
    started = time.monotonic()
    hbase.write_concurrently(("write_bench", ts, cells[start:start + 1000], ()) for start in range(0, rows, 1000))
    batched = time.monotonic() - started
    started = time.monotonic()
    for row in cells:
        hbase.write("write_bench", ts + 1, puts=[row])
    single = time.monotonic() - started
    hbase.delete_table("write_bench")
    gc.unfreeze()
    return {"batched": batched, "single": single}


def bench_refresh(resources, customers: int) -> dict[str, object]:
    from dataplatform_assets.serving.refresh import refresh

    hive, lake, hbase, mysql = (resources[k] for k in ("hive", "lake", "hbase", "mysql"))
    first = refresh(hive, lake, hbase, "benchfirst")
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute(statement(BENCH_SQL, "change_tiers"))
        changed = cur.rowcount
        conn.commit()
    _build(resources, ("customers",))
    started = time.monotonic()
    incremental = refresh(hive, lake, hbase, "benchincr")
    incremental_s = time.monotonic() - started
    started = time.monotonic()
    full = refresh(hive, lake, hbase, "benchfull", full=True)
    full_s = time.monotonic() - started
    return {"first": first, "changed_in_shop": changed, "incremental": incremental, "incremental_s": incremental_s,
            "full": full, "full_s": full_s}


def bench_lookups(hbase, customers: int, lookups: int, seed: int) -> list[float]:
    from dataplatform_assets.serving.lookup import by_id

    rng = random.Random(seed)
    by_id(hbase, 1)  # open the pooled connection
    latencies = []
    for _ in range(lookups):
        started = time.perf_counter()
        view = by_id(hbase, rng.randint(1, customers))
        latencies.append((time.perf_counter() - started) * 1000)
        if view is None:
            raise RuntimeError("a generated customer is missing from the 360° table")
    return latencies


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000)[int(q * 1000) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    resources = _resources()
    print(f"preparing a shop of {args.customers:,} customers in {BENCH_DATABASE} and its warehouse ...", flush=True)
    _prepare(resources, args.customers, args.seed)
    print("writes: batched vs one put per row ...", flush=True)
    writes = bench_writes(resources["hbase"], args.customers)
    print("refreshes: first, incremental after a 1% change, full rebuild ...", flush=True)
    runs = bench_refresh(resources, args.customers)
    print(f"{args.lookups:,} random lookups ...", flush=True)
    latencies = bench_lookups(resources["hbase"], args.customers, args.lookups, args.seed)

    n = args.customers
    inc, full = runs["incremental"], runs["full"]

    def steps(result) -> str:
        return ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items())

    lines = [
        "# Customer 360° benchmark", "",
        f"Run {datetime.now(timezone.utc):%Y-%m-%d} with `python -m bench.customer_360_benchmark --customers {n} "
        f"--lookups {args.lookups}` on the local stack (2 cores); no clickstream in the bench shop.", "",
        f"## Writes of {n:,} customer rows, every cell the refresh writes", "",
        "| how | seconds | rows/s |", "|---|---:|---:|",
        f"| batched, 1,000 rows per Thrift call, 2 in flight | {writes['batched']:.1f} "
        f"| {n / writes['batched']:,.0f} |",
        f"| one put per row | {writes['single']:.1f} | {n / writes['single']:,.0f} |",
        f"| **ratio** | **{writes['single'] / writes['batched']:.1f}x** faster batched | |", "",
        f"## Incremental refresh after a change to 1% of the customers ({runs['changed_in_shop']:,} rows)", "",
        "| run | seconds | customers written | where the seconds go |", "|---|---:|---:|---|",
        f"| first refresh (empty table) | {sum(runs['first'].seconds.values()):.1f} | {runs['first'].changed:,} | "
        f"{steps(runs['first'])} |",
        f"| incremental | {runs['incremental_s']:.1f} | {inc.changed:,} | {steps(inc)} |",
        f"| full rebuild | {runs['full_s']:.1f} | {full.changed:,} | {steps(full)} |",
        f"| **ratio incremental / full** | **{runs['incremental_s'] / runs['full_s']:.2f}** | | |", "",
        f"## {args.lookups:,} random single-key lookups through Thrift", "",
        "| p50 ms | p95 ms | p99 ms | max ms |", "|---:|---:|---:|---:|",
        f"| {_pct(latencies, 0.5):.2f} | {_pct(latencies, 0.95):.2f} | {_pct(latencies, 0.99):.2f} | "
        f"{max(latencies):.2f} |",
    ]
    publish_results(RESULTS, "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
