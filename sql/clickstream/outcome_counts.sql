-- Per reject reason (empty for valid lines): lines, and distinct event ids (for valid lines, the
-- accepted events; the rest of them are duplicates).
SELECT COALESCE(reject_reason, ''), COUNT(*), COUNT(DISTINCT event_id)
FROM clickstream_staged
GROUP BY 1
