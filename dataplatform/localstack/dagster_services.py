"""Dagster's webserver (the UI) and daemon (sensors, schedules, run queue) for the local stack."""

from __future__ import annotations

import os
import shutil
import time
import urllib.request
from pathlib import Path

from dataplatform.paths import REPO_ROOT, STACK_CONF_DIR, stack_dagster_home, venv_script


def dagster_env(conf_dir: Path) -> dict[str, str]:
    from dataplatform.localstack.thriftserver import spark_env

    env = spark_env(conf_dir)
    env["DAGSTER_HOME"] = str(stack_dagster_home())
    return env


def prepare_stack_dagster_home() -> None:
    home = stack_dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copy(STACK_CONF_DIR / "dagster.yaml", home / "dagster.yaml")


class DagsterWebserver:
    name = "dagster-webserver"

    def __init__(self, root: Path, conf_dir: Path, port: int = 3000):
        self.root, self.conf_dir, self.port = root, conf_dir, port

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def prepare(self) -> None:
        prepare_stack_dagster_home()

    def command(self) -> list[str]:
        return [venv_script("dagster-webserver"), "-w",
                str(REPO_ROOT / "workspace.yaml"), "-h", "127.0.0.1", "-p", str(self.port)]

    def env(self) -> dict[str, str]:
        return dagster_env(self.conf_dir)

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://{self.address}/server_info", timeout=2) as resp:
                return resp.status == 200
        except OSError:
            return False

    def after_start(self) -> None:
        pass


class DagsterDaemon:
    name = "dagster-daemon"

    def __init__(self, root: Path, conf_dir: Path):
        self.root, self.conf_dir = root, conf_dir

    @property
    def address(self) -> str:
        return "-"

    def prepare(self) -> None:
        prepare_stack_dagster_home()

    def command(self) -> list[str]:
        return [venv_script("dagster-daemon"), "run", "-w",
                str(REPO_ROOT / "workspace.yaml")]

    def env(self) -> dict[str, str]:
        return dagster_env(self.conf_dir)

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

    def after_start(self) -> None:
        pass
