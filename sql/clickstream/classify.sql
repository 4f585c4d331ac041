-- The reject ladder every clickstream format shares. A format's statement (formats.py) defines
-- `clickstream_typed`: each landed line with its parsed fields `f`, why its syntax is not the
-- format's (`syntax_reason`: not_json, malformed_json, not_access_log...), why it is a line but
-- not an event (`skip_reason`: a web server's static file, health check or crawler request), the
-- typed event columns, the lists of repeated, missing, unexpected and mistyped fields (an object
-- or array where the format expects a value is mistyped), its own `unknown_event_type` and
-- `invalid_value` tests and a short `summary`. Every line comes out once, typed where it is
-- valid, with a reject reason where it is not. Checks run in this order; the first that fails
-- names the line's reason. Times are compared as microseconds since the epoch: a timestamp plus an
-- interval goes through a zoned date-time per line.
CREATE OR REPLACE TEMPORARY VIEW clickstream_classified AS
SELECT raw_line, source_file, line_bytes, hour_start,
       event_id, event_type, event_ts, customer_id, device_id, channel, page, query, product_id,
       category, quantity, order_id, attributes,
       CASE
         WHEN line_bytes = 0 THEN 'empty_line'
         WHEN line_bytes > {max_line_bytes} THEN 'line_too_long'
         WHEN NOT valid_utf8 THEN 'invalid_utf8'
         WHEN syntax_reason IS NOT NULL THEN syntax_reason
         WHEN duplicate_fields <> '' THEN 'duplicate_field'
         WHEN missing_fields <> '' THEN 'missing_field'
         WHEN size(unexpected_fields) > 0 THEN 'unexpected_field'
         WHEN mistyped_fields <> '' THEN 'wrong_type'
         WHEN skip_reason IS NOT NULL THEN skip_reason
         WHEN event_ts IS NULL THEN 'bad_timestamp'
         WHEN unix_micros(event_ts) - unix_micros(hour_start) NOT BETWEEN -86400000000 AND 86399999999
           THEN 'timestamp_out_of_range'
         WHEN unknown_event_type THEN 'unknown_event_type'
         WHEN invalid_value THEN 'invalid_value'
         WHEN unix_micros(event_ts) - unix_micros(hour_start) NOT BETWEEN 0 AND 3599999999 THEN 'wrong_hour'
       END AS reject_reason,
       CASE
         WHEN line_bytes > {max_line_bytes} THEN CAST(line_bytes AS STRING)
         WHEN syntax_reason IS NOT NULL THEN NULL
         WHEN duplicate_fields <> '' THEN duplicate_fields
         WHEN missing_fields <> '' THEN missing_fields
         WHEN size(unexpected_fields) > 0 THEN array_join(unexpected_fields, ',')
         WHEN mistyped_fields <> '' THEN mistyped_fields
         ELSE summary
       END AS reject_detail
FROM clickstream_typed
