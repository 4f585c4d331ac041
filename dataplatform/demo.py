"""The main job: bring up the stack, generate a shop, materialize every asset, show the results."""

from __future__ import annotations

import time

from resources.sql import ident, lit, lits, placeholders, qualified, sql_names, statement

DEMO_SQL = "demo/queries.sql"


def _step(title: str) -> float:
    print(f"\n== {title}", flush=True)
    return time.monotonic()


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


def _wait_for_sensor(hours: list[str], since: float, timeout: float = 300) -> dict[str, str]:
    """Wait until the stack's daemon has parsed every hour in `hours` (launched by the landing
    sensor) and rebuilt the sessions of their days (the automation sensor); returns the Hive table
    of each asset as the daemon's runs report it."""
    import dagster as dg

    from dataplatform.paths import stack_dagster_home

    keys = {"events": dg.AssetKey(["curated", "clickstream_events"]),
            "rejects": dg.AssetKey(["quarantine", "clickstream_rejects"]),
            "sessions": dg.AssetKey(["curated", "sessions"])}
    wanted = {"events": set(hours), "rejects": set(hours), "sessions": {h[:10] for h in hours}}
    tables: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    with dg.DagsterInstance.from_config(str(stack_dagster_home())) as instance:
        while time.monotonic() < deadline:
            missing = {}
            for name, key in keys.items():
                done = set()
                for record in instance.fetch_materializations(key, limit=500).records:
                    if record.timestamp >= since and record.partition_key in wanted[name]:
                        done.add(record.partition_key)
                        table = record.asset_materialization.metadata.get("dagster/table_name")
                        tables[name] = table.value if table else tables.get(name, "")
                missing[name] = wanted[name] - done
            if not any(missing.values()):
                print(f"the landing sensor parsed {len(hours)} hours and sessions followed for "
                      f"{len(wanted['sessions'])} days")
                return tables
            time.sleep(2)
    raise RuntimeError(f"after {timeout:.0f}s the daemon has not parsed: "
                       + "; ".join(f"{k} {sorted(v)[:5]}" for k, v in missing.items() if v)
                       + " (see the runs at http://127.0.0.1:3000)")


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


def run_demo(scale: float, seed: int) -> int:
    from dataplatform.generator.loader import load_tables
    from dataplatform.generator.shop import ShopSize, build_shop
    from dataplatform.localstack.stack import LocalStack
    from dataplatform.materialize import materialize_selection
    from dataplatform.query import fetch, format_rows
    from dataplatform.settings import load_settings

    started = _step("1/8 local stack")
    LocalStack().up()

    t = _step(f"2/8 shop database (seed {seed}, scale {scale})")
    tables = build_shop(seed, ShopSize.from_scale(scale))
    mysql = load_settings().mysql()
    mysql.ensure_database()
    load_tables(mysql.connect, tables)
    print(f"loaded {sum(x.num_rows for x in tables.values()):,} rows in {time.monotonic() - t:.1f}s")

    _step("3/8 web logs into Flume's spool folder")
    dropped_at = time.time()
    hours, landed = _drop_clickstream(mysql, seed)

    _step("4/8 import the shop tables, build the warehouse: dimensions and facts (runs are recorded in the Dagster UI)")
    if materialize_selection("group:raw or group:warehouse") != 0:
        return 1

    _step("5/8 Flume lands the logs; the landing sensor has Spark parse each hour")
    print(landed())
    tables = _wait_for_sensor(hours, since=dropped_at)

    _step("6/8 the marts: daily sales, the funnel, product performance, customer segments")
    if materialize_selection("group:marts") != 0:
        return 1

    _step("7/8 the customer 360° table in HBase: only customers whose values changed are written")
    if materialize_selection("group:serving") != 0:
        return 1

    _step("8/8 rows fetched through HiveServer2, and one customer's 360° view from HBase")
    prefix = load_settings().hive_database_prefix
    raw = prefix + "raw"
    values = {"raw": ident(raw), "raw_name": lit(raw), "warehouse": ident(prefix + "warehouse"),
              "marts": ident(prefix + "marts"),
              "days": lits(sorted({h[:10] for h in hours})),
              **{name: qualified(*table.split(".")) for name, table in tables.items()}}
    for query in sql_names(DEMO_SQL):
        sql = statement(DEMO_SQL, query, **{k: v for k, v in values.items() if k in placeholders(DEMO_SQL, query)})
        header, rows = fetch(sql, limit=20)
        print(f"\n-- demo: {query}")
        print(format_rows(header, rows))
    _show_customer()
    print(f"\ndemo finished in {time.monotonic() - started:.0f}s. Dagster UI: http://127.0.0.1:3000 · "
          "query more with `dataplatform query 'SELECT ...'` · stop with `dataplatform stack down`")
    return 0
