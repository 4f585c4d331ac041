-- What DuckDB does in the clickstream benchmark, done by Spark: the landed JSON lines read with an
-- explicit schema and written as Parquet. No validation, rejects, dedupe or counts: the floor of
-- any Spark parse of the same file on the same Thrift Server.

-- name: view
CREATE OR REPLACE TEMPORARY VIEW bench_json_events ({schema})
USING json OPTIONS (path {path}, mode 'PERMISSIVE');

-- name: write
INSERT OVERWRITE DIRECTORY {location} USING PARQUET
SELECT * FROM bench_json_events;
