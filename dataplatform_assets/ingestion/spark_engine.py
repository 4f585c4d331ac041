"""The Spark JDBC engine: for tables big enough to want a cluster.

The selection the importer built (already bounded by its snapshot's upper bound) is read by
Spark's JDBC source in `num_partitions` parallel range reads on the split column, cast to the
lake's Hive types and written as Parquet into the load's staging directory, beside the importer's
own file (tombstones). The session comes from the `spark` resource (dagster-pyspark's lazy one:
only a run that imports with Spark starts a JVM). Where Spark runs is configuration: the resource's
`spark_config` and the Spark conf dir (`SPARK_CONF_DIR`, `spark.master`: local here,
YARN/standalone/Kubernetes on a cluster), never code. Like
connectorx, Spark reads in statements of its own, just after the importer's snapshot; rows that
change in between differ from the stored checksums and are read again by the next run.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow.parquet as pq
from dagster_pyspark import LazyPySparkResource

from dataplatform_assets.ingestion.engines import EngineRead, EngineRows, key_range

SPARK_FILE_PREFIX = "part-0"  # Spark names its files part-00000-<uuid>-c000...; ours is part-00000.parquet
OWN_FILE = "part-00000.parquet"  # the importer uploads it after Spark's files are counted; skipped all the same


# What every import session needs whatever the site: MySQL hands CHAR and ENUM values back
# unpadded (Spark would pad them to the column's length), and DATETIMEs are read as UTC by every engine.
IMPORT_SPARK_CONFIG = {"spark.app.name": "dataplatform-import", "spark.ui.enabled": "false",
                       "spark.sql.legacy.charVarcharAsString": "true", "spark.sql.session.timeZone": "UTC"}


@dataclass(frozen=True)
class SparkEngine:
    spark: LazyPySparkResource
    name: str = "spark"
    in_snapshot: bool = False

    def read(self, job: EngineRead) -> EngineRows:
        """Write the selection's rows into the staging folder as Spark's own Parquet files."""
        from pyspark.sql import functions as F

        spec, mysql, lake = job.spec, job.mysql, job.lake
        reader = (self.spark.spark_session.read.format("jdbc")
                  .option("url", mysql.jdbc_url())
                  .option("driver", "org.mariadb.jdbc.Driver")  # with a jdbc:mysql URL Spark keeps its MySQL dialect
                  .option("user", mysql.user).option("password", mysql.read_password())
                  .option("fetchsize", str(spec.fetch_size))
                  .option("dbtable", f"({job.query}) AS selection"))
        bounds = key_range(job) if spec.num_partitions > 1 else None
        if bounds is not None:
            reader = (reader.option("partitionColumn", spec.key).option("numPartitions", str(spec.num_partitions))
                      .option("lowerBound", str(bounds[0])).option("upperBound", str(bounds[1] + 1)))
        frame = reader.load().select(*[F.col(f"`{c.name}`").cast(c.hive_type).alias(c.name) for c in job.columns],
                                     F.lit(False).alias("_deleted"))
        frame.write.mode("append").option("compression", "snappy").parquet(lake.uri(job.staging))
        fs, _ = lake.filesystem()
        written, seen = 0, set()
        for entry in lake.list_status(job.staging):
            if entry.is_dir or not entry.name.startswith(SPARK_FILE_PREFIX) or entry.name == OWN_FILE:
                continue
            with fs.open_input_file(lake.path(f"{job.staging}/{entry.name}")) as handle:
                written += pq.ParquetFile(handle).metadata.num_rows
            if job.tracks_keys:
                keys = pq.read_table(lake.path(f"{job.staging}/{entry.name}"), columns=[spec.key], filesystem=fs)
                seen |= job.seen_keys(keys[spec.key].to_pylist())
        job.progress(written)
        return EngineRows(written, seen)
