-- Source-side statements of one import (MySQL / MariaDB), and the predicates that choose its rows
-- (dataplatform_assets/ingestion/selection.py). Values the source decides go as %s parameters.

-- name: begin_snapshot
-- Every read of one import sees the same consistent InnoDB snapshot.
START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY;

-- name: snapshot_time
-- When the snapshot was taken, by the source's clock (UTC): the load's place on the warehouse's
-- time axis (an SCD-2 version opened by this load is valid from here).
SELECT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ');

-- name: upper_bound
-- The incremental window's upper bound, captured inside the snapshot at the start of the run.
SELECT MAX({check}) FROM {table} WHERE {where};

-- name: chunk_checksums
-- Rows and an order-independent 64-bit hash of their contents per key chunk: a chunk whose figures
-- changed since the last load is read again whole, whatever its check column says.
SELECT FLOOR({key} / {chunk_rows}) AS chunk, COUNT(*) AS row_count,
       BIT_XOR(CAST(CONV(LEFT(MD5(CONCAT_WS('|', {hashed})), 16), 16, 10) AS UNSIGNED)) AS content_hash
FROM {table} WHERE {where}
GROUP BY chunk;

-- name: key_range
-- Bounds of the split column within the selection: Spark's JDBC engine cuts its parallel reads on
-- it. Only a stride: rows outside the bounds are still read (by the first and last partitions).
SELECT MIN({key}), MAX({key}) FROM ({selection}) AS selection;

-- name: key_batch
-- One bounded read of the selection: the keys in [low, high). The derived table is merged into
-- the outer query, so the read is a range scan of the key.
SELECT * FROM ({selection}) AS selection WHERE {key} >= {low} AND {key} < {high};

-- name: count_rows
SELECT COUNT(*) FROM {table} WHERE {where};

-- name: select_rows
SELECT {columns} FROM {table} WHERE {where};

-- name: hashed_column
-- One column's part of a chunk's content hash: NULL and '' must differ (CONCAT_WS skips NULLs).
COALESCE(CAST({column} AS CHAR), '\\N')

-- name: everything
TRUE

-- name: nothing
FALSE

-- name: filtered
-- The contract's filter (`where`), kept whole.
({filter})

-- name: up_to
-- The first incremental window: everything up to the upper bound.
{check} <= %s

-- name: window
-- The incremental window: past the last load's watermark, up to this load's upper bound.
({check} > %s AND {check} <= %s)

-- name: or_changed_chunks
-- ... plus every row of the key chunks whose checksums changed since the last load.
{window} OR FLOOR({key} / {chunk_rows}) IN ({chunks})

-- name: incremental_selection
{base} AND ({window})

-- name: changed_keys
-- The keys the binary log saw change since the last load (binlog capture).
{key} IN ({keys})
