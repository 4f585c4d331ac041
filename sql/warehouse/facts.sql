-- The facts (dataplatform_assets/warehouse/facts.py): each order and order line joined to the
-- dimension versions valid when the order was placed, carrying their surrogate keys.

-- name: as_of
-- A dimension's live versions for point-in-time joins. The warehouse's history of a key starts at
-- the first import that saw it: its first version also covers the time before (orders placed
-- before the first import take the key as that import found it).
CREATE OR REPLACE TEMPORARY VIEW {view} AS
SELECT *, IF(ROW_NUMBER() OVER (PARTITION BY {key} ORDER BY valid_from) = 1,
             TIMESTAMP '0001-01-01 00:00:00', valid_from) AS as_of_from
FROM {dimension}
WHERE NOT is_deleted

-- name: fact_orders
INSERT OVERWRITE DIRECTORY {location} USING PARQUET
SELECT o.order_id, o.customer_id, c.customer_sk, o.order_ts, CAST(o.order_ts AS DATE) AS order_date,
       o.status, o.payment_method, o.channel, o.total_amount, o.currency,
       COALESCE(i.lines, 0) AS lines, COALESCE(i.units, 0) AS units, o.updated_at
FROM {orders} o
LEFT JOIN customer_as_of c
  ON c.customer_id = o.customer_id AND o.order_ts >= c.as_of_from AND o.order_ts < c.valid_to
LEFT JOIN (SELECT order_id, COUNT(*) AS lines, SUM(quantity) AS units FROM {order_items} GROUP BY order_id) i
  ON i.order_id = o.order_id

-- name: fact_order_items
INSERT OVERWRITE DIRECTORY {location} USING PARQUET
SELECT i.order_item_id, i.order_id, i.line_no, i.product_id, p.product_sk, o.customer_id, c.customer_sk,
       o.order_ts, CAST(o.order_ts AS DATE) AS order_date, o.status, i.quantity, i.unit_price,
       CAST(i.quantity * i.unit_price AS DECIMAL(14, 2)) AS line_amount
FROM {order_items} i
JOIN {orders} o ON o.order_id = i.order_id
LEFT JOIN product_as_of p
  ON p.product_id = i.product_id AND o.order_ts >= p.as_of_from AND o.order_ts < p.valid_to
LEFT JOIN customer_as_of c
  ON c.customer_id = o.customer_id AND o.order_ts >= c.as_of_from AND o.order_ts < c.valid_to

-- name: unmatched_orders
-- Fact rows that found no dimension version (the asset check expects none).
SELECT COUNT(*), COUNT_IF(customer_sk IS NULL) FROM {fact}

-- name: unmatched_order_items
SELECT COUNT(*), COUNT_IF(customer_sk IS NULL OR product_sk IS NULL) FROM {fact}
