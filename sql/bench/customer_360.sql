-- The customer 360° benchmark (bench/customer_360_benchmark.py).

-- name: drop_database
-- A bench database from an earlier run (Spark SQL).
DROP DATABASE IF EXISTS {database} CASCADE

-- name: change_tiers
-- The change batch: 1% of the customers move tier (MySQL).
UPDATE customers SET tier = IF(tier = 'platinum', 'bronze', 'platinum') WHERE customer_id % 100 = 7
