"""Benchmark: what importing `orders` costs as the table grows, and what one change costs.

    .venv/bin/python -m bench.change_capture_benchmark [--sizes 1,5,10] [--change-rows 10000]

Needs the local stack and the `shop_bench` schema of bench.ingest_benchmark (loaded here at scale
1.0 when missing). For each size (millions of rows) `shop_scale.orders` is rebuilt from
`shop_bench.orders`, copied under new keys until it holds that many rows, and measured:

- `mariadb-dump` of the table (the floor), best of three;
- the platform's full load (connectorx, binlog capture) in a worker that already ran one, best of
  three: wall time, the source's CPU time (mariadbd's, from /proc) and the peak memory of the
  whole process;
- at the first and last size, one change batch of --change-rows rows (70% updates, 10% updates
  that move `updated_at` into the past, 10% deletes, 10% inserts), then an incremental run with
  binlog capture and one with checksum capture (both in a running worker), next to real Sqoop
  1.4.7's `--incremental lastmodified --merge-key` import of the same change (as its command runs).

The same change batch at every size: cost that follows the change stays flat as the table grows.
Prints a table and writes it to docs/benchmarks/change_capture.md. Nothing here asserts a target.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bench.measure import measure, publish_results
from dataplatform.paths import REPO_ROOT
from resources.mysql import MySQLError
from resources.sql import Sql, ident, lit, lits, statement

SOURCE_DATABASE, DATABASE, TABLE = "shop_bench", "shop_scale", "orders"
BASE_ROWS = 1_000_000
SQL = "bench/change_capture.sql"
RESULTS = REPO_ROOT / "docs" / "benchmarks" / "change_capture.md"


def _settings():
    from dataplatform.settings import load_settings
    return load_settings()


def _qualified(database: str) -> Sql:
    return Sql(f"{ident(database).text}.{ident(TABLE).text}")


def _sql(name: str, database: str = DATABASE, **values: Sql) -> str:
    return statement(SQL, name, copy=_qualified(database), **values)


def _lake(name: str):
    from resources.lake import lake_at
    s = _settings()
    return lake_at(f"hdfs://{s.hdfs_host}:{s.hdfs_port}/bench-lake/scale/{name}", s.webhdfs_url)


def mariadb_cpu_seconds() -> float:
    """User + system CPU time of the running mariadbd (the source side of an import)."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if stat.split(" (", 1)[1].startswith("mariadbd)"):
                fields = stat.rsplit(")", 1)[1].split()
                return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    raise RuntimeError("no mariadbd process found: is the local stack up?")


def _spec(capture: str):
    from dataplatform_assets.ingestion.tables import SourceTable
    return SourceTable(TABLE, ("order_id",), "benchmark copy of orders", mode="lastmodified",
                       check_column="updated_at", merge_key=("order_id",), capture=capture)


def _timed_import(lake, capture: str, force_full: bool) -> dict:
    from dataplatform_assets.ingestion.table_import import drop_superseded_loads, new_load_id, run_import
    mysql = _settings().mysql(database=DATABASE)
    cpu, started = mariadb_cpu_seconds(), time.monotonic()
    result = run_import(mysql, lake, _spec(capture), new_load_id(), force_full=force_full)
    seconds, source = time.monotonic() - started, mariadb_cpu_seconds() - cpu
    drop_superseded_loads(lake, TABLE, result.base_load_id)
    return {"seconds": seconds, "source_s": source, "rows": result.rows, "tombstones": result.tombstones,
            "mode": result.mode}


# --- children: each a worker process of its own --------------------------------------------------

def child_full() -> dict:
    lake = _lake("full")
    _timed_import(lake, "binlog", force_full=True)  # the worker's first import: start-up costs
    # Best of three, like the dump: this machine's speed wanders from one second to the next.
    return min((_timed_import(lake, "binlog", force_full=True) for _ in range(3)), key=lambda run: run["seconds"])


def child_incremental() -> dict:
    lakes = {capture: _lake(f"incremental-{capture}") for capture in ("binlog", "checksums")}
    for capture, lake in lakes.items():
        _timed_import(lake, capture, force_full=True)
    change = apply_change(int(os.environ["BENCH_CHANGE_ROWS"]))
    return {"change": change, **{capture: _timed_import(lake, capture, force_full=False)
                                 for capture, lake in lakes.items()}}


CHILDREN = {"full": child_full, "incremental": child_incremental}


# --- the source ------------------------------------------------------------------------------------

def build_copy(millions: int) -> int:
    """shop_scale.orders: shop_bench.orders and re-keyed copies of it, `millions` million rows."""
    mysql = _settings().mysql(database=DATABASE)
    mysql.ensure_database()
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute(_sql("drop_copy"))
        cur.execute(_sql("create_copy", source=_qualified(SOURCE_DATABASE)))
        cur.execute(_sql("fill_copy", source=_qualified(SOURCE_DATABASE)))
        conn.commit()
        for copy in range(1, millions):
            cur.execute(_sql("grow_copy", offset=lit(copy * BASE_ROWS), rows=lit(BASE_ROWS)))
            conn.commit()
        cur.execute(_sql("key_span"))
        return int(cur.fetchone()[2])


def apply_change(rows: int, seed: int = 7) -> dict:
    """One change batch of `rows` rows on random keys; what each kind touched."""
    mysql = _settings().mysql(database=DATABASE)
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute(_sql("key_span"))
        low, high, _, _ = cur.fetchone()
        keys = random.Random(seed).sample(range(int(low), int(high) + 1), rows)
        tenth = rows // 10
        parts = {"update_keys": keys[:rows - 3 * tenth], "backdate_keys": keys[-3 * tenth:-2 * tenth],
                 "delete_keys": keys[-2 * tenth:-tenth]}
        done = {}
        for name, chosen in parts.items():
            done[name.removesuffix("_keys")] = cur.execute(_sql(name, keys=lits(sorted(chosen))))
        done["insert"] = cur.execute(_sql("insert_rows", offset=lit(int(high)), keys=lits(sorted(keys[-tenth:]))))
        conn.commit()
    return done


