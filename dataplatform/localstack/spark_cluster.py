"""A Spark standalone cluster on this machine, from the pyspark wheel: a master, two workers and a
second Thrift Server whose executors run on those workers.

Each is its own process, as on a real cluster: the executors are JVMs the workers start, so every
task's input and output crosses processes and goes through HDFS. The stack starts the cluster only
when asked (`dataplatform stack up spark-cluster`): the tests that compare cluster mode with local
mode, and the scaling benchmark, bring it up and down again.
"""

from __future__ import annotations

import json
import urllib.request

from dataplatform.localstack.jvm import SHORT_LIVED_OPTIONS
from dataplatform.localstack.process import port_open
from dataplatform.localstack.thriftserver import ThriftServer, thrift_server_command
from dataplatform.paths import venv_script

HOST = "127.0.0.1"
MASTER_PORT = 7077
MASTER_UI_PORT = 8080
WORKERS = 2
EXECUTOR_CORES = 1
EXECUTOR_MEMORY = "1g"
# Each worker offers two one-core executor slots: one for the cluster's Thrift Server, which holds
# one executor on each worker for as long as it runs, and one for another application at the same
# time (a Spark import session: `application_conf`). The master counts memory by executor heap.
WORKER_CORES = 2 * EXECUTOR_CORES
WORKER_MEMORY = "2g"
CLUSTER_THRIFT_PORT = 10001
CLUSTER_THRIFT_UI_PORT = 4041
MASTER_URL = f"spark://{HOST}:{MASTER_PORT}"


def application_conf() -> dict[str, str]:
    """Spark settings that put an application's session (its driver in the calling process) on the
    cluster beside its Thrift Server: one executor in each worker's free slot."""
    return {"spark.master": MASTER_URL, "spark.cores.max": str(WORKERS * EXECUTOR_CORES),
            "spark.executor.cores": str(EXECUTOR_CORES), "spark.executor.memory": EXECUTOR_MEMORY}


def master_state() -> dict:
    """The master's own account of its workers and applications (its web UI's JSON)."""
    with urllib.request.urlopen(f"http://{HOST}:{MASTER_UI_PORT}/json/", timeout=2) as resp:
        return json.load(resp)


def alive_workers() -> list[dict]:
    try:
        return [w for w in master_state()["workers"] if w["state"] == "ALIVE"]
    except (OSError, ValueError, KeyError):
        return []


# The cluster's JVMs live for a test module or an experiment: C1 only and the serial collector, as
# for short-lived commands (docs/local-stack.md). A --conf replaces spark-defaults' whole value, so
# the time zone is repeated here.
_QUICK = " ".join(("-Duser.timezone=UTC", *SHORT_LIVED_OPTIONS))
QUICK = ("--conf", f"spark.driver.extraJavaOptions={_QUICK}", "--conf", f"spark.executor.extraJavaOptions={_QUICK}")


class SparkMaster(ThriftServer):
    """Shares the Thrift Server's configuration folder: the same JDK, Hadoop and Spark settings."""

    name = "spark-master"

    @property
    def address(self) -> str:
        return f"{HOST}:{MASTER_PORT}"

    def command(self) -> list[str]:
        return [venv_script("spark-class"), "org.apache.spark.deploy.master.Master",
                "--host", HOST, "--port", str(MASTER_PORT), "--webui-port", str(MASTER_UI_PORT)]

    def healthy(self) -> bool:
        return port_open(HOST, MASTER_PORT) and port_open(HOST, MASTER_UI_PORT)


class SparkWorker(ThriftServer):
    def __init__(self, number: int, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.number = number
        self.name = f"spark-worker-{number}"

    @property
    def ui_port(self) -> int:
        return MASTER_UI_PORT + self.number

    @property
    def address(self) -> str:
        return f"{HOST}:{self.ui_port}"

    def prepare(self) -> None:
        super().prepare()
        (self.root / self.name).mkdir(parents=True, exist_ok=True)

    def command(self) -> list[str]:
        return [venv_script("spark-class"), "org.apache.spark.deploy.worker.Worker",
                "--host", HOST, "--webui-port", str(self.ui_port), "--cores", str(WORKER_CORES),
                "--memory", WORKER_MEMORY, "--work-dir", str(self.root / self.name), MASTER_URL]

    def env(self) -> dict[str, str]:
        # Finished applications' folders (executor logs, fetched jars) go after a day.
        return super().env() | {"SPARK_WORKER_OPTS": "-Dspark.worker.cleanup.enabled=true "
                                                     "-Dspark.worker.cleanup.appDataTtl=86400",
                                "SPARK_DAEMON_JAVA_OPTS": " ".join(SHORT_LIVED_OPTIONS)}

    def healthy(self) -> bool:
        # Registered with the master, not just listening: only then does it take executors.
        return any(w.get("webuiaddress", "").endswith(f":{self.ui_port}") for w in alive_workers())


class ClusterThriftServer(ThriftServer):
    """The stack's Thrift Server again, on port CLUSTER_THRIFT_PORT, with its executors on the two
    workers: the same metastore and lake, so one SQL statement can be run in both modes."""

    name = "thriftserver-cluster"

    @property
    def address(self) -> str:
        return f"{self.settings.hive_host}:{CLUSTER_THRIFT_PORT}"

    def command(self) -> list[str]:
        return thrift_server_command(self.name, CLUSTER_THRIFT_UI_PORT, port=CLUSTER_THRIFT_PORT, master=MASTER_URL,
                                     executors=WORKERS, executor_cores=EXECUTOR_CORES, executor_memory=EXECUTOR_MEMORY,
                                     options=QUICK)

    def healthy(self) -> bool:
        return port_open(self.settings.hive_host, CLUSTER_THRIFT_PORT)
