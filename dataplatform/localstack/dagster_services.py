"""Dagster for the local stack: one code server holding the platform's code location, and the
webserver (the UI) and daemon (sensors, schedules, run queue) that talk to it.

A daemon given a `python_module` workspace starts code servers of its own and replaces them every
60 seconds (dagster/_daemon/controller.py, RELOAD_WORKSPACE_INTERVAL): on 2 cores that is a few
seconds of a core a minute spent importing the code again, during which no sensor ticks. A code
server of the stack's own, named in the workspace file written below, is loaded once and serves both."""

from __future__ import annotations

import shutil
import time
import urllib.request
from pathlib import Path

from dataplatform.localstack import process
from dataplatform.localstack.service import Service
from dataplatform.localstack.thriftserver import spark_env
from dataplatform.paths import REPO_ROOT, STACK_CONF_DIR, stack_dagster_home, venv_script

WEBSERVER_PORT = 3000
WEBSERVER_URL = f"http://127.0.0.1:{WEBSERVER_PORT}"  # the Dagster UI
CODE_SERVER_PORT = 4000
CODE_MODULE = "dataplatform_assets.definitions"  # the module workspace.yaml's python_module loads
LOCATION_NAME = "dataplatform_assets"  # what workspace.yaml names it: runs and sensor state carry over


def stack_workspace() -> Path:
    return stack_dagster_home() / "workspace.yaml"


class _DagsterService(Service):
    """Each runs against the stack's Dagster instance, with the Spark environment the assets'
    Spark sessions need and the `DATAPLATFORM_*` values the code location's resources read (runs
    start from the code server and inherit its environment)."""

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
        stack_workspace().write_text(
            "# Written by `dataplatform stack up`: the stack's code server (dagster-code-server).\n"
            f"load_from:\n  - grpc_server:\n      host: 127.0.0.1\n      port: {CODE_SERVER_PORT}\n"
            f"      location_name: {LOCATION_NAME}\n")

    def env(self) -> dict[str, str]:
        env = spark_env(self.conf_dir)
        env.update(self.settings.code_location_env())
        env["DAGSTER_HOME"] = str(stack_dagster_home())
        return env


class DagsterCodeServer(_DagsterService):
    name = "dagster-code-server"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{CODE_SERVER_PORT}"

    def command(self) -> list[str]:
        # Loads the definitions before it listens, so an open port means the code location loaded.
        return [venv_script("dagster"), "api", "grpc", "-m", CODE_MODULE, "-d", str(REPO_ROOT),
                "--location-name", LOCATION_NAME, "-h", "127.0.0.1", "-p", str(CODE_SERVER_PORT)]

    def healthy(self) -> bool:
        return process.port_open("127.0.0.1", CODE_SERVER_PORT)


class DagsterWebserver(_DagsterService):
    name = "dagster-webserver"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{WEBSERVER_PORT}"

    def command(self) -> list[str]:
        return [venv_script("dagster-webserver"), "-w", str(stack_workspace()),
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
        return [venv_script("dagster-daemon"), "run", "-w", str(stack_workspace())]

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
