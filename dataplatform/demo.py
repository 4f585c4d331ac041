"""The main job: bring up the stack, generate a shop, import it, let the daemon build the rest (the
landing sensor, then the automation), apply a change batch and watch it flow through, show the results."""

from __future__ import annotations

import time

from resources.sql import ident, lit, lits, placeholders, qualified, sql_names, statement

DEMO_SQL = "demo/queries.sql"
SHOP_SQL = "demo/shop.sql"


def _drop_clickstream(mysql, seed: int):
    """Write a day of web logs into the spool folder; returns the hours they cover and a call that
    reports what Flume did."""
    from dataplatform.generator.clickstream import ClickstreamOptions, write_clickstream
    from dataplatform.localstack.flume import landing_uri, spool_dir
    from dataplatform.paths import state_dir
    from dataplatform.settings import load_settings

    spool = spool_dir(state_dir())
    before = set(spool.glob("*.jsonl"))
    stats = write_clickstream(mysql.connect, spool, ClickstreamOptions(seed=seed, days=1))
    mine = set(spool.glob("*.jsonl")) - before
    hours = sorted({f"{p.name.split('.')[1][:13]}:00" for p in mine})  # web-01.2025-12-31-05.<t>.jsonl
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

    return hours, report


def _show_customer() -> None:
    """The 360° view of the customer with the most visits, as `dataplatform customer ID` prints it."""
    from dataplatform.customer import render
    from dataplatform.settings import load_settings
    from dataplatform_assets.serving.lookup import by_id
    from dataplatform_assets.serving.refresh import sql

    settings = load_settings()
    hive = settings.hive()
    customer_id = int(hive.query(sql(hive, "showcase"))[0][0])
    print(f"\n-- demo: `dataplatform customer {customer_id}`\n")
    print(render(by_id(settings.hbase(), customer_id)))


def _customers_written_since(since: float) -> int:
    """How many customers the 360° refreshes since `since` wrote to HBase (their materializations' metadata)."""
    import dagster as dg

    from dataplatform.paths import stack_dagster_home
    from dataplatform_assets.serving.assets import CUSTOMER_360_KEY

    with dg.DagsterInstance.from_config(str(stack_dagster_home())) as instance:
        records = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=CUSTOMER_360_KEY, after_timestamp=since), limit=100).records
    return sum(int(r.asset_materialization.metadata["written"].value) for r in records)


def _orders_in_shop(mysql) -> int | None:
    """The shop's orders, or None when it has no tables yet."""
    import pymysql

    try:
        with mysql.connect() as conn, conn.cursor() as cur:
            cur.execute(statement(SHOP_SQL, "orders_count"))
            return int(cur.fetchone()[0])
    except pymysql.err.ProgrammingError:
        return None


