"""Deletes, as the lake records them: a tombstone row (`_deleted`, the key and nothing else) for each
key that is alive in the lake's current view, inside a chunk whose checksum changed, and was not
read again from the source."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from dataplatform_assets.ingestion.load_state import table_dir
from dataplatform_assets.ingestion.source_schema import DELETED, Column, lake_schema
from dataplatform_assets.ingestion.tables import SourceTable
from resources.lake import LakeResource


def current_keys(lake: LakeResource, spec: SourceTable, loads: list[str], chunks: set[int]) -> set[int]:
    """Keys alive in the lake's current view within `chunks` (reads only key columns)."""
    fs, _ = lake.filesystem()
    alive: dict[int, bool] = {}
    for load_id in loads:  # oldest first: later loads win
        directory = lake.path(f"{table_dir(spec.name)}/load_id={load_id}")
        table = pq.read_table(directory, columns=[spec.key, DELETED], filesystem=fs)
        for key, deleted in zip(table[spec.key].to_pylist(), table[DELETED].to_pylist()):
            if spec.chunk(key) in chunks:
                alive[key] = not deleted
    return {k for k, live in alive.items() if live}


def write_tombstones(lake: LakeResource, spec: SourceTable, loads: list[str], changed: set[int], seen: set[int],
                     columns: list[Column], writer: pq.ParquetWriter) -> int:
    """Append tombstones for the keys of `changed` chunks alive in `loads` but not `seen`; how many."""
    return append_tombstones(spec, sorted(current_keys(lake, spec, loads, changed) - seen), columns, writer)


def append_tombstones(spec: SourceTable, gone: list[int], columns: list[Column], writer: pq.ParquetWriter) -> int:
    """Append a tombstone for each key of `gone`; how many."""
    if gone:
        empty = {c.name: pa.nulls(len(gone), c.arrow_type) for c in columns}
        empty[spec.key] = pa.array(gone, type=next(c.arrow_type for c in columns if c.name == spec.key))
        empty[DELETED] = pa.array([True] * len(gone))
        writer.write_table(pa.table(empty, schema=lake_schema(columns)))
    return len(gone)
