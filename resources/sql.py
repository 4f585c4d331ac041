"""The SQL files under `sql/`, by system (`sql/<system>/<name>.sql`): every statement the platform
runs lives there, and every layer loads it through this module."""

from __future__ import annotations

from pathlib import Path

SQL_DIR = Path(__file__).resolve().parents[1] / "sql"


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


def render_named_sql(relative: str, name: str, **values: object) -> str:
    """One `-- name:` query of a file under `sql/` with its `{placeholders}` filled."""
    return named_queries(relative)[name].format(**values)
