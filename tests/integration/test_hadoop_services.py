"""HDFS, HBase + Thrift, Flume and Sqoop: each exercised through its real protocol."""

import json
import os
import subprocess
import sys
import time
import uuid

import happybase
import pyarrow.fs as pafs
import pytest

from dataplatform.localstack.flume import spool_dir
from dataplatform.paths import state_dir
from tests.integration.helpers import spool_file, wait_landed


def hbase_connection(settings):
    return happybase.Connection(settings.hbase_thrift_host, settings.hbase_thrift_port, timeout=20_000)


def test_webhdfs_round_trip_is_byte_identical(lake):
    payload = bytes(range(256)) * 12_000 + os.urandom(100_001)  # ~3 MB, every byte value
    fs, _ = lake.filesystem()
    path = lake.path(f"roundtrip/{uuid.uuid4().hex}.bin")
    fs.create_dir(path.rsplit("/", 1)[0], recursive=True)
    with fs.open_output_stream(path) as out:
        out.write(payload)
    with fs.open_input_stream(path) as src:
        assert src.read() == payload
    fs.delete_file(path)


def test_lake_upload_lands_whole_and_replaces_the_file(lake, tmp_path):
    """The importer's upload path: a local file lands whole (parent folders made), a second upload
    to the same name replaces it, and a refused write names the file."""
    local = tmp_path / "part.bin"
    local.write_bytes(os.urandom(6 * 1024 * 1024 + 7))  # more than one 5 MB piece of a stream writer
    folder = f"upload/{uuid.uuid4().hex}"
    relative = f"{folder}/nested/part.bin"
    try:
        lake.upload(local, relative)
        assert lake.read_bytes(relative) == local.read_bytes()
        lake.write_bytes(relative, b"second")
        assert lake.read_bytes(relative) == b"second"
        with pytest.raises(OSError, match=r"WebHDFS (CREATE|write of) \S*part\.bin/child"):  # a file is no folder
            lake.write_bytes(f"{relative}/child", b"x")
    finally:
        lake.delete_dir(folder)


def test_happybase_creates_puts_gets_and_scans(settings):
    conn = hbase_connection(settings)
    try:
        if b"test_smoke" in conn.tables():
            conn.delete_table("test_smoke", disable=True)
        conn.create_table("test_smoke", {"p": dict(max_versions=1), "s": dict()})
        table = conn.table("test_smoke")
        with table.batch() as batch:
            for i in range(50):
                batch.put(f"c{i:03d}".encode(), {b"p:name": f"customer {i}".encode(), b"s:orders": str(i).encode()})
        assert table.row(b"c007") == {b"p:name": b"customer 7", b"s:orders": b"7"}
        scanned = list(table.scan(row_prefix=b"c01"))
        assert [k for k, _ in scanned] == [f"c01{i}".encode() for i in range(10)]
        table.delete(b"c007")
        assert table.row(b"c007") == {}
    finally:
        conn.close()


def test_flume_lands_a_dropped_file_in_its_event_time_bucket(stack, settings):

    lake = settings.lake()
    run = uuid.uuid4().hex
    # 10:15 at +02:00 is 08:15 UTC: the bucket is the UTC hour.
    lines = [json.dumps({"event_id": f"{run}-{i}", "event_type": "page_view",
                         "event_ts": f"2024-03-05T10:15:{i:02d}.000+02:00", "page": "/"}).encode()
             for i in range(20)]
    lines.append(b'{"event_id":"' + run.encode() + b'-bad","note":"\xff\xfe invalid utf-8",'
                 b'"event_ts":"2024-03-05T10:15:59.000+02:00"}')
    spool_file(f"test-{run}.jsonl", b"\n".join(lines) + b"\n")  # writers publish finished files atomically
    landed = wait_landed(lake, ["dt=2024-03-05/hr=08"], run, len(lines), timeout=150)
    found = [line for files in landed.values() for file_lines in files.values() for line in file_lines]
    assert sorted(found) == sorted(lines)  # every line, byte for byte (invalid UTF-8 included)
    spool = spool_dir(state_dir())
    assert not (spool / f"test-{run}.jsonl").exists() and (spool / f"test-{run}.jsonl.COMPLETED").exists()


def test_sqoop_import_lands_in_hdfs_with_the_right_row_count(fresh_shop, lake, settings):
    target = lake.uri("sqoop/products")
    out = subprocess.run(
        [sys.executable, "-m", "dataplatform.cli", "sqoop", "import",
         "--connect", f"jdbc:mariadb://{settings.mysql_host}:{settings.mysql_port}/shop_test",
         "--table", "products", "--target-dir", target, "--delete-target-dir", "-m", "2",
         "--split-by", "product_id"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    fs, _ = lake.filesystem()
    infos = fs.get_file_info(pafs.FileSelector(lake.path("sqoop/products")))
    parts = [i.path for i in infos if i.base_name.startswith("part-")]
    rows = 0
    for path in parts:
        with fs.open_input_stream(path) as src:
            rows += len(src.read().splitlines())
    # Sqoop runs one mapper on the local job runner whatever -m says; -m matters on YARN.
    assert parts and rows == fresh_shop["products"].num_rows
    assert settings.mysql_password() not in out.stdout + out.stderr


def test_sqoop_refuses_a_password_on_the_command_line():
    out = subprocess.run([sys.executable, "-m", "dataplatform.cli", "sqoop", "list-tables",
                          "--password", "hunter2"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and "--password-file" in out.stderr


@pytest.fixture(scope="session")
def hbase_restart_row(settings):
    conn = hbase_connection(settings)
    if b"test_restart" not in conn.tables():
        conn.create_table("test_restart", {"p": dict(max_versions=1)})
    value = uuid.uuid4().hex.encode()
    conn.table("test_restart").put(b"row-1", {b"p:v": value})
    conn.close()
    return value


@pytest.mark.restarts_stack
def test_hbase_resource_reopens_connections_a_restarted_thrift_server_dropped(stack, settings):
    hbase = settings.hbase(table_prefix="test_")
    hbase.ensure_table("resource", {"p": None})
    value = uuid.uuid4().hex.encode()
    hbase.write("resource", int(time.time() * 1000), [(b"row-1", {b"p:v": value})])  # the pool's connection is open now
    plain = hbase_connection(settings)
    plain.tables()
    stack.down(["hbase-thrift"], report=lambda _: None)
    stack.up(["hbase-thrift"], report=lambda _: None)
    with pytest.raises(Exception):  # noqa: B017 - the drop is real: an old connection is dead
        plain.tables()
    assert hbase.row("resource", b"row-1") == {b"p:v": value}
    assert "test_resource" in hbase.tables()
