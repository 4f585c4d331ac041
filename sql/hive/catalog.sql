-- What the metastore knows of a table, through HiveServer2 (resources/hive.py).

-- name: show_database
SHOW DATABASES LIKE {database_pattern}

-- name: show_table
SHOW TABLES IN {database} LIKE {table_pattern}

-- name: add_columns
-- Columns a table gained after it was made (older files read them as NULL).
ALTER TABLE {table} ADD COLUMNS ({columns})

-- name: describe_table
-- Columns, then (after an empty or `#` row) partition and storage details.
DESCRIBE FORMATTED {table}

-- name: describe_files
-- The columns of Parquet files not yet behind any table (a version about to be swapped in).
DESCRIBE QUERY SELECT * FROM parquet.{files}

-- name: create_database
CREATE DATABASE IF NOT EXISTS {database}

-- name: show_views
SHOW VIEWS IN {database}

-- name: show_tables
SHOW TABLES IN {database}

-- name: drop_view
DROP VIEW IF EXISTS {table}

-- name: drop_table
DROP TABLE IF EXISTS {table}
