"""Where the project's files and the local stack's state live."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
STACK_CONF_DIR = REPO_ROOT / "stack" / "conf"


def state_dir() -> Path:
    """Data, logs, pids and generated secrets of the local stack (git-ignored).

    `DATAPLATFORM_HOME` moves it; the default is `.state/` in the repo root.
    """
    return Path(os.environ.get("DATAPLATFORM_HOME", REPO_ROOT / ".state")).resolve()


def sqoop_launcher_path() -> Path:
    """The `sqoop` command the local stack writes when it starts (localstack/launchers.py)."""
    return state_dir() / "bin" / "sqoop"


def stack_dagster_home() -> Path:
    """The Dagster instance of the local stack's webserver and daemon (runs, sensor cursors)."""
    return state_dir() / "dagster"


def dagster_home() -> Path:
    """The instance commands record runs in: `DAGSTER_HOME` if set, else the stack's."""
    return Path(os.environ.get("DAGSTER_HOME", stack_dagster_home())).resolve()


def venv_script(name: str) -> str:
    """A console script installed next to the running Python (the project's .venv/bin), so the
    stack works without the venv on PATH; falls back to PATH."""
    import shutil
    import sys

    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else (shutil.which(name) or name)


def hbase_table_tool_path() -> Path:
    """The command that creates pre-split HBase tables, written when the stack starts (localstack/launchers.py)."""
    return state_dir() / "bin" / "hbase-create-table"
