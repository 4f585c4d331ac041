-- Our web servers' JSON events: one object per line. Every line of `clickstream_lines` (the hour's
-- landed files) comes out once, typed where it is valid, with a reject reason where it is not.
-- Checks run in this order; the first that fails names the line's reason.
CREATE OR REPLACE TEMPORARY VIEW clickstream_classified AS
WITH parsed AS (
  SELECT raw_line, source_file, line_bytes, valid_utf8,
         CASE WHEN line_bytes <= {max_line_bytes} AND valid_utf8
              THEN from_json(raw_line, 'map<string,string>') END AS f
  FROM (SELECT value AS raw_line, source_file,
               octet_length(value) AS line_bytes, is_valid_utf8(value) AS valid_utf8
        FROM clickstream_lines)
), typed AS (
  SELECT *,
         f['event_id'] AS event_id,
         f['event_type'] AS event_type,
         try_to_timestamp(f['event_ts'], "yyyy-MM-dd'T'HH:mm:ss.SSSXXX") AS event_ts,
         try_cast(f['customer_id'] AS BIGINT) AS customer_id,
         f['device_id'] AS device_id,
         f['channel'] AS channel,
         f['page'] AS page,
         f['query'] AS query,
         try_cast(f['product_id'] AS BIGINT) AS product_id,
         f['category'] AS category,
         try_cast(f['quantity'] AS INT) AS quantity,
         try_cast(f['order_id'] AS BIGINT) AS order_id,
         filter(map_keys(f), k -> NOT array_contains(array('event_id', 'event_type', 'event_ts',
           'customer_id', 'device_id', 'channel', 'page', 'query', 'product_id', 'category',
           'quantity', 'order_id'), k)) AS unexpected_fields,
         filter(array('event_id', 'event_type', 'event_ts', 'device_id', 'channel'),
                k -> f[k] IS NULL) AS missing_fields,
         filter(array('customer_id', 'product_id', 'quantity', 'order_id'),
                k -> f[k] IS NOT NULL AND try_cast(f[k] AS BIGINT) IS NULL) AS mistyped_fields
  FROM parsed
)
SELECT raw_line, source_file, line_bytes,
       event_id, event_type, event_ts, customer_id, device_id, channel, page, query, product_id,
       category, quantity, order_id, CAST(NULL AS MAP<STRING, STRING>) AS attributes,
       CASE
         WHEN line_bytes = 0 THEN 'empty_line'
         WHEN line_bytes > {max_line_bytes} THEN 'line_too_long'
         WHEN NOT valid_utf8 THEN 'invalid_utf8'
         WHEN NOT startswith(ltrim(raw_line), '{{') THEN 'not_json'
         WHEN f IS NULL THEN 'malformed_json'
         WHEN size(missing_fields) > 0 THEN 'missing_field'
         WHEN size(unexpected_fields) > 0 THEN 'unexpected_field'
         WHEN size(mistyped_fields) > 0 THEN 'wrong_type'
         WHEN event_ts IS NULL THEN 'bad_timestamp'
         WHEN event_ts < TIMESTAMP '{hour_start}' - INTERVAL 1 DAY
           OR event_ts >= TIMESTAMP '{hour_start}' + INTERVAL 1 DAY THEN 'timestamp_out_of_range'
         WHEN event_type NOT IN ({event_types}) THEN 'unknown_event_type'
         WHEN channel NOT IN ('web', 'app') OR length(event_id) NOT BETWEEN 8 AND 64
           OR quantity NOT BETWEEN 1 AND 10000 OR product_id <= 0 OR customer_id <= 0 THEN 'invalid_value'
         WHEN event_ts < TIMESTAMP '{hour_start}'
           OR event_ts >= TIMESTAMP '{hour_start}' + INTERVAL 1 HOUR THEN 'wrong_hour'
       END AS reject_reason,
       CASE
         WHEN line_bytes > {max_line_bytes} THEN CAST(line_bytes AS STRING)
         WHEN size(missing_fields) > 0 THEN array_join(missing_fields, ',')
         WHEN size(unexpected_fields) > 0 THEN array_join(unexpected_fields, ',')
         WHEN size(mistyped_fields) > 0 THEN array_join(mistyped_fields, ',')
         WHEN f IS NOT NULL THEN concat_ws(' ', f['event_type'], f['event_ts'], f['channel'])
       END AS reject_detail
FROM typed
