-- All published loads of one MySQL table (Parquet in the lake), one partition per load.
-- `_deleted` marks tombstones of rows gone from the source.
CREATE EXTERNAL TABLE {database}.{table} (
{columns},
  `_deleted` BOOLEAN
)
COMMENT '{comment}'
PARTITIONED BY (load_id STRING)
STORED AS PARQUET
LOCATION '{location}'
