"""Dagster's webserver (the UI) and daemon (sensors, schedules, run queue) for the local stack."""

from __future__ import annotations

import shutil
import time
import urllib.request

from dataplatform.localstack.service import Service
from dataplatform.localstack.thriftserver import spark_env
from dataplatform.paths import REPO_ROOT, STACK_CONF_DIR, stack_dagster_home, venv_script

WEBSERVER_PORT = 3000


class _DagsterService(Service):
    """Both run the code location of workspace.yaml against the stack's Dagster instance, with
    the Spark environment the assets' Spark sessions need."""

    def prepare(self) -> None:
        home = stack_dagster_home()
        home.mkdir(parents=True, exist_ok=True)
        shutil.copy(STACK_CONF_DIR / "dagster.yaml", home / "dagster.yaml")  # the project's, always current
        # Create the SQLite storages here, once, before any Dagster process starts: the webserver,
        # the daemon and their code servers creating them at the same moment on a fresh home leave
        # two alembic heads behind ("Version table 'alembic_version' has more than one head").
        from dagster import DagsterInstance

        with DagsterInstance.from_config(str(home)) as instance:
            instance.get_runs(limit=1)
            instance.all_instigator_state()

    def env(self) -> dict[str, str]:
        env = spark_env(self.conf_dir)
        env["DAGSTER_HOME"] = str(stack_dagster_home())
        return env


class DagsterWebserver(_DagsterService):
    name = "dagster-webserver"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{WEBSERVER_PORT}"

    def command(self) -> list[str]:
        return [venv_script("dagster-webserver"), "-w", str(REPO_ROOT / "workspace.yaml"),
                "-h", "127.0.0.1", "-p", str(WEBSERVER_PORT)]

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://{self.address}/server_info", timeout=2) as resp:
                return resp.status == 200
        except OSError:
            return False


class DagsterDaemon(_DagsterService):
    name = "dagster-daemon"

    @property
    def address(self) -> str:
        return "-"

    def command(self) -> list[str]:
        return [venv_script("dagster-daemon"), "run", "-w", str(REPO_ROOT / "workspace.yaml")]

    def healthy(self) -> bool:
        # The daemon serves no port: it is healthy when its sensor daemon's heartbeat is fresh.
        from dagster import DagsterInstance

        try:
            with DagsterInstance.from_config(str(stack_dagster_home())) as instance:
                beats = instance.get_daemon_heartbeats()
        except Exception:  # noqa: BLE001 - storage not yet created counts as not healthy
            return False
        beat = beats.get("SENSOR")
        return beat is not None and time.time() - beat.timestamp < 90
