"""The SQL under `sql/`: one convention and one loader for every statement the platform runs.

A file is `sql/<system>/<subject>.sql`. Its statements are introduced by `-- name: <name>` lines,
and a name may hold several statements, each ending with `;` at the end of a line. Other lines
starting with `--` are comments. Placeholders are `{name}`, and each value filling one is an `Sql`
piece made by one of the functions below: `ident` (a checked identifier, quoted), `lit` (a string
literal escaped, or a number), `raw` (SQL written in this repo, e.g. a table contract's filter).
A plain string is refused, so no value reaches SQL text unchecked or unquoted. MySQL, Spark SQL and
HiveQL all quote identifiers with backticks and escape string literals with backslashes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parents[1] / "sql"
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
NAME_LINE = re.compile(r"--\s*name:\s*(\S+)\s*$")


class SqlError(ValueError):
    """A statement that does not exist, a placeholder without a value, or a value that is no SQL piece."""


@dataclass(frozen=True)
class Sql:
    """SQL text that is safe to splice: made by `ident`, `lit`, `raw` or from other pieces."""
    text: str


def checked_name(name: str) -> str:
    """`name` itself, once checked to be a plain identifier (for places that are not quoted)."""
    if not IDENTIFIER.match(name):
        raise SqlError(f"not an identifier: {name!r} (letters, digits and _ only, not starting with a digit)")
    return name


def ident(name: str) -> Sql:
    """A table, database or column name, checked and quoted (`name`)."""
    return Sql(f"`{checked_name(name)}`")


def qualified(*parts: str) -> Sql:
    """`database`.`table` (each part checked)."""
    return Sql(".".join(ident(p).text for p in parts))


def idents(names: Iterable[str]) -> Sql:
    return Sql(", ".join(ident(n).text for n in names))


def lit(value: str | int | float | bool | None) -> Sql:
    """A literal: numbers as they are, strings quoted with `\\` and `'` escaped, None as NULL."""
    if value is None:
        return Sql("NULL")
    if isinstance(value, bool):
        return Sql("TRUE" if value else "FALSE")
    if isinstance(value, (int, float)):
        return Sql(repr(value))
    if not isinstance(value, str):
        raise SqlError(f"no literal for a {type(value).__name__}: {value!r}")
    return Sql("'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'")


def lits(values: Iterable[str | int]) -> Sql:
    return Sql(", ".join(lit(v).text for v in values))


def column_definitions(columns: Iterable[tuple[str, str]]) -> Sql:
    """`name` TYPE pairs for a column list; the types are the platform's own Hive types (from its
    mapping or the metastore), never a source's text."""
    return Sql(", ".join(f"{ident(name).text} {kind}" for name, kind in columns))


def rows(values: Iterable[Iterable[str | int | bool | None]]) -> Sql:
    """Rows of literals for a `VALUES` list: `('a', 1), ('b', 2)`."""
    rendered = ["(" + ", ".join(lit(v).text for v in row) + ")" for row in values]
    if not rendered:
        raise SqlError("a VALUES list needs at least one row")
    return Sql(", ".join(rendered))


def path(uri: str) -> Sql:
    """A file or folder in a Spark `format.`path`` reference (backticks doubled)."""
    return Sql("`" + uri.replace("`", "``") + "`")


def assignments(values: Mapping[str, str]) -> Sql:
    """`a` = 'x', `b` = 'y': a partition spec."""
    return Sql(", ".join(f"{ident(k).text} = {lit(v).text}" for k, v in values.items()))


def conditions(values: Mapping[str, str]) -> Sql:
    """`a` = 'x' AND `b` = 'y': a partition's rows."""
    return Sql(" AND ".join(f"{ident(k).text} = {lit(v).text}" for k, v in values.items()))


def raw(text: str) -> Sql:
    """SQL written in this repository (a table contract's filter, a statement's fragment): trusted as is."""
    return Sql(text)


@cache
def _sections(relative: str) -> dict[str | None, tuple[str, ...]]:
    """A file's statements by name (None: a file without names), comments dropped."""
    sections: dict[str | None, list[list[str]]] = {}
    current: str | None = None
    lines = (SQL_DIR / relative).read_text().splitlines()
    named = any(NAME_LINE.match(line.strip()) for line in lines)
    if not named:
        sections[None] = [[]]
    for line in lines:
        if (match := NAME_LINE.match(line.strip())):
            current = match.group(1)
            sections[current] = [[]]
        elif line.lstrip().startswith("--") or (named and current is None):
            continue
        else:
            statements = sections[current]
            statements[-1].append(line)
            if line.rstrip().endswith(";"):
                statements.append([])
    return {name: tuple(text for text in ("\n".join(body).strip().rstrip(";").strip() for body in bodies) if text)
            for name, bodies in sections.items()}


def _render(text: str, values: Mapping[str, Sql], where: str) -> str:
    def fill(match: re.Match) -> str:
        value = values.get(match.group(1))
        if value is None:
            raise SqlError(f"{where}: no value for {{{match.group(1)}}}")
        return value.text
    return PLACEHOLDER.sub(fill, text)


def statements(relative: str, name: str | None = None, **values: Sql) -> list[str]:
    """The statements of `name` in `sql/<relative>` (a file without names: all of it), filled in."""
    where = f"sql/{relative}" + (f" [{name}]" if name else "")
    sections = _sections(relative)
    if name not in sections:
        raise SqlError(f"{where}: no such statement; the file has {', '.join(map(str, sections))}")
    wrong = [k for k, v in values.items() if not isinstance(v, Sql)]
    if wrong:
        raise SqlError(f"{where}: {', '.join(wrong)} must be made with ident/lit/raw, not given as plain values")
    used = {m.group(1) for text in sections[name] for m in PLACEHOLDER.finditer(text)}
    if set(values) - used:
        raise SqlError(f"{where}: no placeholder for {', '.join(sorted(set(values) - used))}")
    return [_render(text, values, where) for text in sections[name]]


def statement(relative: str, name: str | None = None, **values: Sql) -> str:
    """The one statement of `name` in `sql/<relative>`, filled in."""
    found = statements(relative, name, **values)
    if len(found) != 1:
        raise SqlError(f"sql/{relative} [{name}]: {len(found)} statements where one was expected")
    return found[0]


def sql_names(relative: str) -> list[str]:
    """The statement names of a file, in order."""
    return [n for n in _sections(relative) if n is not None]


def placeholders(relative: str, name: str | None = None) -> set[str]:
    """The placeholders the statements of `name` use."""
    return {m.group(1) for text in _sections(relative).get(name, ()) for m in PLACEHOLDER.finditer(text)}
