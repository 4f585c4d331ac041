-- The lines of the closed files Flume landed for one hour, as listed when the parse started
-- (`{{a,b}}` glob): a file closing meanwhile waits for the next run, so the classified lines and
-- the recount read the same files. Open files (`_events.<n>.jsonl.tmp`) are never listed.
CREATE OR REPLACE TEMPORARY VIEW clickstream_lines AS
SELECT value, _metadata.file_name AS source_file
FROM text.`{landing_path}/{{{files}}}`
