"""The local stack as a user meets it: status, one shared metastore, the demo, restarts."""

import re
import stat
import subprocess
import sys
import textwrap
import time
from xml.etree import ElementTree

import dagster as dg
import pytest
from dagster._core.scheduler.instigation import InstigatorType, TickStatus

from dataplatform.localstack.credentials import METASTORE_PASSWORD, provider_uri
from dataplatform.localstack.process import port_open
from dataplatform.localstack.thriftserver import spark_env
from dataplatform.paths import stack_dagster_home, state_dir
from tests.integration.helpers import kill_and_wait_for_restart, run_cli


def test_status_prints_one_healthy_line_per_service(stack):
    out = run_cli("stack", "status")
    assert out.returncode == 0, out.stdout + out.stderr
    *lines, network = out.stdout.strip().splitlines()
    assert [ln.split()[0] for ln in lines] == stack.names()
    assert all(" healthy " in ln for ln in lines)
    assert "127.0.0.1:10000" in out.stdout and "127.0.0.1:3306" in out.stdout
    assert network.startswith("network: every service listens on loopback only"), network


def test_every_service_listens_on_loopback_only(stack):
    """Read from the kernel's socket tables, for each service's whole process tree (the JVM under
    its launcher too): no port on any other address (Spark's driver and UI, HBase Thrift's info page
    would take every interface by default)."""
    found = stack.listeners()
    assert set(found) == set(stack.names() + stack.running_cluster())
    for state in stack.status():  # each service's own port is among what was found: the check sees
        if re.fullmatch(r"[0-9.]+:[0-9]+", state.address):
            assert int(state.address.rsplit(":", 1)[1]) in {x.port for x in found[state.name]}, state
    exposed = {name: [str(x) for x in ports if not x.loopback] for name, ports in found.items()}
    assert not any(exposed.values()), exposed


def test_stack_up_on_a_running_stack_starts_nothing_and_keeps_every_process(stack):
    pids = {name: stack.pid(name) for name in stack.names()}
    assert all(pids.values()), pids
    out = run_cli("stack", "up")
    assert out.returncode == 0, out.stdout + out.stderr
    for name, pid in pids.items():
        assert f"{name} " in out.stdout and f"already running (pid {pid})" in out.stdout, name
    assert "starting" not in out.stdout
    assert {name: stack.pid(name) for name in stack.names()} == pids
    assert all(s.healthy for s in stack.status())


def test_secrets_are_private_and_the_metastore_password_is_in_a_keystore_not_in_hive_site(stack, hive):
    secrets = state_dir() / "secrets"
    files = list(secrets.iterdir())
    assert {f.name for f in files} >= {"mysql_dataplatform.password", "mysql_metastore.password"}
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o700
    for secret in files:
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600, secret.name
    spark_conf = state_dir() / "conf" / "spark"
    assert stat.S_IMODE(spark_conf.stat().st_mode) == 0o700
    metastore_password = (secrets / "mysql_metastore.password").read_text().strip()
    keystore = spark_conf / "metastore.jceks"
    assert stat.S_IMODE(keystore.stat().st_mode) == 0o600
    hive_site = {p.findtext("name"): p.findtext("value")
                 for p in ElementTree.parse(spark_conf / "hive-site.xml").getroot().iter("property")}
    assert METASTORE_PASSWORD not in hive_site
    assert hive_site["hadoop.security.credential.provider.path"] == provider_uri(keystore)
    for conf_file in spark_conf.iterdir():  # the keystore among them: sealed, not plain text
        if conf_file.is_file():
            assert metastore_password.encode() not in conf_file.read_bytes(), conf_file.name
    # The Thrift Server reaches its metastore with the keystore's password.
    assert ("default",) in hive.query("SHOW DATABASES")


