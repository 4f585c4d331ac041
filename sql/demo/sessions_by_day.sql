-- Sessions (30-minute inactivity gap) per day: how many, how long, how many bought.
SELECT dt AS day, COUNT(*) AS sessions, ROUND(AVG(duration_seconds)) AS avg_seconds,
       ROUND(AVG(events), 1) AS avg_events, SUM(CAST(converted AS INT)) AS converted
FROM {sessions}
WHERE dt IN ({days})
GROUP BY dt
ORDER BY dt
