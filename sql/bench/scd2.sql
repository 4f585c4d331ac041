-- The warehouse benchmark's synthetic customer loads (bench/warehouse_benchmark.py), written by
-- Spark on the Thrift Server in the layout of the import's loads, and the plain copy it compares with.

-- name: full_ids
CREATE OR REPLACE TEMPORARY VIEW bench_ids AS
SELECT id, 0 AS shift, FALSE AS deleted FROM range(1, {rows} + 1)

-- name: change_ids
-- 1% of the keys change their tier, 0.1% are deleted (tombstones), 0.1% are new.
CREATE OR REPLACE TEMPORARY VIEW bench_ids AS
SELECT id, 1 AS shift, FALSE AS deleted FROM range(1, {rows} + 1) WHERE id % 100 = 0
UNION ALL SELECT id, 0, TRUE FROM range(1, {rows} + 1) WHERE id % 1000 = 1
UNION ALL SELECT id, 0, FALSE FROM range({rows} + 1, {rows} + {rows} / 1000 + 1)

-- name: write_load
INSERT OVERWRITE DIRECTORY {location} USING PARQUET
SELECT id AS customer_id, concat('c', id, '@example.com') AS email, concat('First', id % 997) AS first_name,
       concat('Last', id % 991) AS last_name, CAST(NULL AS STRING) AS phone,
       concat(id % 500, ' Main Street') AS street, concat('City', id % 300) AS city, concat('S', id % 50) AS state,
       lpad(CAST(id % 99999 AS STRING), 5, '0') AS postal_code, 'DE' AS country,
       element_at(array('bronze', 'silver', 'gold', 'platinum'), CAST((id + shift) % 4 AS INT) + 1) AS tier,
       'active' AS status, id % 2 = 0 AS marketing_opt_in, TIMESTAMP '2025-01-01 00:00:00' AS created_at,
       TIMESTAMP '2025-01-01 00:00:00' + make_interval(0, 0, 0, 0, 0, 0, shift) AS updated_at, deleted AS _deleted
FROM bench_ids

-- name: create_raw_table
CREATE EXTERNAL TABLE {table} (
  customer_id BIGINT, email STRING, first_name STRING, last_name STRING, phone STRING, street STRING,
  city STRING, state STRING, postal_code STRING, country STRING, tier STRING, status STRING,
  marketing_opt_in BOOLEAN, created_at TIMESTAMP, updated_at TIMESTAMP, `_deleted` BOOLEAN
)
PARTITIONED BY (load_id STRING)
STORED AS PARQUET
LOCATION {location}

-- name: plain_copy
-- The floor of any rewrite of the dimension: copy it as it is.
CREATE TABLE {copy} USING PARQUET LOCATION {location} AS SELECT * FROM {dimension}
