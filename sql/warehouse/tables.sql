-- The warehouse's and the marts' tables: each points at one published version folder of its
-- data; a new version is written beside it and swapped in with one metastore call
-- (dataplatform_assets/warehouse/publish.py).

-- name: create_database
CREATE DATABASE IF NOT EXISTS {database} COMMENT {comment}

-- name: create_table
-- The table over its first published version; later versions are swapped in with set_location.
CREATE TABLE IF NOT EXISTS {table} USING PARQUET LOCATION {location} COMMENT {comment}

-- name: set_location
ALTER TABLE {table} SET LOCATION {location}

-- name: refresh
REFRESH TABLE {table}

-- name: row_count
SELECT COUNT(*) FROM {table}
