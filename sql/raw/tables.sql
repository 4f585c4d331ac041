-- The `raw` database in Hive: one external table per MySQL table over its published loads, and a
-- view of each as the source holds it now. Run through HiveServer2.

-- name: create_database
CREATE DATABASE IF NOT EXISTS {database} COMMENT {comment}

-- name: drop_table
-- External table: dropping it removes only the metastore entry, never the lake files.
DROP TABLE IF EXISTS {table}

-- name: create_external_table
-- All published loads of one MySQL table (Parquet in the lake), one partition per load.
-- `_deleted` marks tombstones of rows gone from the source.
CREATE EXTERNAL TABLE {table} (
{columns},
  `_deleted` BOOLEAN
)
COMMENT {comment}
PARTITIONED BY (load_id STRING)
STORED AS PARQUET
LOCATION {location}

-- name: show_partitions
SHOW PARTITIONS {table}

-- name: add_partition
ALTER TABLE {table} ADD IF NOT EXISTS PARTITION (load_id = {load_id}) LOCATION {location}

-- name: drop_partition
-- External table: the partition's files stay until the importer removes superseded loads.
ALTER TABLE {table} DROP IF EXISTS PARTITION (load_id = {load_id})

-- name: create_current_view
-- The table as the source holds it now: the latest version of each key across the current chain
-- of loads (the latest full load and the incremental ones after it), tombstoned keys left out.
CREATE OR REPLACE VIEW {view} COMMENT {comment} AS
SELECT {column_names}
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY {merge_key} ORDER BY load_id DESC) AS _version
  FROM {table}
  WHERE load_id >= {base_load_id}
) versions
WHERE _version = 1 AND NOT _deleted

-- name: row_count
SELECT COUNT(*) FROM {table}

-- name: view_counts
-- A current view's rows and the keys in it more than once (the asset check expects none), in one
-- pass over the view.
SELECT COALESCE(SUM(n), 0), COUNT_IF(n > 1) FROM (
  SELECT COUNT(*) AS n FROM {view} GROUP BY {merge_key}
) per_key
