"""Where every service is, as the command line sees it, per environment.

`DATAPLATFORM_ENV=local` (default) points at the stack that `dataplatform stack up` runs on
loopback, with passwords the stack generates into the state folder when it starts.
`DATAPLATFORM_ENV=cluster` points at existing services: every host, port and credential comes from
`DATAPLATFORM_*` environment variables (see docs/configuration.md) and a missing one is an error,
not a silent default. Loading settings reads the environment and nothing else: no file is written.

The code location reads the same variables through `dg.EnvVar` (dataplatform_assets/environments.py);
`code_location_env` hands them to it, filled in with the local defaults.
"""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass
from pathlib import Path

from dataplatform.paths import hbase_table_tool_path, sqoop_launcher_path, state_dir
from resources.hbase import PROTOCOLS, TRANSPORTS, HBaseResource
from resources.hive import AUTH_MODES, PASSWORD_AUTH_MODES, HiveServer2Resource
from resources.lake import LakeResource, lake_at
from resources.mysql import MySQLResource

PROFILES = ("local", "cluster")
# Names from the environment that end up in SQL or table names (`orders; DROP TABLE customers` is refused).
PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NAME_PART = re.compile(r"[A-Za-z0-9_]*")
HBASE_NAME_PART = re.compile(r"[A-Za-z0-9_.-]*")


class SettingsError(RuntimeError):
    """A setting is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    profile: str
    mysql_host: str
    mysql_port: int
    mysql_database: str
    mysql_user: str
    mysql_password_file: str
    hive_host: str
    hive_port: int
    hive_user: str
    hive_database_prefix: str
    hive_hbase_host: str
    hive_hbase_port: int
    hdfs_host: str
    hdfs_port: int
    webhdfs_url: str
    hbase_thrift_host: str
    hbase_thrift_port: int
    lake_root: str
    clickstream_format: str = "shop_json"
    visitor_salt_file: str = ""  # the access-log format's salt for anonymous visitors (a secret file)
    access_log_config: str = ""  # the access-log format's routes file; empty: the packaged default
    clickstream_start: str = "2025-01-01"  # the first day of web logs: the clickstream's first partition
    sqoop_bin: str = "sqoop"
    hbase_create_table_bin: str = ""
    hbase_table_prefix: str = ""
    hive_metastore_db: str = ""  # host:port of the metastore's database (the stack's MariaDB locally)
    hive_auth: str = "NONE"  # both HiveServer2s: NONE, NOSASL, LDAP, CUSTOM or KERBEROS
    hive_password_file: str = ""  # for LDAP and CUSTOM
    hive_kerberos_service_name: str = "hive"
    hbase_thrift_transport: str = "buffered"
    hbase_thrift_protocol: str = "binary"

    def mysql_password(self) -> str:
        return read_password_file(self.mysql_password_file)

    def mysql(self, database: str | None = None) -> MySQLResource:
        """The shop database's client (or another schema on the same server)."""
        return MySQLResource(host=self.mysql_host, port=self.mysql_port, database=database or self.mysql_database,
                             user=self.mysql_user, password_file=self.mysql_password_file)

    def lake(self) -> LakeResource:
        return lake_at(self.lake_root, self.webhdfs_url)

    def hive(self) -> HiveServer2Resource:
        return HiveServer2Resource(host=self.hive_host, port=self.hive_port, username=self.hive_user,
                                   database_prefix=self.hive_database_prefix, metastore_db=self.hive_metastore_db,
                                   auth=self.hive_auth, password_file=self.hive_password_file,
                                   kerberos_service_name=self.hive_kerberos_service_name)

    def hbase(self, table_prefix: str | None = None) -> HBaseResource:
        return HBaseResource(host=self.hbase_thrift_host, port=self.hbase_thrift_port,
                             transport=self.hbase_thrift_transport, protocol=self.hbase_thrift_protocol,
                             table_prefix=self.hbase_table_prefix if table_prefix is None else table_prefix,
                             create_table_command=self.hbase_create_table_bin)

    def code_location_env(self) -> dict[str, str]:
        """The `DATAPLATFORM_*` variables the code location's resources read (dg.EnvVar), from these
        settings: what the stack gives its Dagster services and the CLI sets before loading them."""
        return {"DATAPLATFORM_ENV": self.profile,
                "DATAPLATFORM_MYSQL_HOST": self.mysql_host, "DATAPLATFORM_MYSQL_PORT": str(self.mysql_port),
                "DATAPLATFORM_MYSQL_DATABASE": self.mysql_database, "DATAPLATFORM_MYSQL_USER": self.mysql_user,
                "DATAPLATFORM_MYSQL_PASSWORD_FILE": self.mysql_password_file,
                "DATAPLATFORM_HIVE_HOST": self.hive_host, "DATAPLATFORM_HIVE_PORT": str(self.hive_port),
                "DATAPLATFORM_HIVE_USER": self.hive_user,
                "DATAPLATFORM_HIVE_DATABASE_PREFIX": self.hive_database_prefix,
                "DATAPLATFORM_HIVE_METASTORE_DB": self.hive_metastore_db,
                "DATAPLATFORM_HIVE_AUTH": self.hive_auth, "DATAPLATFORM_HIVE_PASSWORD_FILE": self.hive_password_file,
                "DATAPLATFORM_HIVE_KERBEROS_SERVICE_NAME": self.hive_kerberos_service_name,
                "DATAPLATFORM_HIVE_HBASE_HOST": self.hive_hbase_host,
                "DATAPLATFORM_HIVE_HBASE_PORT": str(self.hive_hbase_port),
                "DATAPLATFORM_WEBHDFS_URL": self.webhdfs_url, "DATAPLATFORM_LAKE_ROOT": self.lake_root,
                "DATAPLATFORM_HBASE_THRIFT_HOST": self.hbase_thrift_host,
                "DATAPLATFORM_HBASE_THRIFT_PORT": str(self.hbase_thrift_port),
                "DATAPLATFORM_HBASE_THRIFT_TRANSPORT": self.hbase_thrift_transport,
                "DATAPLATFORM_HBASE_THRIFT_PROTOCOL": self.hbase_thrift_protocol,
                "DATAPLATFORM_HBASE_TABLE_PREFIX": self.hbase_table_prefix,
                "DATAPLATFORM_CLICKSTREAM_FORMAT": self.clickstream_format,
                "DATAPLATFORM_VISITOR_SALT_FILE": self.visitor_salt_file,
                "DATAPLATFORM_ACCESS_LOG_CONFIG": self.access_log_config,
                "DATAPLATFORM_CLICKSTREAM_START": self.clickstream_start,
                "DATAPLATFORM_SQOOP_BIN": self.sqoop_bin,
                "DATAPLATFORM_HBASE_CREATE_TABLE_BIN": self.hbase_create_table_bin}


