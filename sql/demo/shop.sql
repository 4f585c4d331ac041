-- The main job's look at the shop database before it generates one (dataplatform/demo.py).

-- name: orders_count
-- How many orders the shop holds (an error if it has no orders table yet).
SELECT COUNT(*) FROM orders