def run_demo(scale: float, seed: int) -> int:

    from dataplatform.daemon_watch import wait_for_daemon
    from dataplatform.generator.changes import apply_change_batch
    from dataplatform.generator.loader import load_tables
    from dataplatform.generator.shop import ShopSize, build_shop
    from dataplatform.localstack.dagster_services import WEBSERVER_URL
    from dataplatform.localstack.stack import LocalStack
    from dataplatform.materialize import materialize_selection
    from dataplatform.progress import Progress
    from dataplatform.query import fetch, format_rows
    from dataplatform.settings import load_settings
    from dataplatform_assets.clickstream.assets import EVENTS_KEY, REJECTS_KEY, SESSIONS_KEY
    from dataplatform_assets.clickstream.curated_tables import CURATED, EVENTS, REJECTS, SESSIONS

    progress = Progress(total=7)
    say = progress.console.print
    with progress.step("local stack") as step:
        stack = LocalStack()
        started = stack.up()
        step.outcome = f"{len(stack.names())} services healthy ({len(started)} started)"

    with progress.step("shop database", f"seed {seed}, scale {scale}") as step:
        mysql = load_settings().mysql()
        mysql.ensure_database()
        orders = _orders_in_shop(mysql)
        if orders:
            # A run again goes on from the shop as the last one left it: what was imported still matches.
            say(f"the shop database `{mysql.database}` already holds {orders:,} orders: kept "
                "(`dataplatform generate shop` makes a new one)")
            step.outcome = f"kept, {orders:,} orders"
        else:
            tables = build_shop(seed, ShopSize.from_scale(scale))
            load_tables(mysql.connect, tables)
            step.outcome = f"{sum(x.num_rows for x in tables.values()):,} rows in MySQL"

    with progress.step("web logs", "a day of them into Flume's spool folder") as step:
        dropped_at = time.time()
        hours, landed = _drop_clickstream(mysql, seed)
        days = sorted({h[:10] for h in hours})
        step.outcome = f"{len(hours)} hours of logs"

    with progress.step("imports", "the shop's tables, as the hourly schedule does (runs show in the Dagster UI)") \
            as step:
        imported_at = time.time()
        if materialize_selection("group:raw") != 0:
            return 1
        step.outcome = "4 tables imported"

    with progress.step("the daemon", "Flume lands the logs, the landing sensor parses each hour, the automation "
                       "builds the warehouse, marts and 360° table") as step:
        say(landed())
        clickstream = {EVENTS_KEY: set(hours), REJECTS_KEY: set(hours), SESSIONS_KEY: set(days)}
        with progress.status("waiting for the daemon") as update:
            state = wait_for_daemon(max(imported_at, dropped_at), clickstream, update, say)
        say(f"the landing sensor parsed {len(hours)} hours and sessions followed for "
            f"{len(days)} days; the daemon refreshed {state.refreshed} tables")
        step.outcome = f"{len(hours)} hours parsed, {state.refreshed} tables built with no call"

    with progress.step("change batch", "applied in MySQL, imported incrementally; the daemon refreshes what "
                       "follows") as step:
        changes = apply_change_batch(mysql.connect, seed)
        say("change batch: " + ", ".join(f"{k} {v}" for k, v in changes.items() if v and k != "batch"))
        changed_at = time.time()
        if materialize_selection("group:raw") != 0:
            return 1
        with progress.status("waiting for the daemon") as update:
            state = wait_for_daemon(changed_at, {}, update, say)
        written = _customers_written_since(changed_at)
        say(f"the daemon refreshed {state.refreshed} tables; the 360° refreshes wrote {written:,} changed customers")
        changed = sum(v for k, v in changes.items() if k != "batch")
        step.outcome = f"{changed:,} changes; {written:,} customers rewritten"

    with progress.step("results", "rows fetched through HiveServer2, one customer's 360° view from HBase") as step:
        prefix = load_settings().hive_database_prefix
        raw = prefix + "raw"
        values = {"raw": ident(raw), "raw_name": lit(raw), "warehouse": ident(prefix + "warehouse"),
                  "marts": ident(prefix + "marts"), "days": lits(days),
                  **{name: qualified(prefix + CURATED, table.name)
                     for name, table in (("events", EVENTS), ("rejects", REJECTS), ("sessions", SESSIONS))}}
        for query in sql_names(DEMO_SQL):
            sql = statement(DEMO_SQL, query,
                            **{k: v for k, v in values.items() if k in placeholders(DEMO_SQL, query)})
            header, rows = fetch(sql, limit=20)
            print(f"\n-- demo: {query}")
            print(format_rows(header, rows))
        _show_customer()
        step.outcome = f"{len(sql_names(DEMO_SQL))} queries, one 360° view"
    say(progress.summary())
    say(f"\ndemo finished in {time.monotonic() - progress.started:.0f}s. Dagster UI: {WEBSERVER_URL} · "
        "query more with `dataplatform query 'SELECT ...'` · stop with `dataplatform stack down`")
    return 0
