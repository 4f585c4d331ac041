"""Apache Hive 4.1.0 HiveServer2: the one SQL endpoint that reads HBase tables in place, through
Hive's HBase storage handler (the Spark Thrift Server cannot: SPARK-32380).

Its class path is `stack/java/hive/pom.xml` plus the two jars hive_build.py builds (hive-service
4.1.0 and a Hive 4 hive-hbase-handler); it keeps its own embedded Derby metastore in its state
folder and runs queries in its own JVM (MapReduce local job runner). See stack/conf/hive4-site.xml.tmpl.
"""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path
from string import Template

from dataplatform.localstack import hive_build, jars
from dataplatform.localstack.hbase import ZOOKEEPER_PORT
from dataplatform.localstack.jvm import java_command
from dataplatform.localstack.process import port_open
from dataplatform.localstack.service import JavaService
from dataplatform.paths import STACK_CONF_DIR
from dataplatform.settings import Settings
from resources.hive import CATALOG_SQL, HiveServer2Resource
from resources.sql import lit, statement

HIVESERVER2_CLASS = "org.apache.hive.service.server.HiveServer2"


class HiveServer4(JavaService):
    name = "hive-hbase"

    def __init__(self, settings: Settings, root: Path, conf_dir: Path):
        super().__init__(settings, root, conf_dir)
        self.host = settings.hive_hbase_host
        self.port = settings.hive_hbase_port

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def work_dir(self) -> Path:
        """The process's working directory, emptied before each start: Hive's local modes write
        into the working directory (Tez local symlinks jars there, and its clean-up deletes the
        links' targets)."""
        return self.root / "work"

    def prepare(self) -> None:
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        text = Template((STACK_CONF_DIR / "hive4-site.xml.tmpl").read_text()).substitute(
            host=self.host, port=self.port, state_dir=self.root, zk_port=ZOOKEEPER_PORT)
        (self.conf_dir / "hive-site.xml").write_text(text)
        shutil.copy(STACK_CONF_DIR / "hive4-log4j2.properties", self.conf_dir / "hive-log4j2.properties")
        hive_build.ensure_jars()
        if self.work_dir.exists():
            shutil.rmtree(self.work_dir)
        for d in (self.work_dir, self.root / "tmp", self.root / "logs"):
            d.mkdir(parents=True, exist_ok=True)

    def command(self) -> list[str]:
        """`java ... HiveServer2`, started by `sh` in the empty working directory (the stack
        starts every service in its data folder); `exec` keeps the JVM's pid the service's."""
        cmd = java_command("hive", HIVESERVER2_CLASS, heap="768m", conf_dir=None, system_properties={
            "log4j2.configurationFile": str(self.conf_dir / "hive-log4j2.properties"),
            "java.io.tmpdir": str(self.root / "tmp"),
            "derby.stream.error.file": str(self.root / "logs" / "derby.log"),
            "hive.log.dir": str(self.root / "logs"),
        })
        cp = cmd.index("-cp") + 1
        cmd[cp] = os.pathsep.join([str(self.conf_dir), str(hive_build.hive_service_jar()),
                                   str(hive_build.hbase_handler_jar()), str(jars.resolve("hive") / "*")])
        return ["sh", "-c", f'cd {shlex.quote(str(self.work_dir))} && exec "$@"', "hiveserver2", *cmd]

    def healthy(self) -> bool:
        """A PyHive session finds the `default` database (HiveServer2 and its metastore answer)."""
        if not port_open(self.host, self.port):
            return False
        server = HiveServer2Resource(host=self.host, port=self.port, call_timeout_seconds=10)
        return bool(server.query(statement(CATALOG_SQL, "show_database", database_pattern=lit("default"))))
