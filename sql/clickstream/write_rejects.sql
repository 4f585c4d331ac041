INSERT OVERWRITE DIRECTORY '{location}' USING PARQUET
SELECT reject_reason AS reason, reject_detail AS detail, source_file, line_bytes, raw_line,
       '{source_format}' AS source_format
FROM clickstream_staged
WHERE reject_reason IS NOT NULL
