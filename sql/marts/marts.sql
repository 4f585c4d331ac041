-- The marts (dataplatform_assets/marts/assets.py): what the business asks, from the warehouse and
-- the curated clickstream. Revenue leaves out cancelled and returned orders.

-- name: daily_sales
-- Orders, units, revenue and average order value by day and by the product category valid when
-- the order was placed.
INSERT OVERWRITE DIRECTORY {location} USING PARQUET
SELECT f.order_date, p.category, COUNT(DISTINCT f.order_id) AS orders, SUM(f.quantity) AS units,
       SUM(f.line_amount) AS revenue,
       CAST(SUM(f.line_amount) / COUNT(DISTINCT f.order_id) AS DECIMAL(14, 2)) AS avg_order_value
FROM {fact_order_items} f
JOIN {dim_product} p ON p.product_sk = f.product_sk
WHERE f.status NOT IN ('cancelled', 'returned')
GROUP BY f.order_date, p.category

-- name: funnel_daily
-- Sessions by start day and feed, and how many of them reached each step: a product view, a
-- cart, a checkout, a purchase. Sessions built before they carried their feed count under
-- `source_format` NULL.
INSERT OVERWRITE DIRECTORY {location} USING PARQUET
SELECT CAST(dt AS DATE) AS day, COUNT(*) AS sessions, COUNT_IF(products_viewed > 0) AS with_product_view,
       COUNT_IF(cart_adds > 0) AS with_cart, COUNT_IF(checkouts > 0) AS with_checkout,
       COUNT_IF(converted) AS with_purchase, source_format
FROM {sessions}
GROUP BY dt, source_format

-- name: product_performance
-- Each product as it is now, with what it sold (any category it had) and how often it was viewed
-- and put in a cart.
INSERT OVERWRITE DIRECTORY {location} USING PARQUET
SELECT p.product_id, p.sku, p.name, p.category, p.brand, p.price, p.currency,
       COALESCE(s.orders, 0) AS orders, COALESCE(s.units, 0) AS units,
       COALESCE(s.revenue, CAST(0 AS DECIMAL(24, 2))) AS revenue,
       COALESCE(v.views, 0) AS views, COALESCE(v.cart_adds, 0) AS cart_adds,
       IF(COALESCE(v.views, 0) > 0, COALESCE(s.orders, 0) / v.views, NULL) AS orders_per_view
FROM {dim_product} p
LEFT JOIN (SELECT product_id, COUNT(DISTINCT order_id) AS orders, SUM(quantity) AS units, SUM(line_amount) AS revenue
           FROM {fact_order_items} WHERE status NOT IN ('cancelled', 'returned') GROUP BY product_id) s
  ON s.product_id = p.product_id
LEFT JOIN (SELECT product_id, COUNT_IF(event_type = 'product_view') AS views,
                  COUNT_IF(event_type = 'add_to_cart') AS cart_adds
           FROM {events} WHERE product_id IS NOT NULL GROUP BY product_id) v
  ON v.product_id = p.product_id
WHERE p.is_current AND NOT p.is_deleted

-- name: customer_segments
-- RFM as of the latest order day: recency (days since the customer's last order), frequency
-- (orders) and monetary value (revenue), each scored 1-5 by quintile (5 is best), a segment from
-- the scores, and the loyalty tier valid when the customer last ordered.
INSERT OVERWRITE DIRECTORY {location} USING PARQUET
WITH per_customer AS (
  SELECT customer_id, MAX(order_ts) AS last_order_ts, COUNT(*) AS orders, SUM(total_amount) AS revenue,
         MAX_BY(customer_sk, order_ts) AS last_order_sk
  FROM {fact_orders}
  WHERE status NOT IN ('cancelled', 'returned')
  GROUP BY customer_id
), scored AS (
  SELECT c.*, datediff(MAX(CAST(last_order_ts AS DATE)) OVER (), CAST(last_order_ts AS DATE)) AS recency_days,
         NTILE(5) OVER (ORDER BY last_order_ts, customer_id) AS r_score,
         NTILE(5) OVER (ORDER BY orders, customer_id) AS f_score,
         NTILE(5) OVER (ORDER BY revenue, customer_id) AS m_score
  FROM per_customer c
)
SELECT s.customer_id, d.tier AS tier_at_last_order, s.recency_days, s.orders, s.revenue,
       s.r_score, s.f_score, s.m_score,
       CASE WHEN s.r_score >= 4 AND s.f_score >= 4 AND s.m_score >= 4 THEN 'champions'
            WHEN s.r_score >= 3 AND s.f_score >= 3 THEN 'loyal'
            WHEN s.r_score >= 4 THEN 'recent'
            WHEN s.f_score >= 3 THEN 'at_risk'
            WHEN s.r_score <= 2 THEN 'hibernating'
            ELSE 'promising' END AS segment
FROM scored s
LEFT JOIN {dim_customer} d ON d.customer_sk = s.last_order_sk

-- name: sales_totals
-- The daily sales mart's revenue against the facts it was built from (they must agree).
SELECT (SELECT SUM(revenue) FROM {daily_sales}),
       (SELECT SUM(line_amount) FROM {fact_order_items} WHERE status NOT IN ('cancelled', 'returned'))
