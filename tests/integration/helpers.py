"""Helpers the integration tests share: materializing the import assets, reading rows back, dropping
files into Flume's spool folder and reading what the agent landed."""

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import dagster as dg

from dataplatform.generator.loader import load_tables
from dataplatform.localstack.flume import spool_dir
from dataplatform.paths import REPO_ROOT, state_dir
from dataplatform_assets.clickstream.landing import LANDING_DIR, is_closed_file
from dataplatform_assets.ingestion.assets import build_import_asset, import_assets
from dataplatform_assets.ingestion.engine_choice import ImportEngineResource
from dataplatform_assets.ingestion.load_state import table_dir

CLI = [sys.executable, "-m", "dataplatform.cli"]


def artifacts_dir(name: str) -> Path:
    """A folder for what a test keeps for people to look at (screenshots, the main job's output):
    `.artifacts/<name>/`, or under DATAPLATFORM_ARTIFACTS."""
    folder = Path(os.environ.get("DATAPLATFORM_ARTIFACTS", REPO_ROOT / ".artifacts")) / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def run_cli(*args, env=None, timeout=600) -> subprocess.CompletedProcess:
    """The `dataplatform` command as a user runs it; its output captured."""
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, timeout=timeout)


def materialize(test_resources):
    result = dg.materialize(import_assets, resources=test_resources, instance=dg.DagsterInstance.ephemeral())
    assert result.success
    return result


def materialize_specs(test_resources, *specs, extra=(), raise_on_error=True):
    """Materialize the import assets of `specs` (contracts a test varies), plus `extra` assets."""
    return dg.materialize([build_import_asset(spec) for spec in specs] + list(extra), resources=test_resources,
                          instance=dg.DagsterInstance.ephemeral(), raise_on_error=raise_on_error)


def load_fresh_shop(mysql, shop_tables):
    """`shop_test` recreated and loaded with the test shop."""
    mysql.ensure_database()
    load_tables(mysql.connect, shop_tables, report=lambda _: None)
    return shop_tables


def use_engine(name, test_resources, setenv):
    """Point the test resources at import engine `name`, or `engine+capture` (e.g. connectorx+binlog)."""
    name, _, capture = name.partition("+")
    test_resources["import_engine"] = ImportEngineResource(engine=name, capture=capture or None)
    if name == "spark":
        use_spark_conf(setenv)


def use_spark_conf(setenv):
    """Give a Spark session this process starts the stack's Spark conf, JDK and Hadoop conf."""
    from dataplatform.localstack.thriftserver import spark_env
    from dataplatform.paths import state_dir

    for variable, value in spark_env(state_dir() / "conf" / "spark").items():
        if variable.startswith(("SPARK_", "HADOOP_", "JAVA_", "PYSPARK_")):
            setenv(variable, value)


def import_into_empty_lake(lake, test_resources):
    """Empty the test lake and import every table: the first load of each is full."""
    fs, _ = lake.filesystem()
    fs.delete_dir_contents(lake.path("raw"), missing_dir_ok=True)
    return materialize(test_resources)


# A new shop customer; the one parameter is its (unique) email.
INSERT_CUSTOMER = ("INSERT INTO customers (email, first_name, last_name, street, city, state, postal_code, country) "
                   "VALUES (%s, 'Late', 'Writer', '1 Road', 'Town', 'ST', '12345', 'DE')")


def delete_customers(mysql, ids):
    """Delete customers with their orders and order lines, as the foreign keys demand."""
    marks = ", ".join(["%s"] * len(ids))
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute("DELETE i FROM order_items i JOIN orders o ON o.order_id = i.order_id "
                    f"WHERE o.customer_id IN ({marks})", ids)
        cur.execute(f"DELETE FROM orders WHERE customer_id IN ({marks})", ids)
        cur.execute(f"DELETE FROM customers WHERE customer_id IN ({marks})", ids)
        conn.commit()


def empty_lake_table(lake, table):
    """No load of `table` in the test lake: its next import is a first, full one."""
    fs, _ = lake.filesystem()
    fs.delete_dir_contents(lake.path(table_dir(table)), missing_dir_ok=True)


