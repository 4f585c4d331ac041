-- Consecutive sessions of one customer (or device) that start within the gap of the previous
-- one's end: the sessionizer should have merged them. The asset check expects none.
SELECT COUNT(*) FROM (
  SELECT session_start,
         LAG(session_end) OVER (PARTITION BY COALESCE(CAST(customer_id AS STRING), device_id)
                                ORDER BY session_start) AS previous_end
  FROM {database}.sessions
  WHERE dt = '{day}'
) ordered
WHERE previous_end IS NOT NULL AND session_start <= previous_end + INTERVAL {gap_minutes} MINUTES
