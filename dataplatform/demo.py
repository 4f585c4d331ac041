"""The main job: bring up the stack, generate a shop, materialize every asset, show the results."""

from __future__ import annotations

import time

from dataplatform.paths import render_sql

DEMO_QUERIES = ("demo/raw_row_counts.sql", "demo/top_customers.sql", "demo/category_sales.sql")


def _step(title: str) -> float:
    print(f"\n== {title}", flush=True)
    return time.monotonic()


def run_demo(scale: float, seed: int) -> int:
    from dataplatform.generator.loader import load_tables
    from dataplatform.generator.shop import ShopSize, build_shop
    from dataplatform.localstack.stack import LocalStack
    from dataplatform.materialize import materialize_selection
    from dataplatform.query import fetch, format_rows
    from dataplatform.settings import load_settings
    from resources.mysql import MySQLResource

    started = _step("1/4 local stack")
    LocalStack().up()

    t = _step(f"2/4 shop database (seed {seed}, scale {scale})")
    tables = build_shop(seed, ShopSize.from_scale(scale))
    mysql = MySQLResource.from_settings(load_settings())
    mysql.ensure_database()
    load_tables(mysql.connect, tables)
    print(f"loaded {sum(x.num_rows for x in tables.values()):,} rows in {time.monotonic() - t:.1f}s")

    _step("3/4 materialize every asset (runs are recorded in the Dagster UI)")
    if materialize_selection("*") != 0:
        return 1

    _step("4/4 rows fetched through HiveServer2")
    raw = load_settings().hive_database_prefix + "raw"
    for query in DEMO_QUERIES:
        sql = render_sql(query, raw=raw)
        header, rows = fetch(sql, limit=20)
        print(f"\n-- {query}")
        print(format_rows(header, rows))
    print(f"\ndemo finished in {time.monotonic() - started:.0f}s. Dagster UI: http://127.0.0.1:3000 · "
          "query more with `dataplatform query 'SELECT ...'` · stop with `dataplatform stack down`")
    return 0
