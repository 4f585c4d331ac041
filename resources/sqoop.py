"""Apache Sqoop, through its real command-line tool.

`executable` is the `sqoop` launcher: the one on a cluster's edge node, or the one `dataplatform
stack up` writes for the local stack (Sqoop 1.4.7 from its Maven jars on Hadoop's local job
runner). Every run gets a private work folder: Sqoop compiles a record class per table into its
`--bindir`, which goes on the job's class path through `HADOOP_CLASSPATH` as the Hadoop launchers
expect. A password only ever reaches Sqoop as a `--password-file`.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from pydantic import Field

# Tools that compile a record class, hence take --bindir/--outdir.
CODEGEN_TOOLS = {"import", "import-all-tables", "export", "codegen", "create-hive-table"}


class SqoopFailed(RuntimeError):
    """Sqoop exited with an error; its last log lines say why."""


class SqoopResource(dg.ConfigurableResource):
    executable: str = Field(default="sqoop", description="the sqoop launcher (a path, or a name on PATH)")
    framework: str = Field(default="local", description="mapreduce.framework.name: `local` runs the job "
                           "in Sqoop's own JVM, `yarn` on the cluster")
    jdbc_driver: str = Field(default="org.mariadb.jdbc.Driver", description="the JDBC driver class Sqoop loads")
    work_root: str | None = Field(default=None, description="where per-run work folders go (system temp if unset)")

    @contextmanager
    def work_dir(self) -> Iterator[Path]:
        """A private folder for one Sqoop run (generated classes, a password file), removed after."""
        if self.work_root:
            Path(self.work_root).mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="sqoop-", dir=self.work_root) as work:
            os.chmod(work, 0o700)
            yield Path(work)

    def command(self, args: list[str], work_dir: Path) -> list[str]:
        """`sqoop <tool> -D... [--driver] [--bindir --outdir] <args>` for a run in `work_dir`."""
        if any(a in ("--password", "-P") for a in args):
            raise SqoopFailed("pass the password with --password-file: a password on a command line "
                              "shows in the process list")
        tool, rest = (args[0], args[1:]) if args else ("help", [])
        # Generic Hadoop options must come right after the tool name, before Sqoop's own.
        final = [self.executable, tool, f"-Dmapreduce.framework.name={self.framework}"]
        if "--connect" in rest and "--driver" not in rest:
            final += ["--driver", self.jdbc_driver]
        if tool in CODEGEN_TOOLS:
            final += ["--bindir", str(work_dir / "classes"), "--outdir", str(work_dir / "src")]
        return final + rest

    def run(self, args: list[str], work_dir: Path, capture: bool = True) -> subprocess.CompletedProcess:
        """Run Sqoop in `work_dir`; raises SqoopFailed with the end of its log when it fails."""
        (work_dir / "classes").mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env["HADOOP_CLASSPATH"] = os.pathsep.join(p for p in (str(work_dir / "classes"),
                                                              env.get("HADOOP_CLASSPATH")) if p)
        try:
            done = subprocess.run(self.command(args, work_dir), env=env, cwd=work_dir,
                                  capture_output=capture, text=True)
        except FileNotFoundError as exc:
            raise SqoopFailed(f"the sqoop launcher {self.executable!r} was not found (on a cluster put "
                              "`sqoop` on PATH or set DATAPLATFORM_SQOOP_BIN; locally `dataplatform "
                              "stack up` writes it)") from exc
        if capture and done.returncode != 0:
            tail = "\n".join((done.stderr or "").splitlines()[-15:])
            raise SqoopFailed(f"sqoop {args[0] if args else 'help'} failed (exit {done.returncode}):\n{tail}")
        return done

    @staticmethod
    def write_password_file(work_dir: Path, password: str) -> str:
        """A private password file in `work_dir`, as Sqoop reads it (byte for byte: no newline)."""
        path = work_dir / "mysql.password"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(password)
        return path.resolve().as_uri()
