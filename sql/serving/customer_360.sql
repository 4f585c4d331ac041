-- The customer 360° view (dataplatform_assets/serving/): every live customer's profile, order
-- figures and recent activity, computed in the lake, then written to HBase where they changed.
-- Times inside the JSON lists are ISO 8601 UTC with milliseconds, as in the HBase cells.

-- name: as_of
-- How current each input is: the latest change of the customer dimension, of an order, of a
-- session. The greatest of the three is the run's watermark (the cells' timestamp); the 30- and
-- 90-day order figures end at the latest order change.
SELECT (SELECT MAX(GREATEST(valid_from, loaded_at)) FROM {dim_customer}),
       (SELECT MAX(updated_at) FROM {fact_orders}),
       (SELECT MAX(session_end) FROM {sessions})

-- name: values
-- One row per current, non-deleted customer, with a hash of everything the HBase row holds.
INSERT OVERWRITE DIRECTORY {location} USING PARQUET
WITH history AS (
  SELECT customer_id, COUNT(*) AS versions,
         to_json(transform(slice(sort_array(collect_list(struct(valid_from, is_deleted, email, tier, status, city,
                                                                country)), false), 1, {history_size}),
                           v -> named_struct('valid_from', date_format(v.valid_from, "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"),
                                             'deleted', v.is_deleted, 'email', v.email, 'tier', v.tier,
                                             'status', v.status, 'city', v.city, 'country', v.country))) AS history
  FROM {dim_customer}
  GROUP BY customer_id
), orders AS (
  SELECT customer_id, COUNT(*) AS orders, COUNT_IF(kept) AS kept_orders,
         CAST(COALESCE(SUM(IF(kept, total_amount, 0)), 0) AS DECIMAL(14, 2)) AS revenue,
         MIN(order_ts) AS first_order_ts, MAX(order_ts) AS last_order_ts,
         COUNT_IF(kept AND order_ts > TIMESTAMP {orders_as_of} - INTERVAL 30 DAYS) AS orders_30d,
         CAST(SUM(IF(kept AND order_ts > TIMESTAMP {orders_as_of} - INTERVAL 30 DAYS, total_amount, 0)) AS DECIMAL(14, 2)) AS revenue_30d,
         COUNT_IF(kept AND order_ts > TIMESTAMP {orders_as_of} - INTERVAL 90 DAYS) AS orders_90d,
         CAST(SUM(IF(kept AND order_ts > TIMESTAMP {orders_as_of} - INTERVAL 90 DAYS, total_amount, 0)) AS DECIMAL(14, 2)) AS revenue_90d,
         to_json(transform(slice(sort_array(collect_list(struct(order_ts, order_id, status, total_amount, currency,
                                                                units)), false), 1, {recent_orders}),
                           o -> named_struct('order_ts', date_format(o.order_ts, "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"),
                                             'order_id', o.order_id, 'status', o.status,
                                             'total_amount', CAST(o.total_amount AS STRING),
                                             'currency', o.currency, 'units', o.units))) AS recent_orders
  FROM (SELECT *, status NOT IN ('cancelled', 'returned') AS kept FROM {fact_orders})
  GROUP BY customer_id
), visits AS (
  SELECT customer_id, COUNT(*) AS sessions, MAX(session_end) AS last_seen,
         COUNT(DISTINCT device_id) AS devices, COUNT_IF(products_viewed > 0) AS sessions_with_product_view,
         COUNT_IF(cart_adds > 0) AS sessions_with_cart, COUNT_IF(checkouts > 0) AS sessions_with_checkout,
         COUNT_IF(converted) AS sessions_converted
  FROM {sessions}
  WHERE customer_id IS NOT NULL
  GROUP BY customer_id
), latest_events AS (
  SELECT customer_id, event_ts, event_type, page, product_id, query, order_id
  FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY event_ts DESC, event_id DESC) AS newest
        FROM {events} WHERE customer_id IS NOT NULL)
  WHERE newest <= {recent_events}
), activity AS (
  SELECT customer_id,
         to_json(transform(sort_array(collect_list(struct(event_ts, event_type, page, product_id, query, order_id)),
                                      false),
                           e -> named_struct('event_ts', date_format(e.event_ts, "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"),
                                             'event_type', e.event_type, 'page', e.page, 'product_id', e.product_id,
                                             'query', e.query, 'order_id', e.order_id))) AS recent_events
  FROM latest_events
  GROUP BY customer_id
), assembled AS (
  SELECT c.customer_id,
         concat(substr(md5(CAST(c.customer_id AS STRING)), 1, 4), '|', CAST(c.customer_id AS STRING)) AS row_key,
         c.customer_sk, c.valid_from, c.email, c.first_name, c.last_name, c.phone, c.city, c.state, c.country,
         c.tier, c.status, CAST(c.marketing_opt_in AS BOOLEAN) AS marketing_opt_in, c.created_at,
         h.versions, h.history,
         COALESCE(o.orders, 0) AS orders, COALESCE(o.kept_orders, 0) AS kept_orders,
         COALESCE(o.revenue, CAST(0 AS DECIMAL(14, 2))) AS revenue,
         CAST(IF(o.kept_orders > 0, o.revenue / o.kept_orders, NULL) AS DECIMAL(14, 2)) AS aov,
         o.first_order_ts, o.last_order_ts,
         COALESCE(o.orders_30d, 0) AS orders_30d, COALESCE(o.revenue_30d, CAST(0 AS DECIMAL(14, 2))) AS revenue_30d,
         COALESCE(o.orders_90d, 0) AS orders_90d, COALESCE(o.revenue_90d, CAST(0 AS DECIMAL(14, 2))) AS revenue_90d,
         COALESCE(v.sessions, 0) AS sessions, v.last_seen, COALESCE(v.devices, 0) AS devices,
         COALESCE(v.sessions_with_product_view, 0) AS sessions_with_product_view,
         COALESCE(v.sessions_with_cart, 0) AS sessions_with_cart,
         COALESCE(v.sessions_with_checkout, 0) AS sessions_with_checkout,
         COALESCE(v.sessions_converted, 0) AS sessions_converted,
         COALESCE(o.recent_orders, '[]') AS recent_orders, COALESCE(a.recent_events, '[]') AS recent_events
  FROM {dim_customer} c
  JOIN history h ON h.customer_id = c.customer_id
  LEFT JOIN orders o ON o.customer_id = c.customer_id
  LEFT JOIN visits v ON v.customer_id = c.customer_id
  LEFT JOIN activity a ON a.customer_id = c.customer_id
  WHERE c.is_current AND NOT c.is_deleted
)
SELECT *, sha2(to_json(struct(*)), 256) AS content_hash
FROM assembled