def last_value() -> str:
    with _settings().mysql(database=DATABASE).connect() as conn, conn.cursor() as cur:
        cur.execute(_sql("key_span"))
        return str(cur.fetchone()[3])


# --- the parent ------------------------------------------------------------------------------------

def run_dump() -> tuple[float, float]:
    s = _settings()
    with tempfile.TemporaryDirectory() as tmp:
        cnf = s.mysql(database=DATABASE).client_options_file(Path(tmp))
        seconds, peak, _ = min(measure(["mariadb-dump", f"--defaults-extra-file={cnf}", "--single-transaction",
                                        "--quick", f"--result-file={Path(tmp) / 'orders.sql'}", DATABASE, TABLE])
                               for _ in range(3))
    return seconds, peak


def run_child(name: str, **env: str) -> tuple[float, dict]:
    _, peak, out = measure([sys.executable, "-m", "bench.change_capture_benchmark", "--child", name],
                           env={**os.environ, **env})
    return peak, json.loads(out.strip().splitlines()[-1])


def sqoop(*args: str) -> float:
    s = _settings()
    seconds, _, _ = measure([sys.executable, "-m", "dataplatform.cli", "sqoop", "import",
                             "--connect", f"jdbc:mariadb://{s.mysql_host}:{s.mysql_port}/{DATABASE}",
                             "--table", TABLE, "--target-dir", str(_lake("sqoop").uri("orders")), "-m", "1", *args])
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,5,10", help="table sizes in millions of rows (default 1,5,10)")
    parser.add_argument("--change-rows", type=int, default=10_000, help="rows one change batch touches")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child]()))
        return 0
    if _missing_source():
        from bench.ingest_benchmark import generate
        print(f"loading a shop at scale 1.0 into {SOURCE_DATABASE}", flush=True)
        generate(1.0)
    sizes = [int(s) for s in args.sizes.split(",")]
    full_rows, change_rows = [], []
    for millions in sizes:
        rows = build_copy(millions)
        dump_s, dump_mb = run_dump()
        peak, full = run_child("full")
        full_rows.append((rows, dump_s, dump_mb, peak, full))
        print(f"{rows:,} rows: dump {dump_s:.1f}s, full load {full['seconds']:.1f}s "
              f"(source {full['source_s']:.1f}s, peak {peak:,.0f} MB)", flush=True)
        if millions in (sizes[0], sizes[-1]):
            sqoop("--delete-target-dir")
            since = last_value()
            _, incremental = run_child("incremental", BENCH_CHANGE_ROWS=str(args.change_rows))
            merge_s = sqoop("--incremental", "lastmodified", "--check-column", "updated_at",
                            "--last-value", since, "--merge-key", "order_id")
            change_rows.append((rows, full, incremental, merge_s))
            print(f"{rows:,} rows, change {incremental['change']}: binlog {incremental['binlog']['seconds']:.2f}s, "
                  f"checksums {incremental['checksums']['seconds']:.2f}s, sqoop merge {merge_s:.1f}s", flush=True)
    publish_results(RESULTS, report(full_rows, change_rows, args.change_rows))
    return 0


def _missing_source() -> bool:
    try:
        with _settings().mysql(database=SOURCE_DATABASE).connect() as conn, conn.cursor() as cur:
            cur.execute(_sql("key_span", SOURCE_DATABASE))
            return int(cur.fetchone()[2]) < BASE_ROWS
    except MySQLError:  # no schema yet: generate it
        return True


def report(full_rows: list, change_rows: list, change: int) -> str:
    first_peak = full_rows[0][3]
    lines = [f"# Change capture benchmark: `{TABLE}` from {full_rows[0][0]:,} to {full_rows[-1][0]:,} rows", "",
             f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on this project's 2-core, 24 GB machine "
             "with `python -m bench.change_capture_benchmark` (the local stack running). Our loads run in a "
             "worker that already ran one (a run's later tables); full loads and dumps are the best of "
             "three; source time is mariadbd's CPU time during the load; peak memory is the worker "
             "process's resident set.", "",
             "## Full load", "",
             "| rows | mariadb-dump s | full load s | vs dump | source CPU s | peak MB | peak vs first size |",
             "|---|---|---|---|---|---|---|"]
    for rows, dump_s, _, peak, full in full_rows:
        lines.append(f"| {rows:,} | {dump_s:.2f} | {full['seconds']:.2f} | {full['seconds'] / dump_s:.2f}x | "
                     f"{full['source_s']:.2f} | {peak:,.0f} | {peak / first_peak:.2f}x |")
    lines += ["", f"## One change batch of {change:,} rows, then an incremental run", "",
              "| rows | change applied | capture | incremental s | vs full load | source CPU s | rows read | "
              "deletes | Sqoop merge s | Sqoop vs ours |", "|---|---|---|---|---|---|---|---|---|---|"]
    for rows, full, incremental, merge_s in change_rows:
        applied = ", ".join(f"{k} {v:,}" for k, v in incremental["change"].items())
        for capture in ("binlog", "checksums"):
            run = incremental[capture]
            lines.append(f"| {rows:,} | {applied} | {capture} | {run['seconds']:.2f} | "
                         f"{run['seconds'] / full['seconds']:.2f}x | {run['source_s']:.2f} | {run['rows']:,} | "
                         f"{run['tombstones']:,} | {merge_s:.1f} | {merge_s / run['seconds']:.1f}x |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