def test_a_separate_spark_session_and_hiveserver2_share_one_metastore(stack, hive):
    database = hive.db("shared")
    hive.execute(f"CREATE DATABASE IF NOT EXISTS {database}",
                 f"DROP TABLE IF EXISTS {database}.from_hive", f"DROP TABLE IF EXISTS {database}.from_spark",
                 f"CREATE TABLE {database}.from_hive (id INT) STORED AS PARQUET",
                 f"INSERT INTO {database}.from_hive VALUES (1), (2), (3)")
    script = textwrap.dedent(f"""
        from pyspark.sql import SparkSession
        spark = (SparkSession.builder.appName("metastore-test").config("spark.ui.enabled", "false")
                 .enableHiveSupport().getOrCreate())
        print("HIVE_ROWS", spark.sql("SELECT COUNT(*) FROM {database}.from_hive").first()[0])
        spark.sql("CREATE TABLE {database}.from_spark USING parquet AS SELECT id * 10 AS id FROM {database}.from_hive")
        spark.stop()
    """)
    env = spark_env(state_dir() / "conf" / "spark")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "HIVE_ROWS 3" in out.stdout
    assert sorted(r[0] for r in hive.query(f"SELECT id FROM {database}.from_spark")) == [10, 20, 30]
    for table in ("from_hive", "from_spark"):  # both tables' files live in HDFS
        detail = dict((r[0], r[1]) for r in hive.query(f"DESCRIBE FORMATTED {database}.{table}"))
        assert detail["Location"].startswith("hdfs://"), detail["Location"]


def printed_table(out: str, query: str) -> list[dict[str, str]]:
    """The rows `dataplatform query`'s table format printed under `-- <query>`, by column name."""
    section = out.split(f"-- {query}\n", 1)[1].split("\n\n", 1)[0].splitlines()
    header, rule, *rows = section
    # Columns are separated by two spaces and the rule under the header is dashes as wide as each.
    spans, at = [], 0
    for dashes in rule.split("  "):
        spans.append((at, at + len(dashes)))
        at += len(dashes) + 2
    names = [header[a:b].strip() for a, b in spans]
    cut = [(a, b if i < len(spans) - 1 else None) for i, (a, b) in enumerate(spans)]
    return [dict(zip(names, (row[a:b].strip() for a, b in cut))) for row in rows]


