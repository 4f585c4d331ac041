-- Lines the parser quarantined on the demo day, by reason (the generator mixes in bad ones).
SELECT reason, COUNT(*) AS lines, MAX(line_bytes) AS longest_line_bytes
FROM {rejects}
WHERE dt IN ({days})
GROUP BY reason
ORDER BY lines DESC
