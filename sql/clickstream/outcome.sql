-- The staged lines of one hour, and the accepted events among them: the first copy of each event
-- id (Flume delivers at least once, so later copies are duplicates).
CREATE OR REPLACE TEMPORARY VIEW clickstream_staged AS
SELECT * FROM parquet.`{staged}`;
CREATE OR REPLACE TEMPORARY VIEW clickstream_accepted AS
SELECT * FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY source_file, event_ts) AS copy_no
  FROM clickstream_staged
  WHERE reject_reason IS NULL
) copies
WHERE copy_no = 1