-- name: computed
-- The values this run computed (not published yet).
CREATE OR REPLACE TEMPORARY VIEW computed_360 USING PARQUET OPTIONS (path {location})

-- name: previous
-- The customers as the last refresh wrote them (the published mirror), or none on the first run.
CREATE OR REPLACE TEMPORARY VIEW previous_360 AS
SELECT customer_id, row_key, email, content_hash FROM {mirror}

-- name: no_previous
CREATE OR REPLACE TEMPORARY VIEW previous_360 AS
SELECT customer_id, row_key, email, content_hash FROM computed_360 WHERE false

-- name: changed
-- Customers whose values differ from what the last refresh wrote (every customer on a full
-- rebuild), with the e-mail address the index holds for them.
INSERT OVERWRITE DIRECTORY {location} USING PARQUET
SELECT n.*, p.email AS previous_email
FROM computed_360 n
LEFT JOIN previous_360 p ON p.customer_id = n.customer_id
WHERE {everyone} OR p.content_hash IS NULL OR p.content_hash <> n.content_hash

-- name: removed
-- Customers the last refresh wrote who are no longer current (deleted in the shop).
INSERT OVERWRITE DIRECTORY {location} USING PARQUET
SELECT p.customer_id, p.row_key, p.email
FROM previous_360 p
LEFT ANTI JOIN computed_360 n ON n.customer_id = p.customer_id

-- name: live_customers
-- What the HBase table must hold: the current, non-deleted customers (the row-count check).
SELECT COUNT(*) FROM {dim_customer} WHERE is_current AND NOT is_deleted

-- name: sample
-- A random sample of the published mirror, to compare field by field with HBase.
SELECT * FROM {mirror} ORDER BY rand() LIMIT {size}

-- name: showcase
-- A customer worth showing: the most visits, then the most orders (the demo prints them).
SELECT customer_id FROM {mirror} ORDER BY sessions DESC, orders DESC, customer_id LIMIT 1
