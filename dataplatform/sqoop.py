"""`dataplatform sqoop ...`: the real Apache Sqoop 1.4.7 CLI, wired to the platform's settings.

Runs through the same `SqoopResource` the import assets use, and fills in what the user leaves
out: `--connect`, `--username` and `--password-file` from the settings (the password never
touches a command line), and a per-run work folder for the classes Sqoop generates and compiles.
Its jobs run in Sqoop's own JVM locally and on YARN in the cluster profile
(`DATAPLATFORM_SQOOP_FRAMEWORK` overrides).
"""

from __future__ import annotations

import os
from pathlib import Path

from dataplatform.localstack.launchers import write_sqoop_launcher
from dataplatform.paths import state_dir
from dataplatform.settings import Settings, load_settings
from resources.sqoop import SqoopResource

TOOLS_WITH_CONNECTION = {"import", "import-all-tables", "export", "eval", "list-tables",
                         "list-databases", "codegen", "create-hive-table"}


def with_connection(args: list[str], settings: Settings) -> list[str]:
    """`args` with the shop database's connection options added where the user left them out."""
    if not args or args[0] not in TOOLS_WITH_CONNECTION:
        return args
    given = set(args)
    defaults = {
        "--connect": f"jdbc:mariadb://{settings.mysql_host}:{settings.mysql_port}/{settings.mysql_database}",
        "--username": settings.mysql_user,
        "--password-file": Path(settings.mysql_password_file).resolve().as_uri(),
    }
    return [args[0], *[part for flag, value in defaults.items() if flag not in given for part in (flag, value)],
            *args[1:]]


def run_sqoop(args: list[str]) -> int:
    settings = load_settings()
    if settings.profile == "local":
        write_sqoop_launcher()  # current with this checkout's jars, whether or not the stack ran
    sqoop = SqoopResource(executable=settings.sqoop_bin, work_root=str(state_dir() / "sqoop"),
                          framework=os.environ.get("DATAPLATFORM_SQOOP_FRAMEWORK",
                                                    "local" if settings.profile == "local" else "yarn"))
    with sqoop.work_dir() as work:
        return sqoop.run(with_connection(args, settings), work, capture=False).returncode
