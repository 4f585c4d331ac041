"""HBase through its Thrift server, with happybase: a pool of connections that survives drops.

A Thrift server restart or an idle timeout leaves pooled connections dead. happybase's pool reopens
a connection after a Thrift or socket error but still raises that error; `call` runs an operation on
a pooled connection and, when the connection was dropped, runs it once more on a reopened one (the
operations we run through it, puts of whole rows and reads, are safe to repeat).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import TypeVar

import dagster as dg
import happybase
from pydantic import Field, PrivateAttr
from thriftpy2.thrift import TException

T = TypeVar("T")
DROPPED = (TException, socket.error)


class HBaseError(RuntimeError):
    """HBase's Thrift server cannot be reached, or refused the operation."""


class HBaseResource(dg.ConfigurableResource):
    host: str = "127.0.0.1"
    port: int = 9090
    pool_size: int = Field(default=2, description="connections kept open per process")
    timeout_ms: int = Field(default=30_000, description="socket timeout of every Thrift call")
    attempts: int = Field(default=3, description="tries of one operation across dropped connections")
    _pool: happybase.ConnectionPool | None = PrivateAttr(default=None)

    def _connection_pool(self) -> happybase.ConnectionPool:
        if self._pool is None:
            # autoconnect=False: the pool opens each connection when first used, so building the
            # resource never needs the server.
            self._pool = happybase.ConnectionPool(self.pool_size, host=self.host, port=self.port,
                                                  timeout=self.timeout_ms, autoconnect=False)
        return self._pool

    def call(self, operation: Callable[[happybase.Connection], T]) -> T:
        """`operation(connection)` on a pooled connection, repeated on a reopened one if it was dropped."""
        for attempt in range(1, self.attempts + 1):
            try:
                with self._connection_pool().connection() as connection:
                    return operation(connection)
            except DROPPED as exc:
                if attempt == self.attempts:
                    raise HBaseError(f"HBase Thrift server at {self.host}:{self.port}: {exc!r} "
                                     f"(after {attempt} attempts)") from exc
                time.sleep(attempt)  # a restarting server needs a moment; the pool reopens meanwhile
        raise AssertionError("unreachable")

    def tables(self) -> list[str]:
        return [name.decode() for name in self.call(lambda c: c.tables())]

    def ensure_table(self, name: str, families: dict[str, dict]) -> bool:
        """Create `name` with its column `families` unless it exists; True if it was created."""
        def create(connection: happybase.Connection) -> bool:
            if name.encode() in connection.tables():
                return False
            connection.create_table(name, families)
            return True
        return self.call(create)

    def put(self, table: str, row: bytes, data: dict[bytes, bytes]) -> None:
        self.call(lambda c: c.table(table).put(row, data))

    def row(self, table: str, row: bytes) -> dict[bytes, bytes]:
        return self.call(lambda c: c.table(table).row(row))
