-- Our web servers' JSON events: one object per line. Every line of `clickstream_lines` (the run's
-- landed files) typed, with what the shared reject ladder (classify.sql) asks of a format.
-- Per line this is the parser's hot path. The lists that name what is wrong with a line (repeated,
-- unknown, missing or mistyped fields) are built only for lines a cheap test finds wrong: building
-- them for every line took 40% of the parse (docs/benchmarks/clickstream.md).
CREATE OR REPLACE TEMPORARY VIEW clickstream_typed AS
WITH parsed AS (
  SELECT raw_line, source_file, hour_start, line_bytes, valid_utf8,
         -- Text after the closing brace (`{...} junk`) would be ignored by the JSON reader.
         CASE WHEN line_bytes <= {max_line_bytes} AND valid_utf8
                   AND (endswith(raw_line, '}') OR endswith(TRIM(TRAILING ' \t\r' FROM raw_line), '}'))
              THEN from_json(raw_line, 'map<string,string>') END AS f
  FROM (SELECT value AS raw_line, source_file, hour_start,
               octet_length(value) AS line_bytes, is_valid_utf8(value) AS valid_utf8
        FROM clickstream_lines)
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
         -- Every key is a known one, given once, when the map holds as many entries as there are
         -- known keys with a value (a repeated key stays twice in the map; a null value makes this
         -- false and only sends the line to the exact lists below).
         size(f) = (IF(f['event_id'] IS NULL, 0, 1) + IF(f['event_type'] IS NULL, 0, 1)
                    + IF(f['event_ts'] IS NULL, 0, 1) + IF(f['customer_id'] IS NULL, 0, 1)
                    + IF(f['device_id'] IS NULL, 0, 1) + IF(f['channel'] IS NULL, 0, 1)
                    + IF(f['page'] IS NULL, 0, 1) + IF(f['query'] IS NULL, 0, 1)
                    + IF(f['product_id'] IS NULL, 0, 1) + IF(f['category'] IS NULL, 0, 1)
                    + IF(f['quantity'] IS NULL, 0, 1) + IF(f['order_id'] IS NULL, 0, 1)) AS known_keys_once
  FROM parsed
), listed AS (
  SELECT *,
         CASE WHEN known_keys_once THEN CAST(array() AS ARRAY<STRING>)
              ELSE array_except(map_keys(f), array('event_id', 'event_type', 'event_ts', 'customer_id',
                     'device_id', 'channel', 'page', 'query', 'product_id', 'category', 'quantity', 'order_id'))
              END AS unexpected_fields,
         CASE WHEN event_id IS NOT NULL AND event_type IS NOT NULL AND f['event_ts'] IS NOT NULL
                   AND device_id IS NOT NULL AND channel IS NOT NULL THEN ''
              ELSE concat_ws(',', CASE WHEN event_id IS NULL THEN 'event_id' END,
                                  CASE WHEN event_type IS NULL THEN 'event_type' END,
                                  CASE WHEN f['event_ts'] IS NULL THEN 'event_ts' END,
                                  CASE WHEN device_id IS NULL THEN 'device_id' END,
                                  CASE WHEN channel IS NULL THEN 'channel' END) END AS missing_fields,
         -- A string field's value that is an object or array arrives as its JSON text, so only a line
         -- with a text field opening with `{` or `[`, or a number that does not cast, is looked at.
         CASE WHEN NOT coalesce(startswith(event_id, '{') OR startswith(event_id, '[')
                                OR startswith(event_type, '{') OR startswith(event_type, '[')
                                OR startswith(f['event_ts'], '{') OR startswith(f['event_ts'], '[')
                                OR startswith(device_id, '{') OR startswith(device_id, '[')
                                OR startswith(channel, '{') OR startswith(channel, '[')
                                OR startswith(page, '{') OR startswith(page, '[')
                                OR startswith(query, '{') OR startswith(query, '[')
                                OR startswith(category, '{') OR startswith(category, '['), FALSE)
                   AND (customer_id IS NOT NULL OR f['customer_id'] IS NULL)
                   AND (product_id IS NOT NULL OR f['product_id'] IS NULL)
                   AND (quantity IS NOT NULL OR f['quantity'] IS NULL)
                   AND (order_id IS NOT NULL OR f['order_id'] IS NULL) THEN ''
              -- Which fields held an object or array: the line parsed again, as variants.
              ELSE array_join(array_distinct(concat(
                     map_keys(map_filter(from_json(raw_line, 'map<string,variant>'),
                       (k, v) -> schema_of_variant(v) LIKE 'OBJECT%' OR schema_of_variant(v) LIKE 'ARRAY%')),
                     array_compact(array(
                       CASE WHEN f['customer_id'] IS NOT NULL AND customer_id IS NULL THEN 'customer_id' END,
                       CASE WHEN f['product_id'] IS NOT NULL AND product_id IS NULL THEN 'product_id' END,
                       CASE WHEN f['quantity'] IS NOT NULL AND quantity IS NULL THEN 'quantity' END,
                       CASE WHEN f['order_id'] IS NOT NULL AND order_id IS NULL THEN 'order_id' END)))), ',')
              END AS mistyped_fields
  FROM typed
)
SELECT raw_line, source_file, hour_start, line_bytes, valid_utf8, f, missing_fields, unexpected_fields, mistyped_fields,
       -- Only a line that does not open with `{` is trimmed to tell not_json from malformed_json.
       CASE WHEN f IS NOT NULL AND startswith(raw_line, '{') THEN NULL
            WHEN NOT startswith(ltrim(raw_line), '{') THEN 'not_json' WHEN f IS NULL THEN 'malformed_json' END
         AS syntax_reason,
       CAST(NULL AS STRING) AS skip_reason,
       CASE WHEN known_keys_once THEN ''
            -- A key given twice: the JSON reader's map keeps it twice (f[key] is its first value).
            WHEN size(array_distinct(map_keys(f))) < size(f)
            THEN array_join(array_distinct(filter(map_keys(f), k -> size(filter(map_keys(f), x -> x = k)) > 1)), ',')
            ELSE '' END AS duplicate_fields,
       event_id, event_type, event_ts, customer_id, device_id, channel, page, query, product_id,
       category, quantity, order_id, CAST(NULL AS MAP<STRING, STRING>) AS attributes,
       event_type NOT IN ({event_types}) AS unknown_event_type,
       channel NOT IN ('web', 'app') OR length(event_id) NOT BETWEEN 8 AND 64
         OR quantity NOT BETWEEN 1 AND 10000 OR product_id <= 0 OR customer_id <= 0 AS invalid_value,
       concat_ws(' ', f['event_type'], f['event_ts'], f['channel']) AS summary
FROM listed
