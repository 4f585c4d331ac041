"""HBase standalone (HMaster with an in-process region server and ZooKeeper) and its Thrift1 server."""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path
from string import Template

from dataplatform.localstack.jvm import java_command
from dataplatform.localstack.process import port_open
from dataplatform.localstack.service import JavaService
from dataplatform.paths import STACK_CONF_DIR
from dataplatform.settings import Settings

MASTER_CLASS = "org.apache.hadoop.hbase.master.HMaster"
THRIFT_CLASS = "org.apache.hadoop.hbase.thrift.ThriftServer"
ZOOKEEPER_PORT = 2181
MASTER_INFO_PORT = 16010


def render_hbase_conf(settings: Settings, conf_dir: Path, root: Path) -> None:
    conf_dir.mkdir(parents=True, exist_ok=True)
    text = Template((STACK_CONF_DIR / "hbase-site.xml.tmpl").read_text()).substitute(
        root_dir=(root / "data").as_uri(), tmp_dir=root / "tmp", zk_dir=root / "zookeeper",
        zk_port=ZOOKEEPER_PORT, thrift_port=settings.hbase_thrift_port)
    (conf_dir / "hbase-site.xml").write_text(text)
    shutil.copy(STACK_CONF_DIR / "hbase-log4j2.properties", conf_dir / "log4j2.properties")


def _java(conf_dir: Path, main_class: str, heap: str, args: list[str]) -> list[str]:
    return java_command("hbase", main_class, heap=heap, conf_dir=conf_dir, args=args,
                        system_properties={"log4j2.configurationFile": str(conf_dir / "log4j2.properties"),
                                           "hbase.log.dir": str(conf_dir.parent / "logs")})


class HBaseMaster(JavaService):
    name = "hbase"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{ZOOKEEPER_PORT}"

    def prepare(self) -> None:
        render_hbase_conf(self.settings, self.conf_dir, self.root)

    def command(self) -> list[str]:
        return _java(self.conf_dir, MASTER_CLASS, "2g", ["start"])  # master, region server and ZooKeeper

    def healthy(self) -> bool:
        """The master is active and has a live region server."""
        if not port_open("127.0.0.1", MASTER_INFO_PORT):
            return False
        url = f"http://127.0.0.1:{MASTER_INFO_PORT}/jmx?qry=Hadoop:service=HBase,name=Master,sub=Server"
        with urllib.request.urlopen(url, timeout=2) as resp:
            beans = json.load(resp).get("beans", [])
        bean = beans[0] if beans else {}
        return bean.get("tag.isActiveMaster") == "true" and bean.get("numRegionServers", 0) >= 1


class HBaseThrift(JavaService):
    name = "hbase-thrift"

    @property
    def address(self) -> str:
        return f"{self.settings.hbase_thrift_host}:{self.settings.hbase_thrift_port}"

    def prepare(self) -> None:
        render_hbase_conf(self.settings, self.conf_dir, self.root)

    def command(self) -> list[str]:
        # Defaults on purpose: thread pool server, buffered transport, binary protocol, which is
        # what happybase speaks unless told otherwise.
        return self.server_command(self.settings.hbase_thrift_port, 9095)

    def server_command(self, port: int, info_port: int, *options: str) -> list[str]:
        """A Thrift server on `port`, with `options` such as `-f` (framed) and `-c` (compact)."""
        return _java(self.conf_dir, THRIFT_CLASS, "256m",
                     ["-b", self.settings.hbase_thrift_host, "-p", str(port), "--infoport", str(info_port),
                      *options, "start"])

    def healthy(self) -> bool:
        """A happybase client can list tables (so the Thrift server reaches the master too)."""
        import happybase

        if not port_open(self.settings.hbase_thrift_host, self.settings.hbase_thrift_port):
            return False
        conn = happybase.Connection(self.settings.hbase_thrift_host, self.settings.hbase_thrift_port,
                                    timeout=5000, autoconnect=True)
        try:
            conn.tables()
            return True
        finally:
            conn.close()
