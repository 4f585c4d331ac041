"""Commands the local stack writes into its state folder when it starts, so the pipeline runs
them the way it would on a cluster's edge node:

- `sqoop`: Apache Sqoop 1.4.7 from its Maven jars (`SqoopResource.executable`). Like Hadoop's own
  launchers it puts `HADOOP_CLASSPATH` first, which is how each run's compiled record classes
  reach the job.
- `hbase-create-table`: creates a pre-split HBase table (`HBaseResource.create_table_command`),
  our `stack/java/hbase/tools/CreateSplitTable.java` compiled against the stack's HBase jars; the
  Thrift API happybase speaks cannot pre-split.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from dataplatform.localstack import jars
from dataplatform.localstack.java import find_java_home
from dataplatform.localstack.jvm import compile_tool, java_command
from dataplatform.localstack.thriftserver import MARIADB_JDBC_JAR
from dataplatform.paths import hbase_table_tool_path, sqoop_launcher_path, state_dir

SQOOP_CLASS = "org.apache.sqoop.Sqoop"
TABLE_TOOL = jars.JAVA_DIR / "hbase" / "tools" / "CreateSplitTable.java"


def _install(path: Path, exec_line: str, what: str) -> Path:
    """Write a launcher script atomically: a running step never sees half a script."""
    script = "\n".join(["#!/bin/sh", f"# Written by `dataplatform stack up`: {what}. Not to be edited.",
                        f"export JAVA_HOME={shlex.quote(str(find_java_home()))}", exec_line, ""])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(script)
    tmp.chmod(0o755)
    tmp.replace(path)
    return path


def write_sqoop_launcher() -> Path:
    """Write (or refresh) the `sqoop` launcher; returns its path."""
    cmd = java_command("sqoop", SQOOP_CLASS, heap="512m", conf_dir=state_dir() / "conf" / "hadoop",
                       short_lived=True)
    cp = cmd.index("-cp") + 1
    classpath = os.pathsep.join([cmd[cp], str(MARIADB_JDBC_JAR)])
    before, after = [shlex.quote(a) for a in cmd[:cp - 1]], [shlex.quote(a) for a in cmd[cp + 1:]]
    return _install(sqoop_launcher_path(),
                    f'exec {" ".join(before)} -cp "${{HADOOP_CLASSPATH:+$HADOOP_CLASSPATH:}}"{shlex.quote(classpath)} '
                    f'{" ".join(after)} "$@"', "Apache Sqoop 1.4.7 of the local stack")


def write_hbase_table_launcher() -> Path:
    """Write (or refresh) `hbase-create-table` for the stack's HBase (its hbase-site.xml)."""
    conf_dir = state_dir() / "conf" / "hbase"
    cmd = java_command("hbase", "CreateSplitTable", heap="256m", conf_dir=conf_dir, short_lived=True,
                       system_properties={"log4j2.configurationFile": str(conf_dir / "log4j2.properties"),
                                          "log4j2.level": "warn"})
    cp = cmd.index("-cp") + 1
    cmd[cp] = os.pathsep.join([str(compile_tool(TABLE_TOOL, jars.classpath("hbase"))), cmd[cp]])
    return _install(hbase_table_tool_path(), f'exec {" ".join(shlex.quote(a) for a in cmd)} "$@"',
                    "creates pre-split HBase tables for the local stack's HBase")
