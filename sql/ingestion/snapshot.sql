-- Source-side statements of one import (MySQL / MariaDB). Placeholders in {braces} are
-- identifiers and predicates the importer builds from the table's contract; values go as %s.

-- name: begin_snapshot
-- Every read of one import sees the same consistent InnoDB snapshot.
START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY;

-- name: upper_bound
-- The incremental window's upper bound, captured inside the snapshot at the start of the run.
SELECT MAX(`{check}`) FROM `{table}` WHERE {where};

-- name: chunk_checksums
-- Rows and an order-independent 64-bit hash of their contents per key chunk: a chunk whose figures
-- changed since the last load is read again whole, whatever its check column says.
SELECT FLOOR(`{key}` / {chunk_rows}) AS chunk, COUNT(*) AS row_count,
       BIT_XOR(CAST(CONV(LEFT(MD5(CONCAT_WS('|', {hashed})), 16), 16, 10) AS UNSIGNED)) AS content_hash
FROM `{table}` WHERE {where}
GROUP BY chunk;

-- name: key_range
-- Bounds of the split column within the selection: Spark's JDBC engine cuts its parallel reads on it.
SELECT MIN(`{key}`), MAX(`{key}`) FROM `{table}` WHERE {where};

-- name: count_rows
SELECT COUNT(*) FROM `{table}` WHERE {where};

-- name: select_rows
SELECT {columns} FROM `{table}` WHERE {where};
