-- Lines read, counted from the raw files on their own: the other side of the reconciliation.
SELECT COUNT(*) FROM clickstream_lines
