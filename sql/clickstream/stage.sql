-- One pass over the landed JSON: every line's classification, typed columns and reason, written
-- as Parquet next to the partition. The raw text is kept only for rejected lines. Dedupe, the
-- outputs and the counts then read this columnar copy instead of parsing the JSON again.
INSERT OVERWRITE DIRECTORY '{location}' USING PARQUET
SELECT event_id, event_type, event_ts, customer_id, device_id, channel, page, query, product_id,
       category, quantity, order_id, attributes, source_file, line_bytes, reject_reason, reject_detail,
       CASE WHEN reject_reason IS NOT NULL THEN raw_line END AS raw_line
FROM clickstream_classified
