"""HBase through its Thrift server, with happybase: a pool of connections that survives drops.

A Thrift server restart or an idle timeout leaves pooled connections dead. happybase's pool reopens
a connection after a Thrift or socket error but still raises that error; `call` runs an operation on
a pooled connection and, when the connection was dropped, runs it again on a reopened one until
`retry_seconds` have passed (the operations we run through it are safe to repeat: reads, and
batches of absolute values at a fixed timestamp).

Table names are given without `table_prefix`, which isolates a whole set of tables (tests use it).
"""

from __future__ import annotations

import re
import socket
import subprocess
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

import dagster as dg
import happybase
from pydantic import Field, PrivateAttr
from thriftpy2.thrift import TException

T = TypeVar("T")
DROPPED = (TException, socket.error)
Cells = dict[bytes, bytes]


# HBase's own rule for a table's qualifier (no namespace: the platform's tables live in `default`).
HBASE_TABLE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


class HBaseError(RuntimeError):
    """HBase's Thrift server cannot be reached, or refused the operation."""


TRANSPORTS = ("buffered", "framed")  # happybase's names
PROTOCOLS = ("binary", "compact")


class HBaseResource(dg.ConfigurableResource):
    host: str = "127.0.0.1"
    port: int = 9090
    pool_size: int = Field(default=2, description="connections kept open per process")
    timeout_ms: int = Field(default=30_000, description="socket timeout of every Thrift call")
    retry_seconds: float = Field(default=90.0, description="how long an operation is retried across "
                                 "dropped connections (a restarting Thrift server needs about 20 s)")
    transport: str = Field(default="buffered", description="the Thrift server's transport: buffered, or "
                           "framed (a server started with -f, or nonblocking/hsha/threadedselector)")
    protocol: str = Field(default="binary", description="the Thrift server's protocol: binary, or compact "
                          "(a server started with -c)")
    table_prefix: str = Field(default="", description="put before every table name (tests: test_)")
    create_table_command: str = Field(
        default="", description="command creating a pre-split table (the local stack writes "
        "`.state/bin/hbase-create-table`); happybase's Thrift API cannot pre-split")
    _pool: happybase.ConnectionPool | None = PrivateAttr(default=None)

    def _connection_pool(self) -> happybase.ConnectionPool:
        if self._pool is None:
            # autoconnect=False: the pool opens each connection when first used, so building the
            # resource never needs the server.
            if self.transport not in TRANSPORTS or self.protocol not in PROTOCOLS:
                raise HBaseError(f"HBase Thrift transport must be one of {', '.join(TRANSPORTS)} and protocol one "
                                 f"of {', '.join(PROTOCOLS)}, got {self.transport!r} and {self.protocol!r} "
                                 "(DATAPLATFORM_HBASE_THRIFT_TRANSPORT, DATAPLATFORM_HBASE_THRIFT_PROTOCOL)")
            self._pool = happybase.ConnectionPool(self.pool_size, host=self.host, port=self.port,
                                                  timeout=self.timeout_ms, autoconnect=False,
                                                  transport=self.transport, protocol=self.protocol)
        return self._pool

    def name(self, table: str) -> str:
        """The table's full name, refused unless HBase allows it (letters, digits, `_`, `-`, `.`)."""
        name = f"{self.table_prefix}{table}"
        if not HBASE_TABLE_NAME.fullmatch(name):
            raise HBaseError(f"not an HBase table name: {name!r} (letters, digits, _ - . only; "
                             "check DATAPLATFORM_HBASE_TABLE_PREFIX)")
        return name

    def call(self, operation: Callable[[happybase.Connection], T]) -> T:
        """`operation(connection)` on a pooled connection, repeated on a reopened one while it is dropped."""
        deadline, attempt = time.monotonic() + self.retry_seconds, 0
        while True:
            attempt += 1
            try:
                with self._connection_pool().connection() as connection:
                    return operation(connection)
            except DROPPED as exc:
                if time.monotonic() >= deadline:
                    raise HBaseError(f"HBase Thrift server at {self.host}:{self.port}: {exc!r} "
                                     f"(after {attempt} attempts in {self.retry_seconds:.0f} s)") from exc
                time.sleep(min(2 ** (attempt - 1), 8))  # the pool reopens the connection meanwhile

    def tables(self) -> list[str]:
        return [name.decode() for name in self.call(lambda c: c.tables())]

    def ensure_table(self, table: str, families: Mapping[str, int | None], splits: Sequence[bytes] = ()) -> bool:
        """Create `table` unless it exists, with its column `families` (name: time to live in
        seconds, or None) and split keys; True if it was created."""
        name = self.name(table)
        if name in self.tables():
            return False
        if not self.create_table_command:
            raise HBaseError(f"HBase table {name} does not exist and no create_table_command is set "
                             "(DATAPLATFORM_HBASE_CREATE_TABLE_BIN) to create it pre-split")
        args = [self.create_table_command, name, *(f"{f}:{ttl}" if ttl else f for f, ttl in families.items())]
        for key in splits:
            args += ["--split", key.decode()]
        result = subprocess.run(args, capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            raise HBaseError(f"creating HBase table {name} failed (exit {result.returncode}): "
                             f"{result.stderr.strip()[-600:]}")
        return result.stdout.strip() == "created"

    def write(self, table: str, timestamp_ms: int, puts: Sequence[tuple[bytes, Cells]] = (),
              deletes: Sequence[tuple[bytes, Sequence[bytes]]] = ()) -> None:
        """One batch of absolute values, all at `timestamp_ms`, sent as one Thrift call. A delete
        names whole families (b"p") or columns (b"c:42"); it hides cells up to its timestamp, so
        never put and delete the same cells in one batch. A newer cell is never overwritten by an
        older timestamp: a replayed or late batch cannot undo newer data."""
        def send(connection: happybase.Connection) -> None:
            batch = connection.table(self.name(table)).batch(timestamp=timestamp_ms)
            for row, cells in puts:
                batch.put(row, cells)
            for row, columns in deletes:
                batch.delete(row, list(columns))
            batch.send()
        self.call(send)

    def write_concurrently(self, writes: Iterable[tuple[str, int, Sequence, Sequence]]) -> None:
        """Each `(table, timestamp_ms, puts, deletes)` as `write`, up to `pool_size` at once: one
        connection's batch is built and sent while another waits for the server (about 1.7x the
        rows per second of one at a time, measured). The writes must touch different cells."""
        self._connection_pool()  # made once, before the threads share it
        with ThreadPoolExecutor(self.pool_size) as threads:
            pending: set[Future] = set()
            for write in writes:
                if len(pending) >= self.pool_size:  # bounded: at most pool_size batches in memory
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        future.result()  # the first failure stops the run
                pending.add(threads.submit(self.write, *write))
            for future in pending:
                future.result()

    def row(self, table: str, row: bytes, *, include_timestamp: bool = False) -> dict:
        return self.call(lambda c: c.table(self.name(table)).row(row, include_timestamp=include_timestamp))

    def rows(self, table: str, rows: Sequence[bytes]) -> dict[bytes, Cells]:
        return dict(self.call(lambda c: c.table(self.name(table)).rows(list(rows))))

    def scan(self, table: str, columns: Sequence[bytes] | None = None, *, row_stop: bytes | None = None,
             batch_size: int = 2000) -> list[tuple[bytes, Cells]]:
        """Every row (its `columns` only), read whole before returning so a dropped connection
        is retried from the start."""
        def read(connection: happybase.Connection) -> list[tuple[bytes, Cells]]:
            return list(connection.table(self.name(table)).scan(columns=columns, row_stop=row_stop,
                                                                batch_size=batch_size))
        return self.call(read)

    def delete_table(self, table: str) -> None:
        """Drop `table` if it exists (tests, benchmarks)."""
        if self.name(table) in self.tables():
            self.call(lambda c: c.delete_table(self.name(table), disable=True))
