"""`dataplatform sqoop ...`: the real Apache Sqoop 1.4.7 CLI, wired to the platform's settings.

Runs Sqoop on Hadoop's local job runner (`DATAPLATFORM_SQOOP_FRAMEWORK=yarn` on a cluster) with
the MariaDB driver, and fills in what the user leaves out: `--connect`, `--username` and
`--password-file` from the settings (the password never touches a command line), and a per-run
work folder for the record classes Sqoop generates and compiles.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from dataplatform.localstack.jvm import java_command, java_env
from dataplatform.localstack.process import ServiceError
from dataplatform.localstack.thriftserver import MARIADB_JDBC_JAR
from dataplatform.paths import state_dir
from dataplatform.settings import load_settings

SQOOP_CLASS = "org.apache.sqoop.Sqoop"
TOOLS_WITH_CONNECTION = {"import", "import-all-tables", "export", "eval", "list-tables",
                         "list-databases", "codegen", "create-hive-table"}


def sqoop_command(args: list[str], work_dir: Path) -> list[str]:
    if not args:
        args = ["help"]
    if any(a in ("--password", "-P") for a in args):
        raise ServiceError("pass the password with --password-file (or let the platform do it): "
                           "a password on a command line shows in the process list")
    settings = load_settings()
    tool, rest = args[0], args[1:]
    framework = os.environ.get("DATAPLATFORM_SQOOP_FRAMEWORK", "local")
    # Generic Hadoop options must come right after the tool name, before Sqoop's own.
    final = [tool, f"-Dmapreduce.framework.name={framework}"]
    if tool in TOOLS_WITH_CONNECTION:
        given = set(rest)
        defaults = {
            "--driver": "org.mariadb.jdbc.Driver",
            "--connect": f"jdbc:mariadb://{settings.mysql_host}:{settings.mysql_port}/{settings.mysql_database}",
            "--username": settings.mysql_user,
            "--password-file": Path(settings.mysql_password_file).resolve().as_uri(),
        }
        for flag, value in defaults.items():
            if flag not in given:
                final += [flag, value]
        if tool not in ("eval", "list-tables", "list-databases"):
            final += ["--bindir", str(work_dir / "classes"), "--outdir", str(work_dir / "src")]
    final += rest
    # Sqoop compiles a record class per table into --bindir; the local job runner loads it from
    # the class path, hence the work folder's classes come first.
    (work_dir / "classes").mkdir(parents=True, exist_ok=True)
    cmd = java_command("sqoop", SQOOP_CLASS, heap="512m", conf_dir=state_dir() / "conf" / "hadoop",
                       args=final)
    cp = cmd.index("-cp") + 1
    cmd[cp] = os.pathsep.join([str(work_dir / "classes"), cmd[cp], str(MARIADB_JDBC_JAR)])
    return cmd


def run_sqoop(args: list[str]) -> int:
    runs = state_dir() / "sqoop"
    runs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="run-", dir=runs) as work:
        return subprocess.run(sqoop_command(args, Path(work)), env=java_env(), cwd=work).returncode