@pytest.mark.timeout(1800)  # the session's `demo` fixture may run the main job first
def test_demo_runs_end_to_end_and_the_daemon_refreshes_what_follows(demo, mysql):
    out = demo  # the main job, as `./platform demo` runs it (conftest.py)
    counts = {row["table_name"]: int(row["row_count"]) for row in printed_table(out.stdout, "demo: raw_row_counts")}
    with mysql.connect(database="shop") as conn, conn.cursor() as cur:
        expected = {}
        for table in ("customers", "products", "orders", "order_items"):
            cur.execute(f"SELECT COUNT(*) FROM {table}")
            expected[f"raw.mysql_{table}_current"] = cur.fetchone()[0]
        # The demo's web logs cover the last day of orders before the change batch (whose new orders
        # have the highest ids), one purchase event per order.
        new_orders = int(re.search(r"change batch: .*new_orders (\d+)", out.stdout).group(1))
        cur.execute("SELECT MAX(order_id) - %s FROM orders", (new_orders,))
        last_before = cur.fetchone()[0]
        cur.execute("SELECT COUNT(*) FROM orders WHERE order_id <= %s AND order_ts > "
                    "(SELECT MAX(order_ts) FROM orders WHERE order_id <= %s) - INTERVAL 1 DAY", (last_before,) * 2)
        orders_last_day = cur.fetchone()[0]
        cur.execute("SELECT SUM(i.quantity * i.unit_price), COUNT(DISTINCT o.customer_id) FROM order_items i "
                    "JOIN orders o USING (order_id) WHERE o.status NOT IN ('cancelled', 'returned')")
        revenue, buyers = cur.fetchone()
    # The change batch was imported: the raw tables hold MySQL's rows as they are now.
    assert counts == expected
    assert out.stdout.count("materialized 4 assets: raw/mysql/customers") == 2  # the demo's only direct calls
    # Everything after the imports was the daemon's: the sensor parsed the hours, the automation built
    # the warehouse, marts and 360° table, and refreshed them after the change batch.
    assert re.search(r"the landing sensor parsed \d+ hours and sessions followed for \d+ days; the daemon "
                     r"refreshed 10 tables", out.stdout), out.stdout[-3000:]
    # After the change batch, all but the web-sessions funnel (which reads nothing from MySQL).
    refreshed = re.search(r"the daemon refreshed (\d+) tables; the 360° refreshes wrote (\d+) changed customers",
                          out.stdout)
    assert refreshed and int(refreshed.group(1)) >= 9 and int(refreshed.group(2)) > 0, out.stdout[-3000:]
    # The marts the daemon rebuilt after the change batch agree with MySQL as it is now.
    sales = printed_table(out.stdout, "demo: category_sales")
    assert sum(float(row["revenue"]) for row in sales) == pytest.approx(float(revenue), abs=0.01)
    segments = printed_table(out.stdout, "demo: customer_segments")
    assert sum(int(row["customers"]) for row in segments) == buyers
    funnel = printed_table(out.stdout, "demo: clickstream_funnel")
    purchases = sum(int(row["events"]) for row in funnel if row["event_type"] == "purchase")
    assert orders_last_day > 0 and purchases == orders_last_day, funnel
    assert {row["event_type"] for row in funnel} >= {"page_view", "product_view", "add_to_cart", "purchase"}
    sessions = printed_table(out.stdout, "demo: sessions_by_day")
    assert sessions and all(int(row["sessions"]) > 0 for row in sessions), sessions
    # The demo's logs are one feed: its funnel rows are that feed's, and hold every session.
    by_feed = printed_table(out.stdout, "demo: funnel_by_day")
    assert {row["feed"] for row in by_feed} == {"shop_json"}, by_feed
    assert {row["day"]: int(row["sessions"]) for row in by_feed} == \
        {row["day"]: int(row["sessions"]) for row in sessions}
    # A converted session holds at least one purchase: never more of them than orders.
    assert 0 < sum(int(row["converted"]) for row in sessions) <= orders_last_day
    # One customer's view read back from HBase, as refreshed by the daemon after the change batch.
    shown = re.search(r"-- demo: `dataplatform customer (\d+)`\n\nCustomer \1 · .* · (\S+@\S+) .*\n", out.stdout)
    assert shown, out.stdout[-3000:]
    with mysql.connect(database="shop") as conn, conn.cursor() as cur:
        cur.execute("SELECT c.email, COUNT(o.order_id) FROM customers c LEFT JOIN orders o USING (customer_id) "
                    "WHERE c.customer_id = %s GROUP BY c.email", (int(shown.group(1)),))
        email, orders = cur.fetchone()
    assert shown.group(2) == email and f"\n  {orders} orders (" in out.stdout
    # It ends with the summary of its steps and their times.
    summary = out.stdout.split("main job:", 1)[1]
    for n, step in enumerate(("local stack", "shop database", "web logs", "imports", "the daemon", "change batch",
                              "results"), 1):
        assert re.search(rf"{n}\. {step} +│ +\d+ │", summary), summary


@dg.op
def restart_probe_op() -> int:
    return 1


@dg.job
def restart_probe():
    restart_probe_op()


def _landing_sensor_state(instance: dg.DagsterInstance):
    states = [s for s in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR)
              if s.name == "clickstream_landing_sensor" and s.instigator_data is not None]
    return states[0] if states else None