def read_password_file(path: str) -> str:
    try:
        return Path(path).read_text().rstrip("\n")
    except OSError as exc:
        raise SettingsError(f"cannot read password file {path}: {exc.strerror}"
                            + (" (the local stack writes it when it starts: `dataplatform stack up`)"
                               if exc.errno == errno.ENOENT else "")) from exc


def local_secret_file(name: str) -> Path:
    """Where the local stack keeps its password `name` (the stack creates it when it starts)."""
    return state_dir() / "secrets" / f"{name}.password"


def _env(name: str, default: str | None) -> str:
    value = os.environ.get(f"DATAPLATFORM_{name}", default)
    if value is None or value == "":
        raise SettingsError(
            f"DATAPLATFORM_{name} is not set; the cluster profile reads every address and "
            "credential from the environment (see docs/configuration.md)"
        )
    return value


def _name(name: str, default: str, pattern: re.Pattern, allowed: str) -> str:
    """A name from the environment that reaches SQL or a table name, checked before any is built."""
    value = os.environ.get(f"DATAPLATFORM_{name}", default)
    if not pattern.fullmatch(value):
        raise SettingsError(f"DATAPLATFORM_{name} must be {allowed}, got {value!r}")
    return value


def _choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(f"DATAPLATFORM_{name}", default)
    if value not in choices:
        raise SettingsError(f"DATAPLATFORM_{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _int(name: str, default: str | None) -> int:
    raw = _env(name, default)
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"DATAPLATFORM_{name} must be a whole number, got {raw!r}") from exc


