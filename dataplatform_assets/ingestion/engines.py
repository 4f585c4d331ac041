"""What every import engine is given and gives back: one signature for pymysql, connectorx, Spark
and Sqoop, so the importer (table_import.py) plans, counts and publishes the same way whichever
reads. An engine reads the selection the importer planned, appends its rows to the load's Parquet
writer (or writes files of its own into the staging folder) and reports the keys it saw in the
changed chunks, from which tombstones follow."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import pyarrow.parquet as pq

from dataplatform_assets.ingestion.selection import SNAPSHOT_SQL
from dataplatform_assets.ingestion.source_schema import Column
from dataplatform_assets.ingestion.tables import SourceTable
from resources.lake import LakeResource
from resources.mysql import MySQLResource
from resources.sql import ident, raw, statement


@dataclass(frozen=True)
class EngineRead:
    """One engine's job."""
    mysql: MySQLResource
    spec: SourceTable
    columns: list[Column]
    query: str  # the bounded selection as one statement, values already escaped by the driver
    changed: set[int]  # key chunks whose keys must be reported back (tombstones)
    writer: pq.ParquetWriter  # the load's own Parquet file
    lake: LakeResource
    staging: str  # the load's staging folder, for engines that write files of their own there
    progress: Callable[[int], None]
    snapshot: object | None = None  # the importer's open snapshot connection, for in-snapshot engines
    changed_keys: frozenset[int] = frozenset()  # keys the binary log saw change, reported back too
    expected_rows: int | None = None  # rows the snapshot holds for the selection (a hint for reading it)

    @property
    def tracks_keys(self) -> bool:
        """Whether the importer needs the keys the engine read (to find deletes)."""
        return bool(self.changed or self.changed_keys)

    def seen_keys(self, keys) -> set[int]:
        """The keys among `keys` that lie in a changed chunk or changed themselves."""
        if not self.tracks_keys:
            return set()
        return {k for k in keys if k in self.changed_keys or self.spec.chunk(k) in self.changed}


@dataclass(frozen=True)
class EngineRows:
    written: int  # rows the engine wrote into the load
    seen: set[int]  # keys it read within the changed chunks


def key_range(job: EngineRead) -> tuple[int, int] | None:
    """The lowest and highest key of the job's selection (None when it is empty), in a statement of
    its own: engines that read in key ranges cut them on it."""
    with job.mysql.connect() as conn, conn.cursor() as cur:
        cur.execute(statement(SNAPSHOT_SQL, "key_range", key=ident(job.spec.key), selection=raw(job.query)))
        low, high = cur.fetchone()
    return None if low is None else (int(low), int(high))


class ImportEngine(Protocol):
    name: str
    # True: reads inside the importer's snapshot, so its rows must equal the snapshot's count
    # exactly. False: reads in statements of its own just after the snapshot ends.
    in_snapshot: bool

    def read(self, job: EngineRead) -> EngineRows: ...