def _tick_after(instance: dg.DagsterInstance, after: float, timeout: float = 180):
    """The landing sensor's first tick that started after `after`, once it has finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = _landing_sensor_state(instance)
        ticks = [] if state is None else instance.get_ticks(state.instigator_origin_id, state.selector_id,
                                                            after=after)
        done = [t for t in ticks if t.status != TickStatus.STARTED]
        if done:
            return min(done, key=lambda t: t.timestamp)
        time.sleep(1)
    pytest.fail(f"the stack's daemon did not tick the landing sensor within {timeout:.0f}s")


def _quiet_landing_cursor(instance: dg.DagsterInstance, lake) -> str:
    """The sensor's cursor once Flume has no file open and a tick requested nothing and left the
    cursor as it was, and no run is in flight: nothing more will land until something is written to the spool folder."""
    from dataplatform_assets.clickstream.landing import hour_buckets, is_open_file

    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        before = _landing_sensor_state(instance)
        tick = _tick_after(instance, time.time())
        open_files = [e.name for bucket, _ in hour_buckets(lake, "raw/clickstream")
                      for e in lake.list_status(f"raw/clickstream/{bucket}") if is_open_file(e.name)]
        cursor = _landing_sensor_state(instance).instigator_data.cursor
        busy = instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.STARTING,
                                                         dg.DagsterRunStatus.STARTED]))
        if (not open_files and not busy and not tick.run_ids and before
                and before.instigator_data.cursor == cursor):
            return cursor
    pytest.fail("the landing never went quiet: Flume kept writing")


@pytest.mark.restarts_stack
def test_down_stops_everything_and_up_brings_the_data_back(stack, hive, imported, fresh_shop, settings,
                                                           hbase_restart_row):
    from tests.integration.test_hadoop_services import hbase_connection

    counts = {t: int(hive.query(f"SELECT COUNT(*) FROM {hive.db('raw')}.mysql_{t}_current")[0][0])
              for t in fresh_shop}
    # Dagster's run history and sensor cursors live in the stack's instance: a run recorded there,
    # and the cursor the daemon keeps for the landing sensor, over a landed hour of our own (which
    # the sensor would request again had it lost its cursor).
    stack_lake = settings.lake()
    stack_lake.write_bytes("raw/clickstream/dt=2025-01-02/hr=03/events.restart-probe.jsonl",
                           b'{"event_id":"restart-probe","event_type":"page_view"}\n')
    with dg.DagsterInstance.from_config(str(stack_dagster_home())) as instance:
        run_id = restart_probe.execute_in_process(instance=instance).run_id
        cursor = _quiet_landing_cursor(instance, stack_lake)
    restarted_at = time.time()
    down = run_cli("stack", "down")
    assert down.returncode == 0, down.stderr
    for svc in stack.services:
        assert stack.pid(svc.name) is None, svc.name
    assert not stack.supervisor.running()  # `stack down` stops the supervisor too
    assert not port_open("127.0.0.1", 3306) and not port_open("127.0.0.1", 10000)
    assert not any(port_open("127.0.0.1", p) for p in (3000, 4000, 9000, 9870, 9866, 2181, 9090))
    assert run_cli("stack", "status").returncode == 1
    up = run_cli("stack", "up")
    assert up.returncode == 0, up.stdout + up.stderr
    after = {t: int(hive.query(f"SELECT COUNT(*) FROM {hive.db('raw')}.mysql_{t}_current")[0][0])
             for t in fresh_shop}
    assert after == counts == {t: data.num_rows for t, data in fresh_shop.items()}
    conn = hbase_connection(settings)
    assert conn.table("test_restart").row(b"row-1") == {b"p:v": hbase_restart_row}
    conn.close()
    with dg.DagsterInstance.from_config(str(stack_dagster_home())) as instance:
        run = instance.get_run_by_id(run_id)
        assert run is not None and run.status == dg.DagsterRunStatus.SUCCESS
        # Nothing landed meanwhile: the restarted daemon goes on from the cursor it had (a lost
        # cursor would be rebuilt from a full listing, with every hour requested again).
        first_tick = _tick_after(instance, restarted_at)
        assert first_tick.run_ids == [] and first_tick.status == TickStatus.SKIPPED
        state = _landing_sensor_state(instance)
        assert state.instigator_data.cursor == cursor
        assert instance.get_ticks(state.instigator_origin_id, state.selector_id, before=restarted_at, limit=1)


@pytest.mark.restarts_stack
def test_a_killed_service_is_started_again_without_a_person_and_status_says_so(stack):
    _, seconds = kill_and_wait_for_restart(stack, "hbase-thrift")
    assert seconds < 120
    out = run_cli("stack", "status")
    assert out.returncode == 0, out.stdout + out.stderr
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("hbase-thrift "))
    assert " healthy " in line and re.search(r"restarts [1-9]", line), line
    assert "terminated by SIGKILL; not expected" in line, line