def check_results(result):
    """{(table, check name): evaluation} of one materialization result."""
    return {(e.asset_key.path[-1], e.check_name): e for e in result.get_asset_check_evaluations()}


def meta(metadata):
    """Metadata entries as plain values."""
    return {name: getattr(value, "value", value) for name, value in metadata.items()}


def normalise(value):
    """MySQL and HiveServer2 hand back the same value in different Python types."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and len(value) == 26 and value[4] == "-" and value[10] == " ":
        return value  # HiveServer2 timestamp text
    return value


def rows_in_mysql(mysql, table, key, where="TRUE", columns="*"):
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute(f"SELECT {columns} FROM {table} WHERE {where} ORDER BY {key}")
        return [tuple(normalise(v) for v in row) for row in cur.fetchall()]


def rows_in_hive(hive, table, key, columns="*"):
    rows = hive.query(f"SELECT {columns} FROM {hive.db('raw')}.mysql_{table}_current ORDER BY {key}")
    return [tuple(normalise(Decimal(v) if isinstance(v, str) and _is_decimal(v) else v) for v in row)
            for row in rows]


def every_load_rows(hive, table):
    """Every row of `raw.mysql_<table>` (all loads of the chain), load id included, in a fixed order."""
    return sorted(hive.query(f"SELECT * FROM {hive.db('raw')}.mysql_{table}"), key=repr)


def _is_decimal(text):
    try:
        Decimal(text)
        return "." in text and not text.count("-")
    except ArithmeticError:
        return False


def spool_file(name: str, body: bytes) -> None:
    """Drop a finished file into Flume's spool folder the way web servers do: written hidden, renamed in."""
    spool = spool_dir(state_dir())
    staged = spool / f".{name}.writing"
    staged.write_bytes(body)
    os.replace(staged, spool / name)


def landed_lines(lake, bucket: str, token: str) -> dict[str, list[bytes]]:
    """{closed file: its lines carrying `token`} in one landing bucket."""
    found = {}
    for entry in lake.list_status(f"{LANDING_DIR}/{bucket}"):
        if not entry.is_dir and is_closed_file(entry.name):
            lines = [line for line in lake.read_bytes(f"{LANDING_DIR}/{bucket}/{entry.name}").split(b"\n")
                     if token.encode() in line]
            if lines:
                found[entry.name] = lines
    return found


def wait_landed(lake, buckets: list[str], token: str, expected: int, timeout: float = 120) -> dict:
    """{bucket: {file: lines}} once the closed files of `buckets` hold `expected` lines with `token`."""
    deadline = time.monotonic() + timeout
    while True:
        found = {b: f for b in buckets if (f := landed_lines(lake, b, token))}
        count = sum(len(lines) for files in found.values() for lines in files.values())
        if count >= expected or time.monotonic() > deadline:
            assert count == expected, f"{count} of {expected} lines with {token} landed in {buckets}: {found}"
            return found
        time.sleep(1)


def mysql_rows(mysql, sql, *params):
    """Run one statement on the test shop and commit; its rows."""
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
        conn.commit()
        return rows


def kill_and_wait_for_restart(stack, name: str, timeout: float = 300) -> tuple[int, float]:
    """SIGKILL a service and, with no `stack up`, wait until supervisord runs it again and it is
    healthy: (the new pid, seconds from the kill to healthy)."""
    pid = stack.pid(name)
    assert pid, f"{name} is not running"
    killed_at = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    return wait_until_back(stack, name, pid, killed_at, timeout)


def wait_until_back(stack, name: str, killed_pid: int, killed_at: float, timeout: float = 300) -> tuple[int, float]:
    """Wait until a new process of the killed service is healthy: (its pid, seconds since the kill)."""
    service = stack.service(name)
    while True:
        new_pid = stack.pid(name)
        if new_pid and new_pid != killed_pid:
            try:
                if service.healthy():
                    return new_pid, time.monotonic() - killed_at
            except Exception:  # noqa: BLE001 - a service still starting may answer with an error
                pass
        assert time.monotonic() - killed_at < timeout, f"{name} not back {timeout:.0f} s after SIGKILL"
        time.sleep(0.25)


def free_loopback_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now, for a test's own server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
