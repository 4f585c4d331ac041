"""The local stack's `sqoop` launcher: Apache Sqoop 1.4.7 from its Maven jars, as a script.

Written into the state folder when the stack starts, so the pipeline runs Sqoop the way a cluster
does, through a `sqoop` command (`SqoopResource.executable`). Like Hadoop's own launchers it puts
`HADOOP_CLASSPATH` first, which is how each run's compiled record classes reach the job.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from dataplatform.localstack.java import find_java_home
from dataplatform.localstack.jvm import java_command
from dataplatform.localstack.thriftserver import MARIADB_JDBC_JAR
from dataplatform.paths import sqoop_launcher_path, state_dir

SQOOP_CLASS = "org.apache.sqoop.Sqoop"


def write_sqoop_launcher() -> Path:
    """Write (or refresh) the launcher; returns its path."""
    cmd = java_command("sqoop", SQOOP_CLASS, heap="512m", conf_dir=state_dir() / "conf" / "hadoop")
    cp = cmd.index("-cp") + 1
    classpath = os.pathsep.join([cmd[cp], str(MARIADB_JDBC_JAR)])
    before, after = [shlex.quote(a) for a in cmd[:cp - 1]], [shlex.quote(a) for a in cmd[cp + 1:]]
    script = "\n".join([
        "#!/bin/sh",
        "# Written by `dataplatform stack up`: Apache Sqoop 1.4.7 of the local stack. Not to be edited.",
        f"export JAVA_HOME={shlex.quote(str(find_java_home()))}",
        f'exec {" ".join(before)} -cp "${{HADOOP_CLASSPATH:+$HADOOP_CLASSPATH:}}"{shlex.quote(classpath)} '
        f'{" ".join(after)} "$@"',
        ""])
    path = sqoop_launcher_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(".sqoop.tmp")
    tmp.write_text(script)
    tmp.chmod(0o755)
    tmp.replace(path)  # atomic: a running import never sees half a script
    return path
