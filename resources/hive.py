"""HiveServer2 (here: the Spark Thrift Server), reached with PyHive."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
from pydantic import Field
from pyhive import hive
from TCLIService.ttypes import TCloseOperationReq, TGetCatalogsReq, TOperationState, TStatusCode
from thrift.transport.TTransport import TTransportException

from resources.sql import Sql, checked_name, column_definitions, ident, lit, path, qualified, statement

# Statements run asynchronously and are polled, so no single call waits on the server for long and
# every call can have a socket timeout: a server that stops answering fails the work instead of
# hanging it (a test once hung 15 minutes on one such call).
CATALOG_SQL = "hive/catalog.sql"
_SUCCESS = (TStatusCode.SUCCESS_STATUS, TStatusCode.SUCCESS_WITH_INFO_STATUS)
_RUNNING = (TOperationState.INITIALIZED_STATE, TOperationState.PENDING_STATE, TOperationState.RUNNING_STATE)
# What a failing metastore makes the server say: with its database down, even `default` "cannot be found".
METASTORE_SIGNS = ("SCHEMA_NOT_FOUND", "MetaException", "metastore", "Communications link failure")


class HiveError(RuntimeError):
    """HiveServer2 is unreachable or refused a statement."""


class HiveConnectionLost(HiveError):
    """The server stopped answering mid-statement: the session it was on is gone."""


# Sessions are reused: one open session per endpoint, process and thread, checked before each
# use. Opening one costs the Thrift Server a new Spark session and `USE default`, about 45 ms of
# its CPU, more than a small statement takes; the suite opened about 3,600. A session keeps what
# its statements set (`SET`, temporary views): every statement names its tables in full, and the
# settings the parse and SCD-2 statements make are the stack's defaults or harmless elsewhere.
_SESSIONS = threading.local()


@dataclass(frozen=True)
class TableDescription:
    columns: list[tuple[str, str]]  # (name, lower-case type), partition columns included
    location: str | None

    @classmethod
    def of(cls, described: list[tuple]) -> TableDescription:
        """From DESCRIBE FORMATTED: the columns come first (Spark lists partition columns with the
        others) up to an empty or `#` row; the `Location` row is among the details that follow."""
        columns, in_columns, location = [], True, None
        for column, data_type, *_ in described:
            column = (column or "").strip()
            if not column or column.startswith("#"):
                in_columns = False
            elif in_columns:
                columns.append((column, (data_type or "").lower()))
            elif column == "Location" and data_type:
                location = data_type.strip()
        return cls(columns, location)


def _gss_reason(error: Exception) -> str:
    """The GSSAPI major and minor messages of a `kerberos.GSSError` (args: ((text, code), (text, code)))."""
    parts = [part[0] for part in error.args if isinstance(part, tuple) and part and isinstance(part[0], str)]
    return ": ".join(parts) or str(error)


AUTH_MODES = ("NONE", "NOSASL", "LDAP", "CUSTOM", "KERBEROS")
PASSWORD_AUTH_MODES = ("LDAP", "CUSTOM")  # the mechanisms that send a password


class HiveServer2Resource(dg.ConfigurableResource):
    """A HiveServer2 endpoint. `database_prefix` isolates a whole warehouse (tests use it), so
    `db("raw")` names `raw` in production and e.g. `test_raw` in a test run."""

    host: str = "127.0.0.1"
    port: int = 10000
    username: str = "dataplatform"
    auth: str = Field(default="NONE", description="how the server authenticates us, one of PyHive's: NONE, "
                      "NOSASL, LDAP or CUSTOM (user name and password over SASL PLAIN), KERBEROS (SASL GSSAPI, "
                      "with a ticket from kinit)")
    password_file: str = Field(default="", description="file holding the password, for LDAP and CUSTOM")
    kerberos_service_name: str = Field(default="hive", description="the server's principal's service "
                                       "name, for KERBEROS")
    database_prefix: str = ""
    call_timeout_seconds: float = Field(default=120.0, description="socket timeout of each call to the "
                                        "server; statements themselves may run longer (they are polled)")
    metastore_db: str = Field(default="", description="host:port of the database behind the server's Hive "
                              "metastore; when a statement fails the way a dead metastore makes it fail and "
                              "that port does not answer, the error says so instead of the server's symptom")

    def db(self, name: str) -> str:
        """The database `name` is in this warehouse (its prefix added), checked to be a plain name."""
        return checked_name(f"{self.database_prefix}{name}")

    def table(self, database: str, name: str) -> Sql:
        """`prefixed database`.`table`, quoted, for a statement of sql/."""
        return qualified(self.db(database), name)

    def connect_args(self) -> dict[str, object]:
        """PyHive's connection arguments for this endpoint and its authentication; the password is
        read from its file here, at connection time, and goes nowhere else."""
        if self.auth not in AUTH_MODES:
            raise HiveError(f"HiveServer2 auth must be one of {', '.join(AUTH_MODES)}, got {self.auth!r} "
                            "(DATAPLATFORM_HIVE_AUTH)")
        args: dict[str, object] = {"host": self.host, "port": self.port, "username": self.username,
                                   "auth": self.auth}
        if self.auth in PASSWORD_AUTH_MODES:
            if not self.password_file:
                raise HiveError(f"HiveServer2 auth {self.auth} needs a password file (DATAPLATFORM_HIVE_PASSWORD_FILE)")
            try:
                args["password"] = Path(self.password_file).read_text().rstrip("\n")
            except OSError as exc:
                raise HiveError(f"HiveServer2: cannot read password file {self.password_file}: "
                                f"{exc.strerror}") from None
        if self.auth == "KERBEROS":
            args["kerberos_service_name"] = self.kerberos_service_name
        return args

    @contextmanager
    def cursor(self) -> Iterator[hive.Cursor]:
        """A cursor on this thread's session with the server (opened if it has none that answers)."""
        conn = self._session()
        cur = conn.cursor()
        try:
            yield cur
        except HiveError as exc:
            if isinstance(exc, HiveConnectionLost):
                self._drop(conn)
            raise self._named_outage(exc) from None
        except BaseException:  # a call cut off mid-reply leaves the stream out of step
            self._drop(conn)
            raise
        finally:
            _quietly(cur.close)

    def _session(self) -> hive.Connection:
        sessions, key = _SESSIONS.__dict__.setdefault("open", {}), self._session_key()
        conn = sessions.get(key)
        if conn is not None:
            _socket_of(conn).setTimeout(self.call_timeout_seconds * 1000)  # this resource's timeout
            if _answers(conn):
                return conn
            self._drop(conn)
        conn = sessions[key] = self._connect()
        return conn

    def close_session(self) -> None:
        """Close this thread's session, if it has one (a short-lived thread's, before it ends)."""
        conn = _SESSIONS.__dict__.get("open", {}).get(self._session_key())
        if conn is not None:
            self._drop(conn)

    def _session_key(self) -> tuple:
        return (os.getpid(), self.host, self.port, self.username, self.auth, self.password_file,
                self.kerberos_service_name)

    def _drop(self, conn: hive.Connection) -> None:
        sessions, key = _SESSIONS.__dict__.get("open", {}), self._session_key()
        if sessions.get(key) is conn:
            del sessions[key]
        _quietly(conn.close)

    def _connect(self) -> hive.Connection:
        try:
            conn = hive.connect(**self.connect_args())
            _socket_of(conn).setTimeout(self.call_timeout_seconds * 1000)
            return conn
        except (TTransportException, OSError) as exc:
            if "Bad status" in str(exc):  # the SASL handshake's answer: the server refused the login
                raise HiveError(f"HiveServer2 at {self.host}:{self.port} refused the login of {self.username!r} "
                                f"(auth {self.auth}): {exc}") from None
            raise HiveError(f"HiveServer2 at {self.host}:{self.port} is not reachable ({exc}); "
                            "is the stack up? (`dataplatform stack up`)") from None
        except Exception as exc:
            if self.auth == "KERBEROS" and type(exc).__module__ == "kerberos":  # GSSAPI's own failure
                raise HiveError(f"HiveServer2 at {self.host}:{self.port}: Kerberos could not log in to service "
                                f"{self.kerberos_service_name!r} ({_gss_reason(exc)}); is there a ticket "
                                "(kinit, or KRB5_CLIENT_KTNAME) of the server's realm?") from None
            raise

    def _named_outage(self, error: HiveError) -> HiveError:
        """`error`, or what lies behind it when that is the metastore's database being down."""
        text = str(error)
        host, _, port = self.metastore_db.rpartition(":")
        if not host or not port.isdigit() or not any(sign in text for sign in METASTORE_SIGNS):
            return error
        try:
            socket.create_connection((host, int(port)), timeout=3).close()
            return error
        except OSError as exc:
            return HiveError(f"Hive metastore unreachable: its database at {self.metastore_db} is down "
                             f"({exc.strerror or exc}); the server said:\n  {text}")

    def empty_database(self, database: str) -> None:
        """`database` (prefixed) with no table or view left, created if missing; one by one, as the
        MariaDB metastore refuses `DROP DATABASE ... CASCADE` (tests and benchmarks start clean)."""
        name = ident(self.db(database))
        self.execute(statement(CATALOG_SQL, "create_database", database=name))
        views = {row[1] for row in self.query(statement(CATALOG_SQL, "show_views", database=name))}
        tables = {row[1] for row in self.query(statement(CATALOG_SQL, "show_tables", database=name))} - views
        self.execute(*(statement(CATALOG_SQL, "drop_view", table=self.table(database, v)) for v in views),
                     *(statement(CATALOG_SQL, "drop_table", table=self.table(database, t)) for t in tables))

    def describe(self, database: str, name: str) -> TableDescription | None:
        """What the metastore knows of `database`.`name` (database unprefixed); None if there is no such table.
        One statement when the table is there (every run but the first); whether a refusal means the
        table is missing is asked of the catalog, never read from the server's wording."""
        try:
            described = self.query(statement(CATALOG_SQL, "describe_table", table=self.table(database, name)))
        except HiveError:
            if not self.exists(database, name):
                return None
            raise
        return TableDescription.of(described)

    def exists(self, database: str, name: str) -> bool:
        """Whether `database`.`name` (database unprefixed) is a table or view in the metastore."""
        return bool(self.query(statement(CATALOG_SQL, "show_database", database_pattern=lit(self.db(database))))
                    and self.query(statement(CATALOG_SQL, "show_table", database=ident(self.db(database)),
                                             table_pattern=lit(name))))

    def file_columns(self, uri: str) -> list[tuple[str, str]]:
        """The columns ((name, lower-case type)) of the Parquet files at `uri`, as a table over
        them would have."""
        rows = self.query(statement(CATALOG_SQL, "describe_files", files=path(uri)))
        return [(name.strip(), (kind or "").lower()) for name, kind, *_ in rows if name and not name.startswith("#")]

    def add_missing_columns(self, database: str, name: str, columns: list[tuple[str, str]],
                            described: TableDescription | None = None) -> None:
        """Add those of `columns` ((name, Hive type)) the table lacks; `described` if the caller has it."""
        present = {column for column, _ in (described or self.describe(database, name)).columns}
        missing = [(column, kind) for column, kind in columns if column not in present]
        if missing:
            self.execute(statement(CATALOG_SQL, "add_columns", table=self.table(database, name),
                                   columns=column_definitions(missing)))

    def execute(self, *statements: str) -> None:
        with self.cursor() as cur:
            for statement in statements:
                run_statement(cur, statement)

    def query(self, statement: str) -> list[tuple]:
        with self.cursor() as cur:
            run_statement(cur, statement)
            return cur.fetchall()

    def records(self, statement: str) -> list[dict]:
        """The result's rows as {column: value}."""
        with self.cursor() as cur:
            run_statement(cur, statement)
            names = [d[0].rsplit(".", 1)[-1] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _socket_of(conn: hive.Connection):
    """The TSocket under PyHive's transport (SASL-wrapped for auth NONE/LDAP, buffered for NOSASL)."""
    transport = conn._transport
    return getattr(transport, "_trans", None) or getattr(transport, "_TBufferedTransport__trans", transport)


def _answers(conn: hive.Connection) -> bool:
    """Whether the server still holds this session: a catalog listing, about 2 ms. (GetInfo will not
    do: Spark answers its name without looking the session up, and fails to send numeric answers.)"""
    try:
        reply = conn.client.GetCatalogs(TGetCatalogsReq(sessionHandle=conn.sessionHandle))
        if reply.status.statusCode not in _SUCCESS:
            return False
        conn.client.CloseOperation(TCloseOperationReq(operationHandle=reply.operationHandle))
        return True
    except Exception:  # noqa: BLE001 - a restarted server, a closed socket: open a new session
        return False


def run_statement(cur: hive.Cursor, statement: str) -> None:
    """Execute one statement and wait until it has finished; a refusal or a failure becomes a
    HiveError with the server's reason."""
    try:
        cur.execute(statement, async_=True)
        # Polled often: a statement is seen finished at most 50 ms late (with pauses doubling up to
        # 0.5 s, a 0.44 s count was seen at 0.64 s and a long write 0.25 s late on average); a
        # status request costs the server next to nothing.
        pause = 0.005
        while (status := cur.poll(get_progress_update=False)).operationState in _RUNNING:
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
    except hive.OperationalError as exc:
        raise _rejected(statement, _reason(exc)) from None
    except (TTransportException, OSError) as exc:
        raise HiveConnectionLost(f"HiveServer2 stopped answering during: {statement.strip()[:200]}\n  {exc}") \
            from None
    if status.operationState != TOperationState.FINISHED_STATE:
        reason = (status.errorMessage or "").split("\n", 1)[0][:500] or \
            TOperationState._VALUES_TO_NAMES.get(status.operationState)
        raise _rejected(statement, reason)


def _rejected(statement: str, reason: str) -> HiveError:
    return HiveError(f"HiveServer2 rejected: {statement.strip()[:200]}\n  {reason}")


def _quietly(close) -> None:
    """Close a cursor or session whose work is done or already failed: a session the server
    dropped, or a connection left mid-reply by a call that timed out, must not hide the result or
    the first error."""
    try:
        close()
    except Exception:  # noqa: BLE001 - after a timed-out call the stream is out of step: any error
        pass


def _reason(exc: Exception) -> str:
    status = getattr(exc.args[0], "status", None) if exc.args else None
    return getattr(status, "errorMessage", None) or str(exc)[:500]
