"""The pymysql engine: reads inside the import's own consistent snapshot, so its counts are exact."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow.parquet as pq
import pymysql

from dataplatform_assets.ingestion.source_schema import Column, arrow_batch
from dataplatform_assets.ingestion.tables import SourceTable


def read_in_snapshot(conn, select: str, params: tuple, columns: list[Column], spec: SourceTable,
                     changed: set[int], writer: pq.ParquetWriter,
                     progress: Callable[[int], None]) -> tuple[int, set[int]]:
    """Stream the selection with a server-side cursor inside the import's own snapshot."""
    written, seen = 0, set()
    key_index = [c.name for c in columns].index(spec.key)
    with conn.cursor(pymysql.cursors.SSCursor) as stream:
        stream.execute(select, params)
        while rows := stream.fetchmany(spec.fetch_size):
            writer.write_batch(arrow_batch(columns, rows))
            if changed:
                seen.update(r[key_index] for r in rows if spec.chunk(r[key_index]) in changed)
            written += len(rows)
            progress(written)
    return written, seen
