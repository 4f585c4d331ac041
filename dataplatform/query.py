"""`dataplatform query`: run SQL through HiveServer2 and print a small table."""

from __future__ import annotations

from collections.abc import Sequence

from dataplatform.settings import load_settings
from resources.hive import run_statement


def format_rows(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in header]] + [["NULL" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def fetch(sql: str, limit: int) -> tuple[list[str], list[tuple]]:
    hive = load_settings().hive()
    with hive.cursor() as cur:
        run_statement(cur, sql)
        header = [d[0].split(".")[-1] for d in cur.description or []]
        return header, cur.fetchmany(limit) if header else []


def run_query(sql: str, limit: int = 50) -> int:
    header, rows = fetch(sql, limit)
    if header:
        print(format_rows(header, rows))
        print(f"({len(rows)} row{'s' if len(rows) != 1 else ''}{' shown' if len(rows) == limit else ''})")
    return 0
