"""MariaDB from Debian's package, run from a data directory in the state folder."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path
from string import Template

import pymysql

from dataplatform.localstack.process import ServiceError
from dataplatform.localstack.secrets import ensure_local_secret
from dataplatform.localstack.service import Service
from dataplatform.paths import STACK_CONF_DIR
from dataplatform.settings import Settings, read_password_file
from resources.sql import statement, statements

MARIADB_SQL = "stack/mariadb.sql"


class MariaDB(Service):
    name = "mariadb"

    def __init__(self, settings: Settings, root: Path):
        super().__init__(settings, root, root)
        self.datadir = root / "data"
        self.socket = root / "mysqld.sock"
        self.config = root / "my.cnf"

    @property
    def address(self) -> str:
        return f"{self.settings.mysql_host}:{self.settings.mysql_port}"

    def _run_as(self) -> str | None:
        """mariadbd refuses to run as root: use the `mysql` account Debian's package creates."""
        if os.geteuid() != 0:
            return None
        try:
            pwd.getpwnam("mysql")
            return "mysql"
        except KeyError:
            return "root"

    def prepare(self) -> None:
        server = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
        if not Path(server).exists():
            raise ServiceError("mariadb: mariadbd not found; install Debian's mariadb-server "
                               "(the README's commands do it)")
        self.root.mkdir(parents=True, exist_ok=True)
        user = self._run_as()
        self.config.write_text(Template((STACK_CONF_DIR / "my.cnf.tmpl").read_text()).substitute(
            datadir=self.datadir, socket=self.socket, pid_file=self.root / "mariadbd.pid",
            port=self.settings.mysql_port, host=self.settings.mysql_host,
            user_line=f"user = {user}" if user else "",
        ))
        if not (self.datadir / "mysql").is_dir():
            self.datadir.mkdir(parents=True, exist_ok=True)
            cmd = ["mariadb-install-db", f"--defaults-file={self.config}", "--skip-test-db",
                   "--auth-root-authentication-method=normal"]
            result = subprocess.run(cmd, capture_output=True, text=True)
            if result.returncode != 0:
                raise ServiceError(f"mariadb: initialising {self.datadir} failed:\n{result.stderr[-2000:]}")
        if user and user != "root":
            subprocess.run(["chown", "-R", f"{user}:{user}", str(self.root)], check=True)
            os.chmod(self.root, 0o755)

    def command(self) -> list[str]:
        return [shutil.which("mariadbd") or "/usr/sbin/mariadbd", f"--defaults-file={self.config}"]

    def healthy(self) -> bool:
        try:
            with self._root_connection(connect_timeout=2) as conn, conn.cursor() as cur:
                cur.execute(statement(MARIADB_SQL, "ping"))
                return True
        except pymysql.err.OperationalError:
            return False

    def _root_connection(self, connect_timeout: int = 10) -> pymysql.Connection:
        """Root over the socket: the password once set, or none on a brand-new data directory."""
        password = read_password_file(str(ensure_local_secret("mysql_root")))
        try:
            return pymysql.connect(unix_socket=str(self.socket), user="root", password=password,
                                   connect_timeout=connect_timeout)
        except pymysql.err.OperationalError as exc:
            if exc.args[0] != 1045:  # access denied: try the fresh install's empty password
                raise
            conn = pymysql.connect(unix_socket=str(self.socket), user="root", password="",
                                   connect_timeout=connect_timeout)
            with conn.cursor() as cur:
                cur.execute(statement(MARIADB_SQL, "set_root_password"), (password,))
            return conn

    def after_start(self) -> None:
        params = {
            "metastore_password": read_password_file(str(ensure_local_secret("mysql_metastore"))),
            "app_password": self.settings.mysql_password(),
        }
        with self._root_connection() as conn, conn.cursor() as cur:
            for text in statements(MARIADB_SQL, "bootstrap"):
                cur.execute(text, params)
            conn.commit()
