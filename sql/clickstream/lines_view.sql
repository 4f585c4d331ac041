-- The lines of every closed file Flume landed for one hour. Spark skips names starting with `_`
-- or `.`, so files still open (`_events.<n>.jsonl.tmp`) are never read half-written.
CREATE OR REPLACE TEMPORARY VIEW clickstream_lines AS
SELECT value, _metadata.file_name AS source_file
FROM text.`{landing_path}`
