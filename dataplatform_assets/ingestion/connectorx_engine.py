"""The connectorx engine (the default): Arrow-native reads in statements of their own, ~20x pymysql.

The selection is read in key ranges of bounded span, so memory stays flat however large the table
grows; the next range is fetched while the last one is written."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa

from dataplatform_assets.ingestion.engines import EngineRead, EngineRows, key_range
from dataplatform_assets.ingestion.selection import SNAPSHOT_SQL
from dataplatform_assets.ingestion.source_schema import lake_schema
from resources.sql import ident, lit, raw, statement

BATCH_KEYS = 250_000  # key span of one read: at most this many rows are in memory per batch


def key_batches(low: int, high: int, span: int = BATCH_KEYS) -> list[tuple[int, int]]:
    """[low, high] cut into half-open ranges of `span` keys."""
    return [(start, min(start + span, high + 1)) for start in range(low, high + 1, span)]


class ConnectorXEngine:
    name = "connectorx"
    in_snapshot = False

    def read(self, job: EngineRead) -> EngineRows:
        """Each key range is one whole connectorx result (Rust, Arrow-native), never a stream: a
        stream that ends early has been reported to end silently (connector-x#913), and a short
        load must never publish."""
        if job.expected_rows is not None and job.expected_rows <= BATCH_KEYS:
            batches = [None]  # a small selection (an incremental load's, mostly): one statement
        elif (bounds := key_range(job)) is None:
            return EngineRows(0, set())
        else:
            batches = key_batches(*bounds)
        written, seen = 0, set()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="connectorx") as prefetch:
            pending = prefetch.submit(self._read_batch, job, batches[0])
            for index in range(len(batches)):
                data = pending.result()
                if index + 1 < len(batches):  # the next range is read while this one is written
                    pending = prefetch.submit(self._read_batch, job, batches[index + 1])
                job.writer.write_table(data)
                written += data.num_rows
                job.progress(written)
                seen |= job.seen_keys(data[job.spec.key].to_pylist()) if job.tracks_keys else set()
        return EngineRows(written, seen)

    @staticmethod
    def _read_batch(job: EngineRead, keys: tuple[int, int] | None) -> pa.Table:
        """The selection's rows with keys in [low, high), or all of them."""
        import connectorx

        query = job.query if keys is None else statement(
            SNAPSHOT_SQL, "key_batch", selection=raw(job.query), key=ident(job.spec.key), low=lit(keys[0]),
            high=lit(keys[1]))
        table = connectorx.read_sql(job.mysql.connectorx_url(), query, return_type="arrow")
        arrays = [table[c.name].cast(c.arrow_type) for c in job.columns]
        arrays.append(pa.array([False] * table.num_rows, pa.bool_()))
        return pa.Table.from_arrays(arrays, schema=lake_schema(job.columns))
