-- The customer 360° benchmark (bench/customer_360_benchmark.py).

-- name: change_tiers
-- The change batch: 1% of the customers move tier (MySQL).
UPDATE customers SET tier = IF(tier = 'platinum', 'bronze', 'platinum') WHERE customer_id % 100 = 7
