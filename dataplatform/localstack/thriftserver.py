"""The Spark Thrift Server from the pyspark wheel: the stack's HiveServer2 endpoint."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from string import Template

import pyspark

from dataplatform.localstack.credentials import METASTORE_PASSWORD, store_credential
from dataplatform.localstack.java import find_java_home
from dataplatform.localstack.launch import write_private
from dataplatform.localstack.process import ServiceError, port_open
from dataplatform.localstack.secrets import ensure_local_secret
from dataplatform.localstack.service import Service
from dataplatform.paths import STACK_CONF_DIR, venv_script
from dataplatform.settings import Settings

MARIADB_JDBC_JAR = Path("/usr/share/java/mariadb-java-client.jar")
THRIFT_SERVER_CLASS = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"


def render_spark_conf(settings: Settings, conf_dir: Path) -> Path:
    """Write hive-site.xml, spark-defaults.conf and log4j2.properties for SPARK_CONF_DIR."""
    if not MARIADB_JDBC_JAR.exists():
        raise ServiceError(f"the MariaDB JDBC driver {MARIADB_JDBC_JAR} is missing; install "
                           "Debian's libmariadb-java (the README's commands do it)")
    conf_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(conf_dir, 0o700)  # the metastore password's keystore is in it
    values = {
        "mysql_host": settings.mysql_host, "mysql_port": settings.mysql_port,
        "credential_provider": store_credential(conf_dir / "metastore.jceks", METASTORE_PASSWORD,
                                                ensure_local_secret("mysql_metastore")),
        "warehouse_dir": f"{settings.lake_root}/warehouse",
        "hive_host": settings.hive_host, "hive_port": settings.hive_port,
        "mariadb_jdbc_jar": MARIADB_JDBC_JAR,
    }
    # Each file replaced whole: the Spark cluster's JVMs share this folder, and one may read it
    # while the next service's start renders it again.
    for name in ("hive-site.xml", "spark-defaults.conf"):
        text = Template((STACK_CONF_DIR / f"{name}.tmpl").read_text()).substitute(values)
        write_private(conf_dir / name, text)
    write_private(conf_dir / "log4j2.properties", (STACK_CONF_DIR / "log4j2.properties").read_text())
    # Spark's Hadoop client needs to know the default file system (the local HDFS).
    core_site = Template((STACK_CONF_DIR / "core-site.xml.tmpl").read_text()).substitute(
        default_fs=f"hdfs://{settings.hdfs_host}:{settings.hdfs_port}", tmp_dir=conf_dir / "tmp")
    write_private(conf_dir / "core-site.xml", core_site)
    return conf_dir


def spark_env(conf_dir: Path) -> dict[str, str]:
    """The environment every local Spark JVM runs with: a supported JDK and our conf dir."""
    env = dict(os.environ)
    env["JAVA_HOME"] = str(find_java_home())
    env["SPARK_CONF_DIR"] = str(conf_dir)
    env["HADOOP_CONF_DIR"] = str(conf_dir)
    # Always the Spark inside the pyspark wheel of this venv, whatever is on PATH.
    env["SPARK_HOME"] = str(Path(pyspark.__file__).parent)
    env["PYSPARK_PYTHON"] = env["PYSPARK_DRIVER_PYTHON"] = sys.executable
    env["SPARK_LOCAL_IP"] = "127.0.0.1"  # the address Spark's web UI binds (else every interface)
    return env


def thrift_server_command(name: str, ui_port: int, *, port: int | None = None, master: str | None = None,
                          executors: int = 0, executor_cores: int = 1, executor_memory: str = "1g",
                          options: Sequence[str] = ()) -> list[str]:
    """The spark-submit line of a Spark Thrift Server. By default on the conf dir's `spark.master`
    and HiveServer2 port; else on `master` (`local[N]`, or a cluster's URL, where it takes
    `executors` executors) and `port`; `options` are more spark-submit options."""
    cluster = ["--executor-memory", executor_memory, "--executor-cores", str(executor_cores),
               "--total-executor-cores", str(executors * executor_cores)] if executors else []
    return [
        venv_script("spark-submit"), "--class", THRIFT_SERVER_CLASS, "--name", f"dataplatform-{name}",
        *(["--master", master] if master else []),
        "--driver-memory", os.environ.get("DATAPLATFORM_THRIFTSERVER_MEMORY", "2g"), *cluster,
        "--conf", f"spark.ui.port={ui_port}",
        # Over hive-site.xml's port: Spark takes hive-site.xml's values only where unset.
        *(["--conf", f"spark.hadoop.hive.server2.thrift.port={port}"] if port else []), *options,
        "spark-internal",
    ]


class ThriftServer(Service):
    name = "thriftserver"

    @property
    def address(self) -> str:
        return f"{self.settings.hive_host}:{self.settings.hive_port}"

    def prepare(self) -> None:
        render_spark_conf(self.settings, self.conf_dir)
        self.root.mkdir(parents=True, exist_ok=True)

    def command(self) -> list[str]:
        return thrift_server_command(self.name, 4040)  # spark.master and the port from the conf dir

    def env(self) -> dict[str, str]:
        return spark_env(self.conf_dir)

    def healthy(self) -> bool:
        return port_open(self.settings.hive_host, self.settings.hive_port)
