"""The main job: bring up the stack, generate a shop, materialize every asset, show the results."""

from __future__ import annotations

import time

from dataplatform.paths import render_sql

DEMO_QUERIES = ("demo/raw_row_counts.sql", "demo/top_customers.sql", "demo/category_sales.sql")


def _step(title: str) -> float:
    print(f"\n== {title}", flush=True)
    return time.monotonic()


def _drop_clickstream(mysql, seed: int):
    """Write a day of web logs into the spool folder; returns a call that reports what Flume did."""
    from dataplatform.generator.clickstream import ClickstreamOptions, write_clickstream
    from dataplatform.localstack.flume import landing_uri, spool_dir
    from dataplatform.paths import state_dir
    from dataplatform.settings import load_settings

    spool = spool_dir(state_dir())
    before = set(spool.glob("*.jsonl"))
    stats = write_clickstream(mysql.connect, spool, ClickstreamOptions(seed=seed, days=1))
    mine = set(spool.glob("*.jsonl")) - before
    print(f"{stats.files} log files, {stats.lines:,} lines ({stats.bad_lines} malformed on purpose) "
          f"dropped into {spool}")

    def report() -> str:
        deadline = time.monotonic() + 120
        while any(p.exists() for p in mine) and time.monotonic() < deadline:
            time.sleep(1)  # Flume renames each file *.COMPLETED once it is in the channel
        pending = sum(p.exists() for p in mine)
        where = landing_uri(load_settings())
        return (f"Flume took all {len(mine)} files; they land in {where}/dt=.../hr=... (readable once "
                "the sink rolls, within about a minute)" if not pending
                else f"Flume has not taken {pending} of {len(mine)} files yet: `dataplatform stack logs flume`")

    return report


def run_demo(scale: float, seed: int) -> int:
    from dataplatform.generator.loader import load_tables
    from dataplatform.generator.shop import ShopSize, build_shop
    from dataplatform.localstack.stack import LocalStack
    from dataplatform.materialize import materialize_selection
    from dataplatform.query import fetch, format_rows
    from dataplatform.settings import load_settings
    from resources.mysql import MySQLResource

    started = _step("1/5 local stack")
    LocalStack().up()

    t = _step(f"2/5 shop database (seed {seed}, scale {scale})")
    tables = build_shop(seed, ShopSize.from_scale(scale))
    mysql = MySQLResource.from_settings(load_settings())
    mysql.ensure_database()
    load_tables(mysql.connect, tables)
    print(f"loaded {sum(x.num_rows for x in tables.values()):,} rows in {time.monotonic() - t:.1f}s")

    _step("3/5 web logs into Flume's spool folder")
    landed = _drop_clickstream(mysql, seed)

    _step("4/5 materialize every asset (runs are recorded in the Dagster UI)")
    if materialize_selection("*") != 0:
        return 1

    print(landed())

    _step("5/5 rows fetched through HiveServer2")
    raw = load_settings().hive_database_prefix + "raw"
    for query in DEMO_QUERIES:
        sql = render_sql(query, raw=raw)
        header, rows = fetch(sql, limit=20)
        print(f"\n-- {query}")
        print(format_rows(header, rows))
    print(f"\ndemo finished in {time.monotonic() - started:.0f}s. Dagster UI: http://127.0.0.1:3000 · "
          "query more with `dataplatform query 'SELECT ...'` · stop with `dataplatform stack down`")
    return 0
