-- Asset checks of the SCD-2 dimensions (dataplatform_assets/warehouse/assets.py).

-- name: keys_without_one_current_row
SELECT COUNT(*) FROM (
  SELECT {key} FROM {dimension} GROUP BY {key} HAVING SUM(IF(is_current, 1, 0)) <> 1
) wrong

-- name: broken_intervals
-- Per key, each version ends where the next begins, only the last is current and ends in the far future.
SELECT COUNT(*) FROM (
  SELECT valid_from, valid_to, is_current, LEAD(valid_from) OVER (PARTITION BY {key} ORDER BY valid_from) AS next_from
  FROM {dimension}
) v
WHERE valid_from >= valid_to
   OR (next_from IS NULL) <> is_current
   OR (next_from IS NOT NULL AND valid_to <> next_from)
   OR (next_from IS NULL AND valid_to <> TIMESTAMP '9999-12-31 00:00:00')

-- name: differs_from_source
-- Rows of the source's current view (as of the latest load) that the dimension's live current
-- versions do not hold, and the other way round: zero when they agree on every column.
SELECT
  (SELECT COUNT(*) FROM (SELECT {columns} FROM {source} EXCEPT ALL
                         SELECT {columns} FROM {dimension} WHERE is_current AND NOT is_deleted) a),
  (SELECT COUNT(*) FROM (SELECT {columns} FROM {dimension} WHERE is_current AND NOT is_deleted EXCEPT ALL
                         SELECT {columns} FROM {source}) b)

-- name: version_counts
SELECT COUNT(*), SUM(IF(is_current AND NOT is_deleted, 1, 0)), SUM(IF(is_deleted AND is_current, 1, 0))
FROM {dimension}
