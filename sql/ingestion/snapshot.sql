-- name: begin_snapshot
-- Every read of one import sees the same consistent InnoDB snapshot.
START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY;

-- name: count_rows
SELECT COUNT(*) FROM `{table}`;

-- name: select_all
SELECT {columns} FROM `{table}`;
