INSERT OVERWRITE DIRECTORY '{location}' USING PARQUET
SELECT event_id, event_type, event_ts, customer_id, device_id, channel, page, query, product_id,
       category, quantity, order_id, attributes, '{source_format}' AS source_format, source_file
FROM clickstream_accepted
