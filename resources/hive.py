"""HiveServer2 (here: the Spark Thrift Server), reached with PyHive."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from pyhive import hive
from thrift.transport.TTransport import TTransportException


class HiveError(RuntimeError):
    """HiveServer2 is unreachable or refused a statement."""


class HiveServer2Resource(dg.ConfigurableResource):
    """A HiveServer2 endpoint. `database_prefix` isolates a whole warehouse (tests use it), so
    `db("raw")` names `raw` in production and e.g. `test_raw` in a test run."""

    host: str = "127.0.0.1"
    port: int = 10000
    username: str = "dataplatform"
    auth: str = "NONE"
    database_prefix: str = ""

    def db(self, name: str) -> str:
        return f"{self.database_prefix}{name}"

    @contextmanager
    def cursor(self) -> Iterator[hive.Cursor]:
        try:
            conn = hive.connect(host=self.host, port=self.port, username=self.username, auth=self.auth)
        except (TTransportException, OSError) as exc:
            raise HiveError(f"HiveServer2 at {self.host}:{self.port} is not reachable ({exc}); "
                            "is the stack up? (`dataplatform stack up`)") from None
        try:
            cur = conn.cursor()
            try:
                yield cur
            finally:
                cur.close()
        finally:
            try:
                conn.close()
            except (TTransportException, OSError):
                pass  # the work is done; a session the server dropped first expires there on its own

    def execute(self, *statements: str) -> None:
        with self.cursor() as cur:
            for statement in statements:
                run_statement(cur, statement)

    def query(self, statement: str) -> list[tuple]:
        with self.cursor() as cur:
            run_statement(cur, statement)
            return cur.fetchall()


def run_statement(cur: hive.Cursor, statement: str) -> None:
    """Execute one statement; a refusal becomes a HiveError with the server's reason."""
    try:
        cur.execute(statement)
    except hive.OperationalError as exc:
        raise HiveError(f"HiveServer2 rejected: {statement.strip()[:200]}\n  {_reason(exc)}") from None


def _reason(exc: Exception) -> str:
    status = getattr(exc.args[0], "status", None) if exc.args else None
    return getattr(status, "errorMessage", None) or str(exc)[:500]
