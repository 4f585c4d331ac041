"""The pymysql engine: reads inside the import's own consistent snapshot, so its counts are exact."""

from __future__ import annotations

import pymysql

from dataplatform_assets.ingestion.engines import EngineRead, EngineRows
from dataplatform_assets.ingestion.source_schema import arrow_batch


class PyMySQLEngine:
    name = "pymysql"
    in_snapshot = True

    def read(self, job: EngineRead) -> EngineRows:
        """Stream the selection with a server-side cursor inside the import's own snapshot."""
        written, seen = 0, set()
        key_index = [c.name for c in job.columns].index(job.spec.key)
        with job.snapshot.cursor(pymysql.cursors.SSCursor) as stream:
            stream.execute(job.query)
            while rows := stream.fetchmany(job.spec.fetch_size):
                job.writer.write_batch(arrow_batch(job.columns, rows))
                seen |= job.seen_keys(r[key_index] for r in rows)
                written += len(rows)
                job.progress(written)
        return EngineRows(written, seen)
