-- Our web servers' JSON events: one object per line. Every line of `clickstream_lines` (the run's
-- landed files) typed, with what the shared reject ladder (classify.sql) asks of a format.
CREATE OR REPLACE TEMPORARY VIEW clickstream_typed AS
WITH parsed AS (
  SELECT *,
         -- The JSON reader's map keeps a repeated key twice (f[key] is its first value).
         map_keys(f) AS keys,
         -- A string field's value that is an object or array arrives as its JSON text: find out
         -- which it was only for lines where such a text appears, so other lines pay nothing.
         CASE WHEN exists(map_values(f), v -> startswith(v, '{') OR startswith(v, '['))
              THEN map_keys(map_filter(from_json(raw_line, 'map<string,variant>'),
                     (k, v) -> schema_of_variant(v) LIKE 'OBJECT%' OR schema_of_variant(v) LIKE 'ARRAY%'))
              ELSE CAST(array() AS ARRAY<STRING>) END AS nested_fields
  FROM (SELECT raw_line, source_file, hour_start, line_bytes, valid_utf8,
               -- Text after the closing brace (`{...} junk`) would be ignored by the JSON reader.
               CASE WHEN line_bytes <= {max_line_bytes} AND valid_utf8
                         AND (endswith(raw_line, '}') OR endswith(TRIM(TRAILING ' \t\r' FROM raw_line), '}'))
                    THEN from_json(raw_line, 'map<string,string>') END AS f
        FROM (SELECT value AS raw_line, source_file, hour_start,
                     octet_length(value) AS line_bytes, is_valid_utf8(value) AS valid_utf8
              FROM clickstream_lines))
), typed AS (
  SELECT *,
         f['event_id'] AS event_id,
         f['event_type'] AS event_type,
         try_to_timestamp(f['event_ts'], "yyyy-MM-dd'T'HH:mm:ss.SSSxxx") AS event_ts,
         try_cast(f['customer_id'] AS BIGINT) AS customer_id,
         f['device_id'] AS device_id,
         f['channel'] AS channel,
         f['page'] AS page,
         f['query'] AS query,
         try_cast(f['product_id'] AS BIGINT) AS product_id,
         f['category'] AS category,
         try_cast(f['quantity'] AS INT) AS quantity,
         try_cast(f['order_id'] AS BIGINT) AS order_id,
         array_except(map_keys(f), array('event_id', 'event_type', 'event_ts', 'customer_id', 'device_id',
           'channel', 'page', 'query', 'product_id', 'category', 'quantity', 'order_id')) AS unexpected_fields,
         concat_ws(',', CASE WHEN f['event_id'] IS NULL THEN 'event_id' END,
                        CASE WHEN f['event_type'] IS NULL THEN 'event_type' END,
                        CASE WHEN f['event_ts'] IS NULL THEN 'event_ts' END,
                        CASE WHEN f['device_id'] IS NULL THEN 'device_id' END,
                        CASE WHEN f['channel'] IS NULL THEN 'channel' END) AS missing_fields,
         array_join(array_distinct(concat(nested_fields, array_compact(array(
           CASE WHEN f['customer_id'] IS NOT NULL AND try_cast(f['customer_id'] AS BIGINT) IS NULL
                THEN 'customer_id' END,
           CASE WHEN f['product_id'] IS NOT NULL AND try_cast(f['product_id'] AS BIGINT) IS NULL
                THEN 'product_id' END,
           CASE WHEN f['quantity'] IS NOT NULL AND try_cast(f['quantity'] AS INT) IS NULL
                THEN 'quantity' END,
           CASE WHEN f['order_id'] IS NOT NULL AND try_cast(f['order_id'] AS BIGINT) IS NULL
                THEN 'order_id' END)))), ',') AS mistyped_fields
  FROM parsed
)
SELECT raw_line, source_file, hour_start, line_bytes, valid_utf8, f, missing_fields, unexpected_fields, mistyped_fields,
       CASE WHEN NOT startswith(ltrim(raw_line), '{') THEN 'not_json' WHEN f IS NULL THEN 'malformed_json' END
         AS syntax_reason,
       CAST(NULL AS STRING) AS skip_reason,
       CASE WHEN size(array_distinct(keys)) < size(keys)  -- a key given twice (or, folded, in two spellings)
            THEN array_join(array_distinct(filter(keys, k -> size(filter(keys, x -> x = k)) > 1)), ',')
            ELSE '' END AS duplicate_fields,
       event_id, event_type, event_ts, customer_id, device_id, channel, page, query, product_id,
       category, quantity, order_id, CAST(NULL AS MAP<STRING, STRING>) AS attributes,
       event_type NOT IN ({event_types}) AS unknown_event_type,
       channel NOT IN ('web', 'app') OR length(event_id) NOT BETWEEN 8 AND 64
         OR quantity NOT BETWEEN 1 AND 10000 OR product_id <= 0 OR customer_id <= 0 AS invalid_value,
       concat_ws(' ', f['event_type'], f['event_ts'], f['channel']) AS summary
FROM typed
