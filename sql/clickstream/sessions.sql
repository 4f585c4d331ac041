-- Sessions: a customer's (or an anonymous device's) visits, built per day from the curated events.

-- name: build
-- Sessions starting on `day` (UTC): a customer's events (or an anonymous device's) of one feed
-- (`source_format`: a visit on the app and one on the web site are two sessions) with no pause
-- over `gap_minutes`. Events from that long before the day decide whether an early event continues
-- an earlier session; events up to the end of the next day finish sessions that run past midnight.
INSERT OVERWRITE DIRECTORY {location} USING PARQUET
WITH events AS (
  SELECT *, concat(COALESCE(source_format, ''), '|',
                    CASE WHEN customer_id IS NOT NULL THEN concat('c:', customer_id)
                         ELSE concat('d:', device_id) END) AS actor
  FROM {events}
  WHERE dt BETWEEN date_sub({day}, 1) AND date_add({day}, 1)
    AND event_ts >= TIMESTAMP {day} - INTERVAL {gap_minutes} MINUTES
    AND event_ts < TIMESTAMP {day} + INTERVAL 2 DAYS
), marked AS (
  SELECT *, CASE WHEN event_ts <= LAG(event_ts) OVER w + INTERVAL {gap_minutes} MINUTES THEN 0 ELSE 1 END AS starts
  FROM events
  WINDOW w AS (PARTITION BY actor ORDER BY event_ts, event_id)
), numbered AS (
  SELECT *, SUM(starts) OVER (PARTITION BY actor ORDER BY event_ts, event_id
                              ROWS UNBOUNDED PRECEDING) AS session_no
  FROM marked
), sessions AS (
  SELECT actor, session_no,
         MIN(event_ts) AS session_start, MAX(event_ts) AS session_end,
         MAX(customer_id) AS customer_id,
         MIN_BY(device_id, event_ts) AS device_id, MIN_BY(channel, event_ts) AS channel,
         COUNT(*) AS events,
         COUNT_IF(event_type = 'page_view') AS page_views,
         COUNT(DISTINCT CASE WHEN event_type = 'product_view' THEN product_id END) AS products_viewed,
         COUNT_IF(event_type = 'add_to_cart') AS cart_adds,
         COUNT_IF(event_type = 'checkout_start') AS checkouts,
         MAX(order_id) AS order_id, MAX(source_format) AS source_format
  FROM numbered
  GROUP BY actor, session_no
)
SELECT sha2(concat(actor, '|', CAST(session_start AS STRING)), 256) AS session_id,
       customer_id, device_id, channel, session_start, session_end,
       unix_timestamp(session_end) - unix_timestamp(session_start) AS duration_seconds,
       events, page_views, products_viewed, cart_adds, order_id IS NOT NULL AS converted, order_id, checkouts,
       source_format
FROM sessions
WHERE session_start >= TIMESTAMP {day} AND session_start < TIMESTAMP {day} + INTERVAL 1 DAY

-- name: gap_violations
-- Consecutive sessions of one customer (or device) that start within the gap of the previous
-- one's end: the sessionizer should have merged them. The asset check expects none.
SELECT COUNT(*) FROM (
  SELECT session_start,
         LAG(session_end) OVER (PARTITION BY source_format, COALESCE(CAST(customer_id AS STRING), device_id)
                                ORDER BY session_start) AS previous_end
  FROM {sessions}
  WHERE dt = {day}
) ordered
WHERE previous_end IS NOT NULL AND session_start <= previous_end + INTERVAL {gap_minutes} MINUTES
