SELECT outcome, COALESCE(reject_reason, ''), COUNT(*)
FROM clickstream_outcome
GROUP BY 1, 2
