"""The HBase resource speaks the transport and protocol its configuration names: a second, real
HBase Thrift server started with `-f -c` (framed transport, compact protocol) on the stack's HBase
takes a table's writes and reads through an `HBaseResource(transport="framed", protocol="compact")`,
and refuses a client with the default buffered/binary ones, so the options are what made it work."""

from __future__ import annotations

import pytest

from dataplatform.localstack import process
from resources.hbase import HBaseError, HBaseResource

PORT, INFO_PORT = 9092, 9096
TABLE = "options"


@pytest.fixture(scope="module")
def framed_compact_server(stack, tmp_path_factory):
    service = stack.service("hbase-thrift")
    work = tmp_path_factory.mktemp("thrift")
    with process.serving(service.server_command(PORT, INFO_PORT, "-f", "-c"), env=service.env(), cwd=work,
                         log_file=work / "hbase-thrift-framed-compact.log", port=PORT, timeout=180,
                         what="a framed, compact HBase Thrift server"):
        yield PORT


def test_a_framed_compact_server_is_read_and_written_through_the_configured_client(framed_compact_server, settings):
    hbase = HBaseResource(port=framed_compact_server, transport="framed", protocol="compact",
                          table_prefix="test_thrift_", retry_seconds=60,
                          create_table_command=settings.hbase_create_table_bin)
    hbase.delete_table(TABLE)
    assert hbase.ensure_table(TABLE, {"p": None})
    hbase.write(TABLE, 1_700_000_000_000, puts=[(b"row-1", {b"p:name": b"framed and compact"})])
    assert hbase.row(TABLE, b"row-1") == {b"p:name": b"framed and compact"}
    assert hbase.name(TABLE) in hbase.tables()
    hbase.delete_table(TABLE)


def test_the_default_buffered_binary_client_cannot_talk_to_it(framed_compact_server):
    with pytest.raises(HBaseError, match=f"HBase Thrift server at 127.0.0.1:{PORT}"):
        HBaseResource(port=framed_compact_server, retry_seconds=1, timeout_ms=5_000).tables()
