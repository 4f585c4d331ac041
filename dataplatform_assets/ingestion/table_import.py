"""One import of one MySQL table into the lake, by its contract (tables.py), published atomically.

Every read happens inside one consistent snapshot. A full load reads every row. An incremental
load with checksum capture reads the rows whose check column lies in (last value, upper bound],
where the upper bound is captured inside the snapshot, plus every row of each key chunk whose row
count or content hash differs from the last load's; keys of those chunks that are gone from the
source are written as tombstones (`_deleted`). With binlog capture it reads the rows of the keys
the binary log saw change since the last load's snapshot (binlog_capture.py); changed keys with
no row any more are the tombstones. The rows written must equal the rows the snapshot holds for the same
selection. Rows go to a staging directory that is renamed to `raw/mysql/<table>/load_id=<id>`
only when complete, with the state the next run starts from inside it (load_state.py).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyarrow.parquet as pq

from dataplatform_assets.ingestion.binlog_capture import BinlogGap, BinlogPosition, read_changes, snapshot_position
from dataplatform_assets.ingestion.engine_choice import engine_named
from dataplatform_assets.ingestion.engines import EngineRead, ImportEngine
from dataplatform_assets.ingestion.load_state import (
    LoadState,
    latest_state,
    loads_since,
    published_loads,
    table_dir,
    write_state,
)
from dataplatform_assets.ingestion.selection import (
    SNAPSHOT_SQL,
    Selection,
    base_filter,
    changed_chunks,
    hash_expression,
    incremental_selection,
    key_selection,
)
from dataplatform_assets.ingestion.source_schema import Column, lake_schema, read_columns
from dataplatform_assets.ingestion.tables import Capture, SourceTable
from dataplatform_assets.ingestion.tombstones import append_tombstones, write_tombstones
from resources.lake import LakeResource
from resources.mysql import MySQLResource
from resources.sql import ident, idents, lit, statement


class ImportMismatch(RuntimeError):
    """The rows written differ from the rows the snapshot holds: nothing was published."""


class SchemaDrift(RuntimeError):
    """A source column was dropped or changed type: nothing was published."""


@dataclass(frozen=True)
class LoadResult:
    table: str
    load_id: str
    mode: str  # what the load did: full, append or lastmodified
    uri: str
    rows: int
    tombstones: int
    changed_chunks: int
    low_watermark: str | None
    high_watermark: str | None
    bytes: int
    seconds: float
    columns: list[Column]
    base_load_id: str
    added_columns: list[str]
    engine: str
    exact: bool  # the engine read inside the snapshot, so rows == expected_rows is guaranteed
    expected_rows: int  # rows the snapshot holds for this load's selection
    source_rows: int  # rows the snapshot holds in all (what the current view must show)
    capture: str = "checksums"
    changed_keys: int = 0  # keys the binary log saw change (binlog capture)
    note: str = ""  # why a load is full where an incremental one was due, if it is


def new_load_id(now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond // 1000:03d}Z"


def check_drift(table: str, before: list[list[str]], now: list[Column]) -> list[str]:
    """New nullable columns are fine (returned); a dropped, retyped or new NOT NULL one is not."""
    current = {c.name: c for c in now}
    for name, mysql_type in before:
        if name not in current:
            raise SchemaDrift(f"{table}.{name} was dropped from the source; the import stopped and "
                              "published nothing. Drop it from the lake's contract deliberately.")
        if current[name].mysql_type != mysql_type:
            raise SchemaDrift(f"{table}.{name} changed type from {mysql_type} to "
                              f"{current[name].mysql_type}; the import stopped and published nothing")
    known = {name for name, _ in before}
    added = [c for c in now if c.name not in known]
    for col in added:
        if not col.nullable:
            raise SchemaDrift(f"{table}.{col.name} is a new NOT NULL column; only nullable columns "
                              "are added automatically")
    return [c.name for c in added]


def _selected(columns: list[Column], spec: SourceTable) -> list[Column]:
    if spec.columns is None:
        return columns
    missing = set(spec.columns) - {c.name for c in columns}
    if missing:
        raise SchemaDrift(f"{spec.name}: contract columns {sorted(missing)} are not in the source")
    return [c for c in columns if c.name in spec.columns]


def run_import(mysql: MySQLResource, lake: LakeResource, spec: SourceTable, load_id: str, *,
               engine: ImportEngine | None = None, capture: Capture | None = None, force_full: bool = False,
               progress: Callable[[int], None] = lambda rows: None) -> LoadResult:
    """Import one table with `engine` (default: its contract's, which for Spark and Sqoop must be
    given built with its client: engine_choice.py) and `capture` (default: its contract's). A run
    that fails leaves no staging behind; a killed one cannot clean up, and the next run clears what
    it left."""
    try:
        return _import(mysql, lake, spec, load_id, engine=engine or engine_named(spec.engine),
                       capture=capture or spec.capture, force_full=force_full, progress=progress)
    except Exception:
        fs, _ = lake.filesystem()
        try:
            fs.delete_dir_contents(lake.path(f"{table_dir(spec.name)}/_staging"), missing_dir_ok=True)
        except Exception:  # noqa: BLE001 - the lake is down too: the next run clears it
            pass
        raise


@dataclass(frozen=True)
class Plan:
    """What one load reads and what it remembers, decided inside its snapshot."""
    selection: Selection
    incremental: bool
    changed: set[int] = field(default_factory=set)  # key chunks read whole (checksum capture)
    changed_keys: frozenset[int] = frozenset()  # keys the binary log saw change (binlog capture)
    chunks: dict[str, list[int]] = field(default_factory=dict)
    low: str | None = None
    upper: str | None = None
    binlog: BinlogPosition | None = None
    source_rows: int | None = None  # when known without counting the table
    note: str = ""


def _plan_by_checksums(cur, spec: SourceTable, columns: list[Column], previous: LoadState | None,
                       incremental: bool) -> Plan:
    """The check column's window plus every key chunk whose checksum moved (scans the table)."""
    table, where = ident(spec.name), base_filter(spec)
    if spec.mode == "full":
        return Plan(Selection(where), False)
    cur.execute(statement(SNAPSHOT_SQL, "upper_bound", check=ident(spec.check_column), table=table, where=where))
    upper_value = cur.fetchone()[0]
    upper = None if upper_value is None else str(upper_value)
    cur.execute(statement(SNAPSHOT_SQL, "chunk_checksums", key=ident(spec.key), chunk_rows=lit(spec.chunk_rows),
                          hashed=hash_expression(columns), table=table, where=where))
    chunks = {str(int(c)): [int(n), int(h)] for c, n, h in cur.fetchall()}
    source_rows = sum(n for n, _ in chunks.values())
    if not incremental:
        return Plan(Selection(where), False, chunks=chunks, upper=upper, source_rows=source_rows)
    low = previous.high_watermark
    changed = changed_chunks(chunks, previous.chunks)
    return Plan(incremental_selection(spec, low, upper, changed), True, changed=changed, chunks=chunks,
                low=low, upper=upper, source_rows=source_rows)


def _plan_by_binlog(cur, mysql: MySQLResource, spec: SourceTable, key_ordinal: int, previous: LoadState | None,
                    incremental: bool) -> Plan:
    """The keys the binary log saw change since the last load's position (binlog_capture.py)."""
    position = snapshot_position(cur)
    everything = Selection(base_filter(spec))
    if not incremental:
        return Plan(everything, False, binlog=position)
    start = BinlogPosition(*previous.binlog)
    try:
        changes = read_changes(mysql, spec.name, key_ordinal, start, position)
    except BinlogGap as gap:
        return Plan(everything, False, binlog=position, note=str(gap))
    # Without a filter the binary log alone says how many rows the source holds now.
    source_rows = (previous.source_rows + changes.net_rows
                   if previous.source_rows is not None and not spec.where else None)
    return Plan(key_selection(spec, changes.keys), True, changed_keys=changes.keys, low=str(start),
                upper=str(position), binlog=position, source_rows=source_rows)


def _import(mysql: MySQLResource, lake: LakeResource, spec: SourceTable, load_id: str, *,
            engine: ImportEngine, capture: Capture, force_full: bool, progress: Callable[[int], None]) -> LoadResult:
    started = time.monotonic()
    base = table_dir(spec.name)
    staging, final = f"{base}/_staging/load_id={load_id}", f"{base}/load_id={load_id}"
    fs, _ = lake.filesystem()
    fs.delete_dir_contents(lake.path(f"{base}/_staging"), missing_dir_ok=True)
    fs.create_dir(lake.path(staging), recursive=True)
    previous = latest_state(lake, spec.name)
    table = ident(spec.name)

    with mysql.connect() as conn:
        cur = conn.cursor()
        source_columns = read_columns(cur, spec.name)
        columns = _selected(source_columns, spec)
        added = check_drift(spec.name, previous.columns, columns) if previous else []
        # An incremental load continues the last one's capture; a change of capture starts over.
        incremental = (spec.mode != "full" and previous is not None and not force_full and not added
                       and previous.loads_since_full < spec.full_every
                       and (previous.binlog is not None) == (capture == "binlog"))
        cur.execute(statement(SNAPSHOT_SQL, "begin_snapshot"))
        cur.execute(statement(SNAPSHOT_SQL, "snapshot_time"))
        snapshot_at = cur.fetchone()[0]
        key_ordinal = [c.name for c in source_columns].index(spec.key) + 1  # how the binary log names it
        plan = (_plan_by_binlog(cur, mysql, spec, key_ordinal, previous, incremental) if capture == "binlog"
                else _plan_by_checksums(cur, spec, columns, previous, incremental))
        incremental, selection = plan.incremental, plan.selection
        cur.execute(statement(SNAPSHOT_SQL, "count_rows", table=table, where=selection.where), selection.params)
        expected = int(cur.fetchone()[0])
        source_rows = plan.source_rows
        if source_rows is None and not incremental:
            source_rows = expected
        elif source_rows is None:
            cur.execute(statement(SNAPSHOT_SQL, "count_rows", table=table, where=base_filter(spec)))
            source_rows = int(cur.fetchone()[0])
        query = cur.mogrify(statement(SNAPSHOT_SQL, "select_rows", columns=idents(c.name for c in columns),
                                      table=table, where=selection.where), selection.params)
        if not engine.in_snapshot:
            # The snapshot ends here, after the checksums (or binlog position) were taken: a row that
            # changes before the engine reads it is read again next run.
            conn.commit()
        tombstones = 0
        # Parquet is written to a local scratch folder (removed whatever happens) and sent to the
        # lake's staging in one upload once complete.
        with ExitStack() as scope:
            scratch = scope.enter_context(tempfile.TemporaryDirectory(prefix=f"import-{spec.name}-"))
            local_part = Path(scratch) / "part-00000.parquet"
            writer = scope.enter_context(pq.ParquetWriter(local_part, lake_schema(columns), compression="zstd"))
            rows = engine.read(EngineRead(mysql=mysql, spec=spec, columns=columns, query=query, changed=plan.changed,
                                          changed_keys=plan.changed_keys, expected_rows=expected, writer=writer,
                                          lake=lake, staging=staging, progress=progress,
                                          snapshot=conn if engine.in_snapshot else None))
            conn.commit()
            if plan.changed:
                tombstones = write_tombstones(lake, spec, loads_since(lake, spec.name, previous.base_load_id),
                                              plan.changed, rows.seen, columns, writer)
            elif plan.changed_keys:
                tombstones = append_tombstones(spec, sorted(plan.changed_keys - rows.seen), columns, writer)
            writer.close()
            lake.upload(local_part, f"{staging}/part-00000.parquet")

    if engine.in_snapshot and rows.written != expected:
        raise ImportMismatch(f"{spec.name}: wrote {rows.written} rows but the snapshot holds {expected} "
                             "for the same selection; nothing was published")
    state = LoadState(
        load_id=load_id, mode=spec.mode if incremental else "full",
        base_load_id=previous.base_load_id if incremental else load_id,
        loads_since_full=previous.loads_since_full + 1 if incremental else 0,
        high_watermark=plan.upper if capture == "checksums" else None,
        columns=[[c.name, c.mysql_type] for c in columns], chunks=plan.chunks, snapshot_at=snapshot_at,
        binlog=plan.binlog.as_state() if plan.binlog else None, source_rows=source_rows)
    write_state(lake, staging, state)
    lake.publish(staging, final)
    return LoadResult(
        table=spec.name, load_id=load_id, mode=state.mode, uri=lake.uri(final),
        rows=rows.written, tombstones=tombstones, changed_chunks=len(plan.changed), low_watermark=plan.low,
        high_watermark=plan.upper, bytes=lake.total_bytes(final),
        seconds=time.monotonic() - started, columns=columns, base_load_id=state.base_load_id,
        added_columns=added, engine=engine.name, exact=engine.in_snapshot, expected_rows=expected,
        source_rows=source_rows, capture=capture, changed_keys=len(plan.changed_keys), note=plan.note)


def drop_superseded_loads(lake: LakeResource, table: str, base_load_id: str) -> None:
    """Loads older than the current chain's full load; call once no table points at them."""
    for load_id in published_loads(lake, table):
        if load_id < base_load_id:
            lake.delete_dir(f"{table_dir(table)}/load_id={load_id}")


