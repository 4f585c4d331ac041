"""Benchmark: one 1,000,000-row `orders` table imported by each ingestion path, side by side.

    .venv/bin/python -m bench.ingest_benchmark [--scale 1.0] [--skip-generate]

Needs the local stack (`dataplatform stack up`). Loads a shop at --scale into the `shop_bench`
schema, then times, each in its own process (wall time and peak resident memory of the whole
process tree, sampled every 0.1 s):

- `mariadb-dump` of the table to a local file: the floor, nothing can read MySQL much faster;
- the platform's import, full load into HDFS published atomically, with each of its engines:
  `connectorx` (Arrow-native), `pymysql` (inside the import's snapshot), `spark` (Spark JDBC) and
  `sqoop` (the Sqoop CLI), twice in one process: "cold process" is the process's wall time less
  its second import (Python start, imports, first connections, the first import, cleanup and exit:
  a little more than a process doing one import), "warm worker" the second import alone (what
  each further table costs a run that is already going);
- `sqoop`: Apache Sqoop 1.4.7 on the local job runner into HDFS, on its own;
- `spark-jdbc`: Spark's JDBC reader writing Parquet to HDFS on its own, cold (including session
  start) and warm (a second import in the same session).

Prints a table with rows/s and the ratio to mariadb-dump, and writes it to
docs/benchmarks/ingest.md. A benchmark, not a test: nothing here asserts a target.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from bench.measure import measure, publish_results
from dataplatform.paths import REPO_ROOT

DATABASE = "shop_bench"
TABLE = "orders"
RESULTS = REPO_ROOT / "docs" / "benchmarks" / "ingest.md"


@dataclass
class Measurement:
    engine: str
    seconds: float
    peak_mb: float
    rows: int
    note: str = ""


def _settings():
    from dataplatform.settings import load_settings
    return load_settings()


def _bench_lake_root() -> str:
    s = _settings()
    return f"hdfs://{s.hdfs_host}:{s.hdfs_port}/bench-lake"


# --- the engines, each run in a child process -----------------------------------------------

def child_arrow() -> dict:
    from dagster_pyspark import LazyPySparkResource

    from dataplatform.paths import sqoop_launcher_path
    from dataplatform_assets.ingestion.engine_choice import engine_named
    from dataplatform_assets.ingestion.spark_engine import IMPORT_SPARK_CONFIG
    from dataplatform_assets.ingestion.table_import import drop_superseded_loads, new_load_id, run_import
    from dataplatform_assets.ingestion.tables import SourceTable
    from resources.lake import lake_at
    from resources.sqoop import SqoopResource

    s = _settings()
    mysql = s.mysql(database=DATABASE)
    lake = lake_at(f"{_bench_lake_root()}/arrow", s.webhdfs_url)
    spec = SourceTable(TABLE, ("order_id",), "benchmark copy of orders", num_partitions=2)
    engine = engine_named(os.environ.get("BENCH_ENGINE") or spec.engine,
                          sqoop=SqoopResource(executable=str(sqoop_launcher_path())),
                          spark=LazyPySparkResource(spark_config=IMPORT_SPARK_CONFIG))
    seconds = []
    for _ in range(2):  # the second import shows what each table costs a worker already running
        started = time.monotonic()
        result = run_import(mysql, lake, spec, new_load_id(), engine=engine)
        seconds.append(time.monotonic() - started)
        drop_superseded_loads(lake, TABLE, result.base_load_id)
    return {"rows": result.rows, "warm_s": seconds[1]}


def child_spark() -> dict:
    from pyspark.sql import SparkSession

    s = _settings()
    started = time.monotonic()
    spark = (SparkSession.builder.appName("ingest-benchmark").config("spark.ui.enabled", "false")
             .config("spark.driver.memory", "2g").getOrCreate())
    url = f"jdbc:mysql://{s.mysql_host}:{s.mysql_port}/{DATABASE}"
    props = {"user": s.mysql_user, "password": s.mysql_password(), "driver": "org.mariadb.jdbc.Driver",
             "fetchsize": "10000"}

    def import_once(target: str) -> int:
        frame = spark.read.jdbc(url, TABLE, column="order_id", lowerBound=1, upperBound=1_000_000,
                                numPartitions=2, properties=props)
        frame.write.mode("overwrite").parquet(target)
        return spark.read.parquet(target).count()

    rows = import_once(f"{_bench_lake_root()}/spark/cold")
    cold = time.monotonic() - started
    t = time.monotonic()
    import_once(f"{_bench_lake_root()}/spark/warm")
    warm = time.monotonic() - t
    spark.stop()
    return {"rows": rows, "cold_s": cold, "warm_s": warm}


CHILDREN = {"arrow": child_arrow, "spark": child_spark}


# --- the parent ---------------------------------------------------------------------------------

def generate(scale: float) -> int:
    from dataplatform.generator.loader import load_tables
    from dataplatform.generator.shop import ShopSize, build_shop

    mysql = _settings().mysql(database=DATABASE)
    mysql.ensure_database()
    tables = build_shop(42, ShopSize.from_scale(scale))
    load_tables(mysql.connect, tables, report=lambda line: print(line, flush=True))
    return tables[TABLE].num_rows


def table_rows() -> int:

    with _settings().mysql(database=DATABASE).connect() as conn, conn.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM {TABLE}")
        return int(cur.fetchone()[0])


def run_dump(rows: int) -> Measurement:
    s = _settings()
    with tempfile.TemporaryDirectory() as tmp:
        cnf = s.mysql(database=DATABASE).client_options_file(Path(tmp))
        out = Path(tmp) / "orders.sql"
        # Best of three: the floor must not be flattered by one slow run.
        seconds, peak, _ = min(measure(["mariadb-dump", f"--defaults-extra-file={cnf}", "--single-transaction",
                                        "--quick", f"--result-file={out}", DATABASE, TABLE]) for _ in range(3))
    return Measurement("mariadb-dump (floor)", seconds, peak, rows, "best of 3")


def run_child(name: str, env: dict[str, str] | None = None) -> tuple[float, float, dict]:
    seconds, peak, out = measure([sys.executable, "-m", "bench.ingest_benchmark", "--child", name], env=env)
    return seconds, peak, json.loads(out.strip().splitlines()[-1])


def run_sqoop(rows: int) -> Measurement:
    s = _settings()
    seconds, peak, _ = measure([sys.executable, "-m", "dataplatform.cli", "sqoop", "import",
                                "--connect", f"jdbc:mariadb://{s.mysql_host}:{s.mysql_port}/{DATABASE}",
                                "--table", TABLE, "--target-dir", f"{_bench_lake_root()}/sqoop",
                                "--delete-target-dir", "-m", "1"])
    return Measurement("sqoop 1.4.7 (local runner)", seconds, peak, rows)


def report(rows: int, results: list[Measurement]) -> str:
    floor = results[0].seconds
    lines = [f"# Ingestion benchmark: `{TABLE}`, {rows:,} rows", "",
             f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on this project's 2-core, 24 GB machine "
             "with `python -m bench.ingest_benchmark` (the local stack running). Each path runs in its own "
             "process; peak memory is the resident set of its whole process tree.", "",
             "| path | wall s | rows/s | peak MB | time vs mariadb-dump | note |", "|---|---|---|---|---|---|"]
    for m in results:
        lines.append(f"| {m.engine} | {m.seconds:.1f} | {m.rows / m.seconds:,.0f} | {m.peak_mb:,.0f} | "
                     f"{m.seconds / floor:.2f}x | {m.note} |")
    sqoop = next(m for m in results if m.engine.startswith("sqoop 1.4.7"))
    fast = [m for m in results if m.engine.startswith("connectorx")]
    lines += ["", "Real Sqoop's time over the fast engine's: "
              + ", ".join(f"{sqoop.seconds / m.seconds:.1f}x ({m.engine.split(', ')[1]})" for m in fast) + "."]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="shop scale; 1.0 = 1,000,000 orders")
    parser.add_argument("--skip-generate", action="store_true", help="reuse the shop_bench schema as it is")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child]()))
        return 0
    if not args.skip_generate:
        print(f"loading a shop at scale {args.scale} into {DATABASE}", flush=True)
        generate(args.scale)
    rows = table_rows()
    results = [run_dump(rows)]
    print(f"mariadb-dump: {results[0].seconds:.1f}s", flush=True)
    from dataplatform.localstack.thriftserver import spark_env
    from dataplatform.paths import state_dir
    for engine, note in (("connectorx", "platform engine (default): full load, Parquet over WebHDFS"),
                         ("pymysql", "platform engine inside the snapshot: same load"),
                         ("spark", "platform engine: Spark JDBC, 2 partitions, session start included"),
                         ("sqoop", "platform engine: Sqoop 1.4.7 text -> Parquet, 1 mapper (local runner)")):
        env = dict(spark_env(state_dir() / "conf" / "spark"), BENCH_ENGINE=engine)
        seconds, peak, out = run_child("arrow", env=env)
        cold = seconds - out["warm_s"]
        results.append(Measurement(f"{engine} (platform), cold process", cold, peak, out["rows"],
                                   f"{note}; Python start and imports included"))
        results.append(Measurement(f"{engine} (platform), warm worker", out["warm_s"], peak, out["rows"],
                                   "second import in the same process, as a run's later tables pay"))
        print(f"{engine}: {cold:.1f}s cold, {out['warm_s']:.1f}s warm", flush=True)
    results.append(run_sqoop(rows))
    print(f"sqoop: {results[-1].seconds:.1f}s", flush=True)
    seconds, peak, out = run_child("spark", env=spark_env(state_dir() / "conf" / "spark"))
    results.append(Measurement("spark-jdbc, cold", out["cold_s"], peak, out["rows"],
                               "session start included; 2 partitions"))
    results.append(Measurement("spark-jdbc, warm", out["warm_s"], peak, out["rows"], "same session, second import"))
    text = report(rows, results)
    publish_results(RESULTS, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
