import sqlite3
from pathlib import Path

import yaml

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
    instance_config = yaml.safe_load((stack_dagster_home() / "dagster.yaml").read_text())
    assert instance_config["telemetry"] == {"enabled": False}


def test_stack_webserver_and_daemon_share_one_code_server_started_before_them(tmp_path, monkeypatch):
    # A daemon on a python_module workspace replaces its own code servers every 60 s; the stack's
    # webserver and daemon reach its single code server instead, under the location name the
    # repo's workspace.yaml gives, so runs and sensor state stay under the same location.
    from dataplatform.localstack.dagster_services import CODE_SERVER_PORT, DagsterCodeServer, stack_workspace
    from dataplatform.localstack.stack import LocalStack
    from dataplatform.paths import REPO_ROOT

    monkeypatch.setenv("DATAPLATFORM_HOME", str(tmp_path))
    settings = load_settings()
    DagsterDaemon(settings, stack_dagster_home(), Path(tmp_path)).prepare()
    (entry,) = yaml.safe_load(stack_workspace().read_text())["load_from"]
    (repo_entry,) = yaml.safe_load((REPO_ROOT / "workspace.yaml").read_text())["load_from"]
    assert entry["grpc_server"]["port"] == CODE_SERVER_PORT
    assert entry["grpc_server"]["location_name"] == repo_entry["python_module"]["location_name"]
    server = DagsterCodeServer(settings, stack_dagster_home(), Path(tmp_path))
    assert server.command()[server.command().index("-m") + 1] == repo_entry["python_module"]["module_name"]
    for service in (DagsterDaemon, DagsterWebserver):
        assert str(stack_workspace()) in service(settings, stack_dagster_home(), Path(tmp_path)).command()
    waves = LocalStack(settings, tmp_path).waves
    wave_of = {name: i for i, wave in enumerate(waves) for name in wave}
    assert wave_of["dagster-code-server"] < wave_of["dagster-webserver"] == wave_of["dagster-daemon"]
