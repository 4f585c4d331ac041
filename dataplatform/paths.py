"""Where the project's files and the local stack's state live."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SQL_DIR = REPO_ROOT / "sql"
STACK_CONF_DIR = REPO_ROOT / "stack" / "conf"


def state_dir() -> Path:
    """Data, logs, pids and generated secrets of the local stack (git-ignored).

    `DATAPLATFORM_HOME` moves it; the default is `.state/` in the repo root.
    """
    return Path(os.environ.get("DATAPLATFORM_HOME", REPO_ROOT / ".state")).resolve()


def stack_dagster_home() -> Path:
    """The Dagster instance of the local stack's webserver and daemon (runs, sensor cursors)."""
    return state_dir() / "dagster"


def dagster_home() -> Path:
    """The instance commands record runs in: `DAGSTER_HOME` if set, else the stack's."""
    return Path(os.environ.get("DAGSTER_HOME", stack_dagster_home())).resolve()


def read_sql(relative: str) -> str:
    """The text of a file under `sql/`, e.g. `read_sql("shop/schema.sql")`."""
    return (SQL_DIR / relative).read_text()


def sql_statements(relative: str, **values: object) -> list[str]:
    """The `;`-separated statements of a file under `sql/`, comments dropped, `{placeholders}`
    filled when values are given."""
    lines = [ln for ln in read_sql(relative).splitlines() if not ln.lstrip().startswith("--")]
    statements = [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
    return [s.format(**values) for s in statements] if values else statements


def named_queries(relative: str) -> dict[str, str]:
    """Queries of a file under `sql/`, each introduced by a `-- name: NAME` line."""
    queries: dict[str, list[str]] = {}
    current = None
    for line in read_sql(relative).splitlines():
        if line.startswith("-- name:"):
            current = line.split(":", 1)[1].strip()
            queries[current] = []
        elif current and not line.lstrip().startswith("--"):
            queries[current].append(line)
    return {name: "\n".join(body).strip().rstrip(";") for name, body in queries.items()}


def render_sql(relative: str, **values: object) -> str:
    """A one-statement template under `sql/` with its `{placeholders}` filled, comments dropped."""
    lines = [ln for ln in read_sql(relative).splitlines() if not ln.lstrip().startswith("--")]
    return "\n".join(lines).strip().rstrip(";").format(**values)


def venv_script(name: str) -> str:
    """A console script installed next to the running Python (the project's .venv/bin), so the
    stack works without the venv on PATH; falls back to PATH."""
    import shutil
    import sys

    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else (shutil.which(name) or name)


def render_named_sql(relative: str, name: str, **values: object) -> str:
    """One `-- name:` query of a file under `sql/` with its `{placeholders}` filled."""
    return named_queries(relative)[name].format(**values)
