"""Full import of one MySQL table into the lake as Parquet, published atomically.

Rows stream from one consistent snapshot (server-side cursor) into a Parquet file under a staging
directory; the row count written must equal the count taken in the same snapshot, and only then is
the staging directory renamed to `raw/mysql/<table>/load_id=<id>`. An import that fails or is
killed leaves at most a staging directory, which the next run of the table clears away.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

import pyarrow as pa
import pyarrow.parquet as pq
import pymysql

from dataplatform.paths import named_queries
from dataplatform_assets.ingestion.source_schema import Column, arrow_schema, read_columns
from resources.lake import LakeResource
from resources.mysql import MySQLResource

FETCH_ROWS = 50_000
KEEP_LOADS = 3  # published loads kept per table; older ones are deleted after a new publish


class ImportMismatch(RuntimeError):
    """The rows written differ from the rows the snapshot holds: nothing was published."""


@dataclass(frozen=True)
class LoadResult:
    table: str
    load_id: str
    path: str  # relative to the lake root
    uri: str
    rows: int
    bytes: int
    seconds: float
    columns: list[Column]


def new_load_id(now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond // 1000:03d}Z"


def table_dir(table: str) -> str:
    return f"raw/mysql/{table}"


def _to_arrow(columns: list[Column], rows: list[tuple]) -> pa.RecordBatch:
    arrays = []
    for col, values in zip(columns, zip(*rows)):
        if pa.types.is_boolean(col.arrow_type):
            values = [None if v is None else bool(v) for v in values]
        arrays.append(pa.array(values, type=col.arrow_type))
    return pa.RecordBatch.from_arrays(arrays, schema=arrow_schema(columns))


def full_import(mysql: MySQLResource, lake: LakeResource, table: str, load_id: str,
                progress: Callable[[int], None] = lambda rows: None) -> LoadResult:
    started = time.monotonic()
    base = table_dir(table)
    staging, final = f"{base}/_staging/load_id={load_id}", f"{base}/load_id={load_id}"
    fs, _ = lake.filesystem()
    fs.delete_dir_contents(lake.path(f"{base}/_staging"), missing_dir_ok=True)
    fs.create_dir(lake.path(staging), recursive=True)
    q = named_queries("ingestion/snapshot.sql")
    written = 0
    with mysql.connect(cursorclass=pymysql.cursors.SSCursor) as conn, conn.cursor() as cur:
        columns = read_columns(cur, table)
        cur.execute(q["begin_snapshot"])
        cur.execute(q["count_rows"].format(table=table))
        expected = int(cur.fetchall()[0][0])
        names = ", ".join(f"`{c.name}`" for c in columns)
        cur.execute(q["select_all"].format(table=table, columns=names))
        with pq.ParquetWriter(lake.path(f"{staging}/part-00000.parquet"), arrow_schema(columns),
                              filesystem=fs, compression="snappy") as writer:
            while rows := cur.fetchmany(FETCH_ROWS):
                writer.write_batch(_to_arrow(columns, rows))
                written += len(rows)
                progress(written)
        conn.commit()
    if written != expected:
        fs.delete_dir(lake.path(staging))
        raise ImportMismatch(f"{table}: wrote {written} rows but the snapshot holds {expected}; "
                             "nothing was published")
    lake.publish(staging, final)
    _drop_old_loads(lake, base)
    return LoadResult(table=table, load_id=load_id, path=final, uri=lake.uri(final), rows=written,
                      bytes=lake.total_bytes(final), seconds=time.monotonic() - started,
                      columns=columns)


def _drop_old_loads(lake: LakeResource, base: str) -> None:
    loads = [d for d in lake.list_dirs(base) if d.startswith("load_id=")]
    for old in loads[:-KEEP_LOADS]:
        lake.delete_dir(f"{base}/{old}")
