"""Bring the local stack up and down, report its health, show its logs."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from dataplatform.localstack import process
from dataplatform.localstack.dagster_services import DagsterCodeServer, DagsterDaemon, DagsterWebserver
from dataplatform.localstack.flume import FlumeAgent
from dataplatform.localstack.hbase import HBaseMaster, HBaseThrift
from dataplatform.localstack.hdfs import DataNode, NameNode
from dataplatform.localstack.hive4 import HiveServer4
from dataplatform.localstack.launchers import write_hbase_table_launcher, write_sqoop_launcher
from dataplatform.localstack.mariadb import MariaDB
from dataplatform.localstack.process import ServiceError
from dataplatform.localstack.secrets import ensure_local_secrets
from dataplatform.localstack.service import Service
from dataplatform.localstack.sockets import Listener, descendants, listeners
from dataplatform.localstack.spark_cluster import WORKERS, ClusterThriftServer, SparkMaster, SparkWorker
from dataplatform.localstack.supervision import ACTIVE, Supervisor
from dataplatform.localstack.thriftserver import ThriftServer
from dataplatform.paths import stack_dagster_home, state_dir
from dataplatform.settings import Settings, load_settings

# Seconds each service may take to become healthy on a loaded 2-core machine.
START_TIMEOUTS = {"mariadb": 60, "namenode": 120, "datanode": 120, "hbase": 180, "hbase-thrift": 120,
                  "hive-hbase": 180, "flume": 120, "thriftserver": 180, "dagster-code-server": 120,
                  "dagster-webserver": 120, "dagster-daemon": 120, "spark-master": 120,
                  "thriftserver-cluster": 240} | {f"spark-worker-{n}": 120 for n in range(1, WORKERS + 1)}
# Started only when named: the Spark standalone cluster (spark_cluster.py), as one group.
SPARK_CLUSTER = "spark-cluster"


@dataclass
class ServiceState:
    name: str
    address: str
    pid: int | None
    healthy: bool
    supervised: str = "STOPPED"  # supervisord's state of the process
    restarts: int = 0  # times supervisord started it again after it died
    last_exit: str | None = None

    @property
    def state(self) -> str:
        if self.healthy:
            return "healthy"
        if self.supervised == "FATAL":
            return "gave up"  # too many failed starts in a row; `stack up` tries again
        return "starting/unhealthy" if self.supervised in ACTIVE else "stopped"


class LocalStack:
    def __init__(self, settings: Settings | None = None, root: Path | None = None):
        self.settings = settings or load_settings("local")
        self.root = root or state_dir()
        conf = self.root / "conf" / "spark"
        hadoop_conf = self.root / "conf" / "hadoop"
        self.services: list[Service] = [
            MariaDB(self.settings, self.root / "mariadb"),
            NameNode(self.settings, self.root / "hdfs", hadoop_conf),
            DataNode(self.settings, self.root / "hdfs", hadoop_conf),
            HBaseMaster(self.settings, self.root / "hbase", self.root / "conf" / "hbase"),
            HBaseThrift(self.settings, self.root / "hbase", self.root / "conf" / "hbase"),
            HiveServer4(self.settings, self.root / "hive-hbase", self.root / "conf" / "hive-hbase"),
            FlumeAgent(self.settings, self.root / "flume", hadoop_conf, self.log_file("flume")),
            ThriftServer(self.settings, self.root / "thriftserver", conf),
            DagsterCodeServer(self.settings, stack_dagster_home(), conf),
            DagsterWebserver(self.settings, stack_dagster_home(), conf),
            DagsterDaemon(self.settings, stack_dagster_home(), conf),
        ]
        self.cluster: list[Service] = [
            SparkMaster(self.settings, self.root / "spark-cluster", conf),
            *(SparkWorker(n, self.settings, self.root / "spark-cluster", conf) for n in range(1, WORKERS + 1)),
            ClusterThriftServer(self.settings, self.root / "thriftserver-cluster", conf),
        ]
        workers = [svc.name for svc in self.cluster if isinstance(svc, SparkWorker)]
        # Start order: each wave waits for the previous one to be healthy.
        self.waves = [["mariadb", "namenode", "hbase", "spark-master"], ["datanode", "hbase-thrift", *workers],
                      ["thriftserver", "hive-hbase", "flume", "dagster-code-server", "thriftserver-cluster"],
                      ["dagster-webserver", "dagster-daemon"]]
        self.supervisor = Supervisor(self.root, self.names() + self.cluster_names(), self.log_file)

    def service(self, name: str) -> Service:
        for svc in self.services + self.cluster:
            if svc.name == name:
                return svc
        raise ServiceError(f"no service named {name!r}; services: {', '.join(self.names())}; "
                           f"and the group {SPARK_CLUSTER}: {', '.join(self.cluster_names())}")

    def names(self) -> list[str]:
        """The services `stack up` starts when none is named."""
        return [svc.name for svc in self.services]

    def cluster_names(self) -> list[str]:
        return [svc.name for svc in self.cluster]

    def expand(self, names: list[str]) -> list[str]:
        """Service names, with the group `spark-cluster` standing for its services."""
        return [n for name in names for n in (self.cluster_names() if name == SPARK_CLUSTER else [name])]

    def running_cluster(self) -> list[str]:
        return [name for name in self.cluster_names() if self.pid(name)]

    def log_file(self, name: str) -> Path:
        return self.root / "logs" / f"{name}.log"

    def pid(self, name: str) -> int | None:
        """The service's process id while supervisord runs it, else None."""
        return self.supervisor.process(name)[1]

    def listeners(self) -> dict[str, list[Listener]]:
        """The TCP ports each running service's processes listen on."""
        return {name: listeners(descendants(pid)) for name in self.names() + self.cluster_names()
                if (pid := self.pid(name))}

    def status(self) -> list[ServiceState]:
        """Every service of the stack, and those of the Spark cluster while it runs."""
        shown = [self.service(name) for name in self.names() + self.running_cluster()]
        states, runs = [], self.supervisor.states([svc.name for svc in shown])
        for svc in shown:
            run = runs[svc.name]
            # Only our own process counts: a stranger answering on the port is not our service.
            healthy = run.pid is not None and process.probe(svc.healthy)
            states.append(ServiceState(svc.name, svc.address, run.pid, healthy, run.state, run.restarts,
                                       run.last_exit))
        return states

    def up(self, only: list[str] | None = None, report=print) -> dict[str, float]:
        """Start what is not running, wave by wave; returns seconds to healthy per started service."""
        wanted = set(self.expand(only) if only else self.names())
        for name in wanted:
            self.service(name)  # validates the name
        timings: dict[str, float] = {}
        ensure_local_secrets()  # the passwords the services and the code location read
        write_sqoop_launcher()  # the `sqoop` command the import assets run
        write_hbase_table_launcher()  # creates the serving tables pre-split
        self.supervisor.ensure_running()
        for wave in self.waves:
            started = []
            for name in (n for n in wave if n in wanted):
                svc = self.service(name)
                state, pid = self.supervisor.process(name)
                if pid is not None and process.probe(svc.healthy):
                    svc.after_start()  # idempotent: re-applies users, grants and the like
                    report(f"{name:18} already running (pid {pid})")
                    continue
                if state not in ACTIVE:  # else supervisord is (re)starting it: wait for it below
                    self._start(svc)
                started.append((svc, time.monotonic()))
                report(f"{name:18} starting (log: {self.log_file(name)})")
            for svc, t0 in started:
                process.wait_until(svc.healthy, timeout=START_TIMEOUTS[svc.name],
                                   alive=lambda n=svc.name: self.supervisor.process(n)[0] in ACTIVE,
                                   what=svc.name, log_file=self.log_file(svc.name))
                svc.after_start()
                timings[svc.name] = time.monotonic() - t0
                report(f"{svc.name:18} healthy at {svc.address} after {timings[svc.name]:.1f}s")
        return timings

    def _start(self, svc: Service) -> None:
        self._check_port_free(svc)
        try:
            svc.prepare()
            self.supervisor.start(svc.name, svc.command(), svc.env(), cwd=self.root)
        except (ServiceError, OSError) as exc:
            raise ServiceError(f"{svc.name} cannot start: {exc}\n  log: {self.log_file(svc.name)}") from exc

    def down(self, only: list[str] | None = None, report=print) -> None:
        only = self.expand(only or [])
        for name in only:
            self.service(name)  # validates the name
        # Unnamed, the Spark cluster's services are stopped only if they run.
        chosen = [s for s in self.services + self.cluster
                  if s.name in only or not only and (s in self.services or self.pid(s.name))]
        for svc in reversed(chosen):
            if self.supervisor.stop(svc.name):
                report(f"{svc.name:18} stopped")
            else:
                report(f"{svc.name:18} was not running")
        if not only:
            self.supervisor.shutdown()

    def _check_port_free(self, svc: Service) -> None:
        host, _, port = svc.address.partition(":")
        if port.isdigit() and process.port_open(host, int(port)):
            raise ServiceError(f"{svc.name}: port {svc.address} is already taken by another "
                               "process (not one supervisord runs for this stack); stop it "
                               "or move ours with the DATAPLATFORM_* port settings")
