-- The demo's closing queries, run through HiveServer2 in this order (dataplatform/demo.py).

-- name: raw_row_counts
-- How many rows each raw table holds, read through HiveServer2.
SELECT concat({raw_name}, '.mysql_customers_current') AS table_name, COUNT(*) AS row_count FROM {raw}.mysql_customers_current
UNION ALL SELECT concat({raw_name}, '.mysql_products_current'), COUNT(*) FROM {raw}.mysql_products_current
UNION ALL SELECT concat({raw_name}, '.mysql_orders_current'), COUNT(*) FROM {raw}.mysql_orders_current
UNION ALL SELECT concat({raw_name}, '.mysql_order_items_current'), COUNT(*) FROM {raw}.mysql_order_items_current

-- name: dimension_versions
-- The SCD-2 dimensions: versions kept, keys live now, keys deleted in the source.
SELECT 'dim_customer' AS dimension, COUNT(*) AS versions, SUM(IF(is_current AND NOT is_deleted, 1, 0)) AS live_keys,
       SUM(IF(is_current AND is_deleted, 1, 0)) AS deleted_keys
FROM {warehouse}.dim_customer
UNION ALL
SELECT 'dim_product', COUNT(*), SUM(IF(is_current AND NOT is_deleted, 1, 0)), SUM(IF(is_current AND is_deleted, 1, 0))
FROM {warehouse}.dim_product

-- name: top_customers
-- The five customers with the highest revenue from orders that were not cancelled or returned.
SELECT c.customer_id, c.first_name, c.last_name, c.city, c.tier,
       COUNT(*) AS orders, SUM(o.total_amount) AS revenue, MAX(o.order_ts) AS last_order
FROM {raw}.mysql_orders_current o
JOIN {raw}.mysql_customers_current c ON c.customer_id = o.customer_id
WHERE o.status NOT IN ('cancelled', 'returned')
GROUP BY c.customer_id, c.first_name, c.last_name, c.city, c.tier
ORDER BY revenue DESC
LIMIT 5

-- name: category_sales
-- Revenue and units per product category over the whole history (marts.daily_sales: the category
-- valid when each order was placed; cancelled and returned orders left out).
SELECT category, SUM(units) AS units, SUM(revenue) AS revenue, SUM(orders) AS orders
FROM {marts}.daily_sales
GROUP BY category
ORDER BY revenue DESC

-- name: customer_segments
-- Customers per RFM segment, with what they spent.
SELECT segment, COUNT(*) AS customers, ROUND(AVG(orders), 1) AS avg_orders, SUM(revenue) AS revenue
FROM {marts}.customer_segments
GROUP BY segment
ORDER BY revenue DESC

-- name: clickstream_funnel
-- The demo day's clickstream by event type and channel: parsed by Spark, deduplicated, in UTC.
SELECT event_type, channel, COUNT(*) AS events, COUNT(DISTINCT customer_id) AS customers
FROM {events}
WHERE dt IN ({days})
GROUP BY event_type, channel
ORDER BY events DESC

-- name: clickstream_rejects
-- Lines the parser quarantined on the demo day, by reason (the generator mixes in bad ones).
SELECT reason, COUNT(*) AS lines, MAX(line_bytes) AS longest_line_bytes
FROM {rejects}
WHERE dt IN ({days})
GROUP BY reason
ORDER BY lines DESC

-- name: funnel_by_day
-- The demo days' sessions per feed and how many reached each step (marts.funnel_daily).
SELECT day, source_format AS feed, sessions, with_product_view, with_cart, with_checkout, with_purchase
FROM {marts}.funnel_daily
WHERE day IN ({days})
ORDER BY day, feed

-- name: sessions_by_day
-- Sessions (30-minute inactivity gap) per day: how many, how long, how many bought.
SELECT dt AS day, COUNT(*) AS sessions, ROUND(AVG(duration_seconds)) AS avg_seconds,
       ROUND(AVG(events), 1) AS avg_events, SUM(CAST(converted AS INT)) AS converted
FROM {sessions}
WHERE dt IN ({days})
GROUP BY dt
ORDER BY dt
