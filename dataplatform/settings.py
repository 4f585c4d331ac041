"""One place that says where every service is, per environment.

`DATAPLATFORM_ENV=local` (default) points at the stack that `dataplatform stack up` runs on
loopback, with passwords generated into the state folder. `DATAPLATFORM_ENV=cluster` points at
existing services: every host, port and credential comes from `DATAPLATFORM_*` environment
variables (see docs/configuration.md) and a missing one is an error, not a silent default.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from dataplatform.paths import state_dir

PROFILES = ("local", "cluster")


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
    hdfs_host: str
    hdfs_port: int
    webhdfs_url: str
    hbase_thrift_host: str
    hbase_thrift_port: int
    lake_root: str
    clickstream_format: str = "shop_json"

    def mysql_password(self) -> str:
        return read_password_file(self.mysql_password_file)


def read_password_file(path: str) -> str:
    try:
        return Path(path).read_text().rstrip("\n")
    except OSError as exc:
        raise SettingsError(f"cannot read password file {path}: {exc.strerror}") from exc


def local_secret(name: str) -> Path:
    """The file holding the local stack's password `name`, generated on first use (mode 0600)."""
    path = state_dir() / "secrets" / f"{name}.password"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(24))
    return path


def _env(name: str, default: str | None) -> str:
    value = os.environ.get(f"DATAPLATFORM_{name}", default)
    if value is None or value == "":
        raise SettingsError(
            f"DATAPLATFORM_{name} is not set; the cluster profile reads every address and "
            "credential from the environment (see docs/configuration.md)"
        )
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

    return Settings(
        profile=profile,
        mysql_host=_env("MYSQL_HOST", default("127.0.0.1")),
        mysql_port=_int("MYSQL_PORT", "3306"),
        mysql_database=_env("MYSQL_DATABASE", "shop"),
        mysql_user=_env("MYSQL_USER", default("dataplatform")),
        mysql_password_file=_env(
            "MYSQL_PASSWORD_FILE", str(local_secret("mysql_dataplatform")) if local else None
        ),
        hive_host=_env("HIVE_HOST", default("127.0.0.1")),
        hive_port=_int("HIVE_PORT", "10000"),
        hive_user=_env("HIVE_USER", "dataplatform"),
        hive_database_prefix=os.environ.get("DATAPLATFORM_HIVE_DATABASE_PREFIX", ""),
        hdfs_host=_env("HDFS_HOST", default("127.0.0.1")),
        hdfs_port=_int("HDFS_PORT", "9000"),
        webhdfs_url=_env("WEBHDFS_URL", default("http://127.0.0.1:9870")).rstrip("/"),
        hbase_thrift_host=_env("HBASE_THRIFT_HOST", default("127.0.0.1")),
        hbase_thrift_port=_int("HBASE_THRIFT_PORT", "9090"),
        lake_root=_env("LAKE_ROOT", default("hdfs://127.0.0.1:9000/lake")).rstrip("/"),
        clickstream_format=_env("CLICKSTREAM_FORMAT", "shop_json"),
    )
