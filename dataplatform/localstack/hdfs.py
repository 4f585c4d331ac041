"""HDFS: one NameNode and one DataNode on loopback, from Maven's Hadoop jars, data in the state folder."""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path
from string import Template

from dataplatform.localstack.jvm import java_command, run_once
from dataplatform.localstack.process import port_open
from dataplatform.localstack.service import JavaService
from dataplatform.paths import STACK_CONF_DIR
from dataplatform.settings import Settings

NAMENODE_CLASS = "org.apache.hadoop.hdfs.server.namenode.NameNode"
DATANODE_CLASS = "org.apache.hadoop.hdfs.server.datanode.DataNode"


def render_hadoop_conf(settings: Settings, conf_dir: Path, hdfs_root: Path) -> None:
    """core-site.xml (+ hdfs-site.xml for the daemons) into `conf_dir`."""
    conf_dir.mkdir(parents=True, exist_ok=True)
    values = {
        "default_fs": f"hdfs://{settings.hdfs_host}:{settings.hdfs_port}",
        "tmp_dir": hdfs_root / "tmp", "name_dir": (hdfs_root / "name").as_uri(),
        "data_dir": (hdfs_root / "data").as_uri(), "host": settings.hdfs_host,
        "rpc_port": settings.hdfs_port, "http_port": settings.webhdfs_url.rsplit(":", 1)[1],
    }
    for name in ("core-site.xml", "hdfs-site.xml"):
        text = Template((STACK_CONF_DIR / f"{name}.tmpl").read_text()).substitute(values)
        (conf_dir / name).write_text(text)
    shutil.copy(STACK_CONF_DIR / "hadoop-log4j.properties", conf_dir / "log4j.properties")
    # The daemons' HTTP servers (JMX, WebHDFS) look up `webapps/<name>` on the class path; the
    # jars on Maven Central leave the web UI's files out, so empty ones serve.
    for app in ("hdfs", "datanode", "static"):
        (conf_dir / "webapps" / app).mkdir(parents=True, exist_ok=True)


def namenode_jmx(settings: Settings, bean: str) -> dict:
    url = f"{settings.webhdfs_url}/jmx?qry={bean}"
    with urllib.request.urlopen(url, timeout=2) as resp:
        beans = json.load(resp).get("beans", [])
    return beans[0] if beans else {}


class NameNode(JavaService):
    name = "namenode"

    @property
    def address(self) -> str:
        return f"{self.settings.hdfs_host}:{self.settings.hdfs_port}"

    def _java(self, *args: str) -> list[str]:
        return java_command("hdfs", NAMENODE_CLASS, heap="512m", conf_dir=self.conf_dir,
                            system_properties={"hadoop.log.dir": str(self.root / "logs")}, args=list(args))

    def prepare(self) -> None:
        render_hadoop_conf(self.settings, self.conf_dir, self.root)
        if not (self.root / "name" / "current" / "VERSION").exists():
            run_once(self._java("-format", "-nonInteractive", "-force"), "formatting the NameNode",
                     self.root / "format.log")

    def command(self) -> list[str]:
        return self._java()

    def healthy(self) -> bool:
        if not port_open(self.settings.hdfs_host, self.settings.hdfs_port):
            return False
        status = namenode_jmx(self.settings, "Hadoop:service=NameNode,name=NameNodeStatus")
        return status.get("State") == "active"


class DataNode(JavaService):
    name = "datanode"

    @property
    def address(self) -> str:
        return f"{self.settings.hdfs_host}:9866"

    def prepare(self) -> None:
        render_hadoop_conf(self.settings, self.conf_dir, self.root)

    def command(self) -> list[str]:
        return java_command("hdfs", DATANODE_CLASS, heap="384m", conf_dir=self.conf_dir,
                            system_properties={"hadoop.log.dir": str(self.root / "logs")})

    def healthy(self) -> bool:
        """Registered with the NameNode, which has left safe mode: writes will succeed."""
        if not port_open(self.settings.hdfs_host, 9866):
            return False
        state = namenode_jmx(self.settings, "Hadoop:service=NameNode,name=FSNamesystemState")
        info = namenode_jmx(self.settings, "Hadoop:service=NameNode,name=NameNodeInfo")
        return state.get("NumLiveDataNodes", 0) >= 1 and info.get("Safemode", "x") == ""
