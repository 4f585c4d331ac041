-- The customer 360° benchmark (bench/customer_360_benchmark.py).

-- name: views
-- What an earlier run left in a bench database (Spark SQL; the MariaDB metastore refuses
-- DROP DATABASE ... CASCADE, so its tables go one by one).
SHOW VIEWS IN {database}

-- name: tables
SHOW TABLES IN {database}

-- name: drop_view
DROP VIEW IF EXISTS {table}

-- name: drop_table
DROP TABLE IF EXISTS {table}

-- name: change_tiers
-- The change batch: 1% of the customers move tier (MySQL).
UPDATE customers SET tier = IF(tier = 'platinum', 'bronze', 'platinum') WHERE customer_id % 100 = 7

-- name: create_database
CREATE DATABASE IF NOT EXISTS {database}
