-- The demo day's clickstream by event type and channel: parsed by Spark, deduplicated, in UTC.
SELECT event_type, channel, COUNT(*) AS events, COUNT(DISTINCT customer_id) AS customers
FROM {events}
WHERE dt IN ({days})
GROUP BY event_type, channel
ORDER BY events DESC
