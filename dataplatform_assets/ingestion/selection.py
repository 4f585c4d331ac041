"""Which source rows one import reads, planned without touching a database.

A full load reads the contract's filter. An incremental load reads, within that filter, the rows
whose check column lies in (last watermark, upper bound] plus every row of the key chunks whose
checksums changed. The predicates are statements of sql/ingestion/snapshot.sql, filled with checked
identifiers; the watermark values go to the database as bound parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

from dataplatform_assets.ingestion.source_schema import Column
from dataplatform_assets.ingestion.tables import SourceTable
from resources.sql import Sql, ident, lit, lits, raw, statement

SNAPSHOT_SQL = "ingestion/snapshot.sql"


@dataclass(frozen=True)
class Selection:
    where: Sql
    params: tuple = ()


def _predicate(name: str, **values: Sql) -> Sql:
    return raw(statement(SNAPSHOT_SQL, name, **values))


def base_filter(spec: SourceTable) -> Sql:
    """The contract's filter (SQL written in the repo's contract), or every row."""
    return _predicate("filtered", filter=raw(spec.where)) if spec.where else _predicate("everything")


def changed_chunks(now: dict[str, list[int]], before: dict[str, list[int]]) -> set[int]:
    """Chunks whose row count or content hash differs, or that appeared or vanished."""
    return {int(c) for c in set(now) | set(before) if now.get(c) != before.get(c)}


def incremental_selection(spec: SourceTable, low: str | None, upper: str | None, changed: set[int]) -> Selection:
    check = ident(spec.check_column)
    if upper is None:  # the source holds no row with a check value: only changed chunks
        window, params = _predicate("nothing"), ()
    elif low is None:
        window, params = _predicate("up_to", check=check), (upper,)
    else:
        window, params = _predicate("window", check=check), (low, upper)
    if changed:
        window = _predicate("or_changed_chunks", window=window, key=ident(spec.key), chunk_rows=lit(spec.chunk_rows),
                            chunks=lits(sorted(changed)))
    return Selection(_predicate("incremental_selection", base=base_filter(spec), window=window), params)


def key_selection(spec: SourceTable, keys: frozenset[int]) -> Selection:
    """Within the contract's filter, the rows of `keys` (what the binary log saw change)."""
    chosen = (_predicate("changed_keys", key=ident(spec.key), keys=lits(sorted(keys))) if keys
              else _predicate("nothing"))
    return Selection(_predicate("incremental_selection", base=base_filter(spec), window=chosen))


def hash_expression(columns: list[Column]) -> Sql:
    """The columns a chunk's content hash covers, each NULL-safe."""
    return raw(", ".join(statement(SNAPSHOT_SQL, "hashed_column", column=ident(c.name)) for c in columns))

