"""The local stack as a user meets it: status, one shared metastore, the demo, restarts."""

import os
import subprocess
import sys
import textwrap

import pytest

from dataplatform.localstack.process import port_open, read_pid
from dataplatform.localstack.thriftserver import spark_env
from dataplatform.paths import state_dir

CLI = [sys.executable, "-m", "dataplatform.cli"]


def run_cli(*args, env=None, timeout=600):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, timeout=timeout)


def test_status_prints_one_healthy_line_per_service(stack):
    out = run_cli("stack", "status")
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.strip().splitlines()
    assert [ln.split()[0] for ln in lines] == stack.names()
    assert all(" healthy " in ln for ln in lines)
    assert "127.0.0.1:10000" in out.stdout and "127.0.0.1:3306" in out.stdout


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


def test_demo_runs_end_to_end_and_prints_rows_from_hiveserver2(stack, tmp_path, mysql):
    env = dict(os.environ, DATAPLATFORM_MYSQL_DATABASE="shop_demotest",
               DATAPLATFORM_HIVE_DATABASE_PREFIX="demotest_",
               DATAPLATFORM_LAKE_ROOT="hdfs://127.0.0.1:9000/demotest-lake",
               DAGSTER_HOME=str(tmp_path / "dagster"))
    out = run_cli("demo", "--scale", "0.002", "--seed", "5", env=env)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    with mysql.connect(database="shop_demotest") as conn, conn.cursor() as cur:
        for table in ("customers", "products", "orders", "order_items"):
            cur.execute(f"SELECT COUNT(*) FROM {table}")
            count = cur.fetchone()[0]
            line = next(ln for ln in out.stdout.splitlines()
                        if ln.startswith(f"demotest_raw.mysql_{table}_current "))
            assert line.split()[-1] == str(count), line
    assert "materialized 4 assets" in out.stdout
    # The web logs went through Flume and were parsed on the landing sensor's runs in the daemon.
    assert "the landing sensor parsed" in out.stdout
    funnel = out.stdout.split("-- demo/clickstream_funnel.sql", 1)[1].split("\n\n", 1)[0]
    assert "purchase" in funnel and "page_view" in funnel, funnel
    sessions = out.stdout.split("-- demo/sessions_by_day.sql", 1)[1]
    assert sessions.splitlines()[3].split()[1].isdigit(), sessions[:500]


@pytest.mark.restarts_stack
def test_down_stops_everything_and_up_brings_the_data_back(stack, hive, mysql, fresh_shop, test_resources,
                                                           settings, hbase_restart_row):
    from tests.integration.helpers import materialize
    from tests.integration.test_hadoop_services import hbase_connection

    materialize(test_resources)
    counts = {t: int(hive.query(f"SELECT COUNT(*) FROM {hive.db('raw')}.mysql_{t}_current")[0][0])
              for t in fresh_shop}
    down = run_cli("stack", "down")
    assert down.returncode == 0, down.stderr
    for svc in stack.services:
        assert read_pid(stack.pid_file(svc.name)) is None, svc.name
    assert not port_open("127.0.0.1", 3306) and not port_open("127.0.0.1", 10000)
    assert not any(port_open("127.0.0.1", p) for p in (3000, 9000, 9870, 9866, 2181, 9090))
    assert run_cli("stack", "status").returncode == 1
    up = run_cli("stack", "up")
    assert up.returncode == 0, up.stdout + up.stderr
    after = {t: int(hive.query(f"SELECT COUNT(*) FROM {hive.db('raw')}.mysql_{t}_current")[0][0])
             for t in fresh_shop}
    assert after == counts == {t: data.num_rows for t, data in fresh_shop.items()}
    conn = hbase_connection(settings)
    assert conn.table("test_restart").row(b"row-1") == {b"p:v": hbase_restart_row}
    conn.close()
