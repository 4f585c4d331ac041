-- The parse of one run's hours, in one HiveServer2 session on the Spark Thrift Server, in this
-- order (parse.py). Every hour of the run is read, classified, staged and counted in one pass;
-- only the writes of each hour's own version folders and the swaps are per hour.

-- name: settings
-- Per HiveServer2 session, before parsing: a line with a repeated JSON key must not fail the whole
-- query (the map keeps the last value); the reject ladder then rejects it as `duplicate_field`.
SET spark.sql.mapKeyDedupPolicy=LAST_WIN;
-- Hour and day literals, and times without an offset, are UTC whatever the server's default.
SET spark.sql.session.timeZone=UTC

-- name: lines_view
-- The lines of the closed files Flume landed for the run's hours, as listed when the parse started
-- (one `{dt=.../hr=.../a,...}` glob: one scan, so Spark packs small files into few tasks), each with
-- the start of the hour whose bucket it was landed in. A file closing meanwhile waits for the next
-- run, so the classified lines and the recount read the same files. Open files
-- (`_events.<n>.jsonl.tmp`) are never listed.
CREATE OR REPLACE TEMPORARY VIEW clickstream_lines AS
SELECT value, _metadata.file_name AS source_file,
       to_timestamp(concat(regexp_extract(_metadata.file_path, '/dt=([0-9-]+)/hr=([0-9]+)/[^/]+$', 1), ' ',
                           regexp_extract(_metadata.file_path, '/dt=([0-9-]+)/hr=([0-9]+)/[^/]+$', 2)),
                    'yyyy-MM-dd HH') AS hour_start
FROM text.{files}

-- name: no_lines_view
-- No hour of the run has closed landing files: no lines, the same columns as lines_view.
CREATE OR REPLACE TEMPORARY VIEW clickstream_lines AS
SELECT CAST(NULL AS STRING) AS value, CAST(NULL AS STRING) AS source_file, CAST(NULL AS TIMESTAMP) AS hour_start
WHERE FALSE

-- name: stage
-- One pass over the landed lines of every hour: each line's classification, typed columns, reason
-- and hour, written as Parquet next to the run's first hour. The raw text is kept only for rejected
-- lines. Dedupe, the outputs and the counts then read this columnar copy instead of parsing again.
INSERT OVERWRITE DIRECTORY {location} USING PARQUET
SELECT event_id, event_type, event_ts, customer_id, device_id, channel, page, query, product_id,
       category, quantity, order_id, attributes, source_file, line_bytes, reject_reason, reject_detail,
       CASE WHEN reject_reason IS NOT NULL THEN raw_line END AS raw_line, hour_start
FROM clickstream_classified

-- name: outcome
-- The staged lines, and the accepted events among them: per hour, the first copy of each event id
-- (Flume delivers at least once, so later copies are duplicates).
CREATE OR REPLACE TEMPORARY VIEW clickstream_staged AS
SELECT * FROM parquet.{staged};
CREATE OR REPLACE TEMPORARY VIEW clickstream_accepted AS
SELECT * FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY hour_start, event_id ORDER BY source_file, event_ts) AS copy_no
  FROM clickstream_staged
  WHERE reject_reason IS NULL
) copies
WHERE copy_no = 1

-- name: write_events
-- One hour's accepted events, into the hour's new version folder.
INSERT OVERWRITE DIRECTORY {location} USING PARQUET
SELECT event_id, event_type, event_ts, customer_id, device_id, channel, page, query, product_id,
       category, quantity, order_id, attributes, {source_format} AS source_format, source_file
FROM clickstream_accepted
WHERE hour_start = TIMESTAMP {hour_start}

-- name: write_rejects
-- One hour's refused lines, into the hour's new version folder.
INSERT OVERWRITE DIRECTORY {location} USING PARQUET
SELECT reject_reason AS reason, reject_detail AS detail, source_file, line_bytes, raw_line,
       {source_format} AS source_format
FROM clickstream_staged
WHERE reject_reason IS NOT NULL AND hour_start = TIMESTAMP {hour_start}

-- name: outcome_counts
-- Per hour and reject reason (empty for valid lines): lines, and distinct event ids (for valid
-- lines, the accepted events; the rest of them are duplicates).
SELECT date_format(hour_start, 'yyyy-MM-dd-HH:mm'), COALESCE(reject_reason, ''), COUNT(*), COUNT(DISTINCT event_id)
FROM clickstream_staged
GROUP BY 1, 2

-- name: count_lines
-- Lines read per hour, counted from the raw files on their own: the other side of the reconciliation.
SELECT date_format(hour_start, 'yyyy-MM-dd-HH:mm'), COUNT(*) FROM clickstream_lines GROUP BY 1
