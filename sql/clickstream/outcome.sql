-- Each classified line's fate: rejected (it has a reason), accepted (the first copy of an event id)
-- or duplicate (a later copy: Flume delivers at least once). Cached, since the accepted rows, the
-- rejects and the counts are all read from it.
CACHE TABLE clickstream_outcome OPTIONS ('storageLevel' 'MEMORY_AND_DISK') AS
SELECT *,
       CASE WHEN reject_reason IS NOT NULL THEN 'rejected'
            WHEN ROW_NUMBER() OVER (PARTITION BY CASE WHEN reject_reason IS NULL THEN event_id END
                                    ORDER BY source_file, raw_line) = 1 THEN 'accepted'
            ELSE 'duplicate'
       END AS outcome
FROM clickstream_classified
