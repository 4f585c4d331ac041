"""The connectorx engine (the default): one Arrow-native read in a statement of its own, ~20x pymysql."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pyarrow.parquet as pq

from dataplatform_assets.ingestion.source_schema import Column, lake_schema
from dataplatform_assets.ingestion.tables import SourceTable
from resources.mysql import MySQLResource


def read_with_connectorx(mysql: MySQLResource, query: str, columns: list[Column], spec: SourceTable,
                          changed: set[int], writer: pq.ParquetWriter,
                          progress: Callable[[int], None]) -> tuple[int, set[int]]:
    """One statement through connectorx (Rust, Arrow-native): its own consistent read, whole. (Its
    `arrow_stream` return type overlaps the Parquet writing with the read, but a stream that ends
    early has been reported to end silently, connector-x#913: a short load must never publish.)"""
    import connectorx

    table = connectorx.read_sql(mysql.connectorx_url(), query, return_type="arrow")
    arrays = [table[c.name].cast(c.arrow_type) for c in columns]
    arrays.append(pa.array([False] * table.num_rows, pa.bool_()))
    data = pa.Table.from_arrays(arrays, schema=lake_schema(columns))
    writer.write_table(data)  # whole: row groups of the writer's default size compress better
    progress(data.num_rows)
    seen: set[int] = set()
    if changed:
        seen = {k for k in data[spec.key].to_pylist() if spec.chunk(k) in changed}
    return data.num_rows, seen
