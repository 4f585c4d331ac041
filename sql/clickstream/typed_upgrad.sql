-- upGrad-style app clickstream records: every value a string, keys in any letter case (real files
-- spell `OS_version`). Mapped onto the same typed columns as our own events: the flags become the
-- event type, the app fields go to `attributes`, and the event id is a hash of all twelve fields
-- (the feed has none), so an exact repeat of a record counts as a duplicate. The shared reject
-- ladder (classify.sql) reads this view.
CREATE OR REPLACE TEMPORARY VIEW clickstream_typed AS
WITH parsed AS (
  -- Keys folded: whitespace and control characters trimmed from both ends (the real feed's time
  -- is keyed `timestamp\n`), then lower case. Two keys that fold to one are a duplicate (the
  -- session's LAST_WIN policy keeps the folded map from failing the query; the ladder rejects it).
  SELECT *, transform_keys(json_fields, (k, v) -> lower(regexp_replace(k, '^[\\s\\x00-\\x1f\\x7f]+|[\\s\\x00-\\x1f\\x7f]+$', ''))) AS f,
         transform(map_keys(json_fields), k -> lower(regexp_replace(k, '^[\\s\\x00-\\x1f\\x7f]+|[\\s\\x00-\\x1f\\x7f]+$', ''))) AS keys,  -- a repeated key stays twice here
         -- Which string fields held an object or array (see typed_shop_json.sql).
         CASE WHEN exists(map_values(json_fields), v -> startswith(v, '{') OR startswith(v, '['))
              THEN transform(map_keys(map_filter(from_json(raw_line, 'map<string,variant>'),
                     (k, v) -> schema_of_variant(v) LIKE 'OBJECT%' OR schema_of_variant(v) LIKE 'ARRAY%')),
                     k -> lower(regexp_replace(k, '^[\\s\\x00-\\x1f\\x7f]+|[\\s\\x00-\\x1f\\x7f]+$', '')))
              ELSE CAST(array() AS ARRAY<STRING>) END AS nested_fields
  FROM (SELECT raw_line, source_file, hour_start, line_bytes, valid_utf8,
               -- Text after the closing brace would be ignored by the JSON reader (typed_shop_json.sql).
               CASE WHEN line_bytes <= {max_line_bytes} AND valid_utf8
                         AND (endswith(raw_line, '}') OR endswith(TRIM(TRAILING ' \t\r' FROM raw_line), '}'))
                    THEN from_json(raw_line, 'map<string,string>') END AS json_fields
        FROM (SELECT value AS raw_line, source_file, hour_start, octet_length(value) AS line_bytes,
                     is_valid_utf8(value) AS valid_utf8
              FROM clickstream_lines))
), flagged AS (
  SELECT *,
         array_compact(array(
           CASE WHEN lower(f['is_button_click']) IN ('yes', 'true', '1') THEN 'is_button_click' END,
           CASE WHEN lower(f['is_page_view']) IN ('yes', 'true', '1') THEN 'is_page_view' END,
           CASE WHEN lower(f['is_scroll_up']) IN ('yes', 'true', '1') THEN 'is_scroll_up' END,
           CASE WHEN lower(f['is_scroll_down']) IN ('yes', 'true', '1') THEN 'is_scroll_down' END)) AS set_flags,
         array_compact(array(
           CASE WHEN NOT lower(f['is_button_click']) IN ('yes', 'no', 'true', 'false', '1', '0') THEN 'is_button_click' END,
           CASE WHEN NOT lower(f['is_page_view']) IN ('yes', 'no', 'true', 'false', '1', '0') THEN 'is_page_view' END,
           CASE WHEN NOT lower(f['is_scroll_up']) IN ('yes', 'no', 'true', 'false', '1', '0') THEN 'is_scroll_up' END,
           CASE WHEN NOT lower(f['is_scroll_down']) IN ('yes', 'no', 'true', 'false', '1', '0') THEN 'is_scroll_down' END))
           AS bad_flags,
         try_to_timestamp(f['timestamp'], 'yyyy-MM-dd HH:mm:ss[.SSSSSS][.SSS]') AS event_ts
  FROM parsed
), typed AS (
  SELECT *,
         sha2(concat_ws('|', f['customer_id'], f['app_version'], f['os_version'], f['lat'], f['lon'],
                        f['page_id'], f['button_id'], f['is_button_click'], f['is_page_view'],
                        f['is_scroll_up'], f['is_scroll_down'], f['timestamp']), 256) AS event_id,
         CASE WHEN size(set_flags) = 0 THEN 'none'
              ELSE substr(set_flags[0], 4) END AS event_type,
         try_cast(f['customer_id'] AS BIGINT) AS customer_id,
         array_except(map_keys(f), array('customer_id', 'app_version', 'os_version', 'lat', 'lon', 'page_id',
           'button_id', 'is_button_click', 'is_page_view', 'is_scroll_up', 'is_scroll_down', 'timestamp'))
           AS unexpected_fields,
         concat_ws(',', CASE WHEN f['customer_id'] IS NULL THEN 'customer_id' END,
                        CASE WHEN f['page_id'] IS NULL THEN 'page_id' END,
                        CASE WHEN f['timestamp'] IS NULL THEN 'timestamp' END) AS missing_fields,
         array_join(array_distinct(concat(nested_fields, array_compact(array(
           CASE WHEN f['customer_id'] IS NOT NULL AND try_cast(f['customer_id'] AS BIGINT) IS NULL
                THEN 'customer_id' END,
           CASE WHEN f['lat'] IS NOT NULL AND try_cast(f['lat'] AS DOUBLE) IS NULL THEN 'lat' END,
           CASE WHEN f['lon'] IS NOT NULL AND try_cast(f['lon'] AS DOUBLE) IS NULL THEN 'lon' END)),
           bad_flags)), ',') AS mistyped_fields
  FROM flagged
)
SELECT raw_line, source_file, hour_start, line_bytes, valid_utf8, f, missing_fields, unexpected_fields, mistyped_fields,
       CASE WHEN NOT startswith(ltrim(raw_line), '{') THEN 'not_json' WHEN f IS NULL THEN 'malformed_json' END
         AS syntax_reason,
       CAST(NULL AS STRING) AS skip_reason,
       CASE WHEN size(array_distinct(keys)) < size(keys)  -- see typed_shop_json.sql
            THEN array_join(array_distinct(filter(keys, k -> size(filter(keys, x -> x = k)) > 1)), ',')
            ELSE '' END AS duplicate_fields,
       event_id, event_type, event_ts, customer_id, CAST(NULL AS STRING) AS device_id, 'app' AS channel,
       f['page_id'] AS page, CAST(NULL AS STRING) AS query, CAST(NULL AS BIGINT) AS product_id,
       CAST(NULL AS STRING) AS category, CAST(NULL AS INT) AS quantity, CAST(NULL AS BIGINT) AS order_id,
       map_filter(map('app_version', f['app_version'], 'os_version', f['os_version'], 'lat', f['lat'],
                      'lon', f['lon'], 'button_id', f['button_id']), (k, v) -> v IS NOT NULL) AS attributes,
       size(set_flags) = 0 AS unknown_event_type,
       customer_id <= 0 OR NOT try_cast(f['lat'] AS DOUBLE) BETWEEN -90 AND 90
         OR NOT try_cast(f['lon'] AS DOUBLE) BETWEEN -180 AND 180 AS invalid_value,
       concat_ws(' ', array_join(set_flags, ','), f['timestamp']) AS summary
FROM typed
