"""The connectorx engine (the default): one Arrow-native read in a statement of its own, ~20x pymysql."""

from __future__ import annotations

import pyarrow as pa

from dataplatform_assets.ingestion.engines import EngineRead, EngineRows
from dataplatform_assets.ingestion.source_schema import lake_schema


class ConnectorXEngine:
    name = "connectorx"
    in_snapshot = False

    def read(self, job: EngineRead) -> EngineRows:
        """One statement through connectorx (Rust, Arrow-native): its own consistent read, whole. (Its
        `arrow_stream` return type overlaps the Parquet writing with the read, but a stream that ends
        early has been reported to end silently, connector-x#913: a short load must never publish.)"""
        import connectorx

        table = connectorx.read_sql(job.mysql.connectorx_url(), job.query, return_type="arrow")
        arrays = [table[c.name].cast(c.arrow_type) for c in job.columns]
        arrays.append(pa.array([False] * table.num_rows, pa.bool_()))
        data = pa.Table.from_arrays(arrays, schema=lake_schema(job.columns))
        job.writer.write_table(data)  # whole: row groups of the writer's default size compress better
        job.progress(data.num_rows)
        seen = job.seen_keys(data[job.spec.key].to_pylist()) if job.changed else set()
        return EngineRows(data.num_rows, seen)
