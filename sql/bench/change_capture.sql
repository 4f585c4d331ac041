-- The change capture benchmark's source side (bench/change_capture_benchmark.py), on its own copy
-- of `orders` (no foreign keys: the copy is grown by re-keying its rows).

-- name: create_copy
CREATE TABLE IF NOT EXISTS {copy} LIKE {source};

-- name: drop_copy
DROP TABLE IF EXISTS {copy};

-- name: fill_copy
INSERT INTO {copy} SELECT * FROM {source};

-- name: grow_copy
-- Another copy of the first {rows} rows under new keys.
INSERT INTO {copy}
SELECT order_id + {offset}, customer_id, order_ts, status, payment_method, channel, total_amount, currency,
       created_at, updated_at
FROM {copy} WHERE order_id <= {rows};

-- name: key_span
SELECT MIN(order_id), MAX(order_id), COUNT(*), MAX(updated_at) FROM {copy};

-- name: update_keys
-- An ordinary change: a new status, stamped now.
UPDATE {copy} SET status = 'shipped', updated_at = UTC_TIMESTAMP(6) WHERE order_id IN ({keys});

-- name: backdate_keys
-- A change a check column cannot see: the timestamp moves into the past.
UPDATE {copy} SET status = 'returned', updated_at = updated_at - INTERVAL 30 DAY WHERE order_id IN ({keys});

-- name: delete_keys
DELETE FROM {copy} WHERE order_id IN ({keys});

-- name: insert_rows
-- New orders, copies of existing ones under keys past the highest.
INSERT INTO {copy}
SELECT order_id + {offset}, customer_id, UTC_TIMESTAMP(6), 'placed', payment_method, channel, total_amount,
       currency, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)
FROM {copy} WHERE order_id IN ({keys});
