"""The shop's MySQL/MariaDB database, reached with PyMySQL."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import dagster as dg
import pymysql
from pydantic import Field

from resources.sql import SqlError, checked_name, ident, statement


class MySQLError(RuntimeError):
    """The database refused us or is unreachable; the message names the server, never the password."""


class MySQLResource(dg.ConfigurableResource):
    """A MySQL-protocol database. The password is read from a file (Sqoop's `--password-file`
    convention) or an environment variable, so it appears in no config, command line or log."""

    host: str = "127.0.0.1"
    port: int = 3306
    database: str = "shop"
    user: str = "dataplatform"
    password_file: str | None = Field(default=None, description="file holding the password")
    password: str | None = Field(default=None, description="use dg.EnvVar, never a literal")
    connect_timeout: int = 10

    def read_password(self) -> str:
        if self.password is not None:
            return self.password
        if self.password_file:
            try:
                return Path(self.password_file).read_text().rstrip("\n")
            except OSError as exc:
                raise MySQLError(f"MySQL: cannot read password file {self.password_file}: {exc.strerror}") from exc
        raise MySQLError("no MySQL password configured: set password_file or password")

    def schema(self) -> str:
        """The configured database name, refused unless it is a plain name: it reaches SQL, JDBC
        URLs and Sqoop's command line."""
        try:
            return checked_name(self.database)
        except SqlError as exc:
            raise MySQLError(f"the MySQL database name is not a plain name (DATAPLATFORM_MYSQL_DATABASE): "
                             f"{exc}") from None

    def jdbc_url(self, scheme: str = "mysql") -> str:
        """`jdbc:<scheme>://host:port/database` (no credentials: JDBC gets them apart)."""
        return f"jdbc:{scheme}://{self.host}:{self.port}/{self.schema()}"

    def connectorx_url(self) -> str:
        """The URL connectorx connects with (in memory only: it carries the password)."""
        return (f"mysql://{quote(self.user, safe='')}:{quote(self.read_password(), safe='')}"
                f"@{self.host}:{self.port}/{self.schema()}")

    def client_options_file(self, directory: Path) -> Path:
        """A `[client]` options file for MariaDB's command-line tools (`--defaults-extra-file`), in
        `directory`, readable by its owner only: the password never goes on a command line."""
        options = Path(directory) / "client.cnf"
        options.touch(mode=0o600)
        options.write_text(f"[client]\nhost={self.host}\nport={self.port}\nuser={self.user}\n"
                           f"password={self.read_password()}\n")
        return options

    def ensure_database(self) -> None:
        """Create the configured schema if it does not exist yet."""
        create = statement("shop/create_database.sql", database=ident(self.schema()))
        with self.connect(database=None) as conn, conn.cursor() as cur:
            cur.execute(create)

    def connect(self, database: str | None = "", **kwargs) -> pymysql.Connection:
        """A new connection (autocommit off). `database=None` connects to no schema."""
        db = self.schema() if database == "" else database
        try:
            return pymysql.connect(host=self.host, port=self.port, user=self.user,
                                   password=self.read_password(), database=db, charset="utf8mb4",
                                   connect_timeout=self.connect_timeout,
                                   init_command=statement("shop/connection.sql", "utc_session"),
                                   **kwargs)
        except pymysql.err.OperationalError as exc:
            code, message = (exc.args + ("",))[:2]
            raise MySQLError(f"MySQL at {self.host}:{self.port} as {self.user!r}: "
                             f"error {code}: {message}") from None
