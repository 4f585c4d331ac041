-- What DuckDB does in the clickstream benchmark, done by Spark: the landed JSON lines read with an
-- explicit schema and written as Parquet. No validation, rejects, dedupe or counts: the floor of
-- any Spark parse of the same file on the same Thrift Server.

-- name: view
CREATE OR REPLACE TEMPORARY VIEW bench_json_events ({schema})
USING json OPTIONS (path {path}, mode 'PERMISSIVE');

-- name: write
INSERT OVERWRITE DIRECTORY {location} USING PARQUET
SELECT * FROM bench_json_events;

-- name: bare_minimum
-- The bare minimum of the platform's parse (the yardstick of issue 16): the landed lines read as
-- text, parsed with the explicit schema, one row per event id (Spark's dropDuplicates, as SQL),
-- written as Parquet. No validation, reject reasons, counts or publish.
INSERT OVERWRITE DIRECTORY {location} USING PARQUET
SELECT e.event_id, {others}
FROM (SELECT from_json(value, {schema}) AS e FROM text.{lines})
GROUP BY e.event_id
