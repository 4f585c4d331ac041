"""Benchmark: applying a change batch to an SCD-2 dimension, next to a plain copy of it.

    .venv/bin/python -m bench.warehouse_benchmark [--sizes 100000 1000000]

Needs the local stack (`dataplatform stack up`). For each size, synthetic customer loads in the
import's layout (Parquet per `load_id=`, `_state.json` with the snapshot time) are written by
Spark into a separate `bench-lake` and shown as `bench_raw.mysql_customers`: a full load of N
customers, then a change load (1% of the keys change their tier, 0.1% deleted, 0.1% new). Timed on
the Spark Thrift Server, through the platform's own code (dataplatform_assets/warehouse/scd2.py):

- the first build of `bench_warehouse.dim_customer` from the full load;
- the apply of the change load (every semantic of docs/warehouse.md; written to a new folder and
  swapped in);
- a plain copy of the dimension (`CREATE TABLE ... AS SELECT *`), the floor of any rewrite, best
  of 2;
- a rebuild from both loads, for reference.

Prints the table with the apply's ratio to the plain copy, and writes it to
docs/benchmarks/warehouse.md. A benchmark, not a test: nothing here asserts a target.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timezone

from bench.measure import publish_results
from dataplatform.paths import REPO_ROOT

RESULTS = REPO_ROOT / "docs" / "benchmarks" / "warehouse.md"
BENCH_SQL = "bench/scd2.sql"
LOADS = (("20250101T000000000Z", "2025-01-01 00:00:00.000000", "full"),
         ("20250102T000000000Z", "2025-01-02 00:00:00.000000", "lastmodified"))


def _timed(work) -> float:
    started = time.monotonic()
    work()
    return time.monotonic() - started


def bench_size(rows: int) -> dict[str, float]:
    from dataplatform.settings import load_settings
    from dataplatform_assets.clickstream.curated_tables import new_version
    from dataplatform_assets.ingestion.load_state import LoadState, table_dir, write_state
    from dataplatform_assets.ingestion.raw_tables import RAW_SQL
    from dataplatform_assets.warehouse.assets import CHECKS_SQL
    from dataplatform_assets.warehouse.dimensions import DIM_CUSTOMER
    from dataplatform_assets.warehouse.scd2 import WAREHOUSE, apply_loads, dimension_dir
    from resources.hive import HiveServer2Resource
    from resources.lake import lake_at
    from resources.sql import ident, lit, statement

    s = load_settings()
    hive = HiveServer2Resource(host=s.hive_host, port=s.hive_port, username=s.hive_user, database_prefix="bench_")
    lake = lake_at(f"hdfs://{s.hdfs_host}:{s.hdfs_port}/bench-lake/scd2-{rows}", s.webhdfs_url)
    raw_table, dim, copy = hive.table("raw", "mysql_customers"), hive.table(WAREHOUSE, "dim_customer"), \
        hive.table(WAREHOUSE, "dim_customer_copy")
    fs, _ = lake.filesystem()
    fs.delete_dir_contents(lake.path(""), missing_dir_ok=True)
    hive.execute(*(statement(RAW_SQL, "create_database", database=ident(hive.db(db)), comment=lit("benchmark"))
                   for db in ("raw", WAREHOUSE)),
                 *(statement(RAW_SQL, "drop_table", table=t) for t in (raw_table, dim, copy)),
                 statement(BENCH_SQL, "create_raw_table", table=raw_table,
                           location=lit(lake.uri(table_dir("customers")))))

    def write_load(index: int) -> None:
        load_id, snapshot, mode = LOADS[index]
        folder = f"{table_dir('customers')}/load_id={load_id}"
        hive.execute(statement(BENCH_SQL, "change_ids" if index else "full_ids", rows=lit(rows)),
                     statement(BENCH_SQL, "write_load", location=lit(lake.uri(folder))),
                     statement(RAW_SQL, "add_partition", table=raw_table, load_id=lit(load_id),
                               location=lit(lake.uri(folder))))
        write_state(lake, folder, LoadState(load_id, mode, LOADS[0][0], index, None, [], {},
                                            snapshot.replace(" ", "T") + "Z"))

    write_load(0)
    figures = {"build": _timed(lambda: apply_loads(hive, lake, DIM_CUSTOMER, new_version("bench-build")))}
    write_load(1)
    figures["apply"] = _timed(lambda: apply_loads(hive, lake, DIM_CUSTOMER, new_version("bench-apply")))

    def plain_copy() -> None:
        fs.delete_dir_contents(lake.path(f"{dimension_dir(DIM_CUSTOMER)}_copy"), missing_dir_ok=True)
        hive.execute(statement(RAW_SQL, "drop_table", table=copy),
                     statement(BENCH_SQL, "plain_copy", copy=copy, dimension=dim,
                               location=lit(lake.uri(f"{dimension_dir(DIM_CUSTOMER)}_copy"))))

    figures["copy"] = min(_timed(plain_copy) for _ in range(2))
    figures["rebuild"] = _timed(lambda: apply_loads(hive, lake, DIM_CUSTOMER, new_version("bench-rebuild"),
                                                    rebuild=True))
    figures["versions"] = int(hive.query(statement(CHECKS_SQL, "version_counts", dimension=dim))[0][0])
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000],
                        help="customers in the dimension's full load")
    args = parser.parse_args()
    lines = ["# Warehouse benchmark: SCD-2 apply against a plain copy", "",
             f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on this project's 2-core, 24 GB machine with "
             "`python -m bench.warehouse_benchmark` (the local stack running; Spark Thrift Server, local[2]). "
             "Change load: 1% of the keys change a tracked column, 0.1% deleted, 0.1% new.", "",
             "| customers | first build s | apply of the change s | plain copy s (best of 2) | apply / copy "
             "| rebuild from both loads s | versions after |",
             "|---|---|---|---|---|---|---|"]
    measured = {}
    for rows in args.sizes:
        f = measured[rows] = bench_size(rows)
        lines.append(f"| {rows:,} | {f['build']:.1f} | {f['apply']:.1f} | {f['copy']:.1f} | "
                     f"{f['apply'] / f['copy']:.2f}x | {f['rebuild']:.1f} | {f['versions']:,} |")
        print(lines[-1], flush=True)
    if len(measured) >= 2:
        # Cost as fixed + per-row, from the smallest and largest size: what grows with the table.
        small, large = min(measured), max(measured)
        per_m = {k: (measured[large][k] - measured[small][k]) / (large - small) * 1e6 for k in ("apply", "copy")}
        fixed = {k: measured[small][k] - per_m[k] * small / 1e6 for k in per_m}
        lines += ["", f"Fitted from {small:,} and {large:,} customers: the apply costs about {fixed['apply']:.1f} s "
                      f"fixed (metastore calls, load states and the version record over WebHDFS) plus "
                      f"{per_m['apply']:.1f} s per million customers; the plain copy {fixed['copy']:.1f} s plus "
                      f"{per_m['copy']:.1f} s per million. Per row the apply costs "
                      f"{per_m['apply'] / per_m['copy']:.2f}x the copy."]
    publish_results(RESULTS, "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
