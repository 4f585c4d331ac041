import sqlite3
from pathlib import Path

from dataplatform.localstack.dagster_services import DagsterDaemon, DagsterWebserver
from dataplatform.paths import stack_dagster_home
from dataplatform.settings import load_settings


def test_preparing_the_stack_instance_creates_its_storage_once(tmp_path, monkeypatch):
    # On a fresh home the webserver and daemon used to race to create the SQLite storages.
    monkeypatch.setenv("DATAPLATFORM_HOME", str(tmp_path))
    settings = load_settings()
    DagsterWebserver(settings, stack_dagster_home(), Path(tmp_path)).prepare()
    DagsterDaemon(settings, stack_dagster_home(), Path(tmp_path)).prepare()
    schedules = stack_dagster_home() / "schedules" / "schedules.db"
    heads = sqlite3.connect(str(schedules)).execute("SELECT * FROM alembic_version").fetchall()
    assert len(heads) == 1
    assert "telemetry" in (stack_dagster_home() / "dagster.yaml").read_text()