def load_settings(profile: str | None = None) -> Settings:
    profile = profile or os.environ.get("DATAPLATFORM_ENV", "local")
    if profile not in PROFILES:
        raise SettingsError(f"DATAPLATFORM_ENV must be one of {', '.join(PROFILES)}, got {profile!r}")
    local = profile == "local"

    def default(value: str) -> str | None:
        return value if local else None

    mysql_host, mysql_port = _env("MYSQL_HOST", default("127.0.0.1")), _int("MYSQL_PORT", "3306")
    return Settings(
        profile=profile,
        mysql_host=mysql_host,
        mysql_port=mysql_port,
        mysql_database=_name("MYSQL_DATABASE", "shop", PLAIN_NAME, "a plain name (letters, digits, _)"),
        mysql_user=_env("MYSQL_USER", default("dataplatform")),
        mysql_password_file=_env(
            "MYSQL_PASSWORD_FILE", str(local_secret_file("mysql_dataplatform")) if local else None
        ),
        hive_host=_env("HIVE_HOST", default("127.0.0.1")),
        hive_port=_int("HIVE_PORT", "10000"),
        hive_user=_env("HIVE_USER", "dataplatform"),
        hive_database_prefix=_name("HIVE_DATABASE_PREFIX", "", NAME_PART, "letters, digits and _ only"),
        # The local stack's metastore lives in its MariaDB; a cluster names its own (optional).
        hive_metastore_db=os.environ.get("DATAPLATFORM_HIVE_METASTORE_DB",
                                         f"{mysql_host}:{mysql_port}" if local else ""),
        hive_auth=(auth := _choice("HIVE_AUTH", "NONE", AUTH_MODES)),
        # A password only for the mechanisms that send one; from a file, like MySQL's.
        hive_password_file=_env("HIVE_PASSWORD_FILE", None) if auth in PASSWORD_AUTH_MODES else "",
        hive_kerberos_service_name=_env("HIVE_KERBEROS_SERVICE_NAME", "hive"),
        hive_hbase_host=_env("HIVE_HBASE_HOST", default("127.0.0.1")),
        hive_hbase_port=_int("HIVE_HBASE_PORT", "10010"),
        hdfs_host=_env("HDFS_HOST", default("127.0.0.1")),
        hdfs_port=_int("HDFS_PORT", "9000"),
        webhdfs_url=_env("WEBHDFS_URL", default("http://127.0.0.1:9870")).rstrip("/"),
        hbase_thrift_host=_env("HBASE_THRIFT_HOST", default("127.0.0.1")),
        hbase_thrift_port=_int("HBASE_THRIFT_PORT", "9090"),
        hbase_thrift_transport=_choice("HBASE_THRIFT_TRANSPORT", "buffered", TRANSPORTS),
        hbase_thrift_protocol=_choice("HBASE_THRIFT_PROTOCOL", "binary", PROTOCOLS),
        hbase_table_prefix=_name("HBASE_TABLE_PREFIX", "", HBASE_NAME_PART, "letters, digits, _ - . only"),
        lake_root=_env("LAKE_ROOT", default("hdfs://127.0.0.1:9000/lake")).rstrip("/"),
        clickstream_format=_env("CLICKSTREAM_FORMAT", "shop_json"),
        visitor_salt_file=os.environ.get("DATAPLATFORM_VISITOR_SALT_FILE",
                                         str(local_secret_file("visitor_salt")) if local else ""),
        access_log_config=os.environ.get("DATAPLATFORM_ACCESS_LOG_CONFIG", ""),
        clickstream_start=_env("CLICKSTREAM_START", "2025-01-01"),
        # The local stack writes its own Sqoop launcher; a cluster's edge node has `sqoop` on PATH.
        sqoop_bin=_env("SQOOP_BIN", str(sqoop_launcher_path()) if local else "sqoop"),
        # Likewise its table tool; on a cluster, a wrapper around the same tool with its hbase-site.xml.
        hbase_create_table_bin=_env("HBASE_CREATE_TABLE_BIN",
                                    str(hbase_table_tool_path()) if local else "hbase-create-table"),
    )
