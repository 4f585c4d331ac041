-- Web servers' access logs (access_log.py): the combined log format, optionally with nginx's
-- `$request_time` and a quoted id field. Statements in the order access_log.define_typed runs them.

-- name: fields
-- Each line split by one regex pass into its ten fields (access_log.LINE_PATTERN), every field's
-- log escapes decoded: nginx writes `"`, `\` and bytes outside printable ASCII as `\xHH`; Apache
-- writes `\"`, `\\`, `\xHH` and C-style `\n`, `\t`... The escapes become %-escapes, with the
-- text's own `%` and `+` protected first, and one url-decode turns them back into bytes and then
-- UTF-8 text (a byte sequence that is no UTF-8 becomes U+FFFD). A line holding a raw U+0001 (no
-- web server writes one) cannot be split this way and is `not_access_log`.
CREATE OR REPLACE TEMPORARY VIEW access_log_fields AS
WITH lines AS (
  SELECT value AS raw_line, source_file, hour_start, octet_length(value) AS line_bytes, is_valid_utf8(value) AS valid_utf8
  FROM clickstream_lines
), split_lines AS (
  SELECT *,
         CASE WHEN line_bytes <= {max_line_bytes} AND valid_utf8 AND NOT contains(raw_line, chr(1))
                   AND raw_line RLIKE {line_pattern}
              THEN transform(
                split(regexp_replace(raw_line, {line_pattern},
                                     concat_ws(chr(1), '$1', '$2', '$3', '$4', '$5', '$6', '$7', '$8', '$9', '$10')),
                      chr(1)),
                x -> try_url_decode(
                  replace(replace(replace(replace(replace(replace(replace(
                    regexp_replace(regexp_replace(regexp_replace(
                      replace(replace(x, '%', '%25'), '+', '%2B'),
                      r'\\\\', '%5C'),
                      r'\\"', '%22'),
                      r'\\x([0-9A-Fa-f]{2})', '%$1'),
                    r'\n', '%0A'), r'\r', '%0D'), r'\t', '%09'), r'\b', '%08'), r'\v', '%0B'), r'\f', '%0C'),
                    r'\a', '%07')))
         END AS g
  FROM lines
), requests AS (
  SELECT *, regexp_extract(g[3], r'^([A-Z]+) (\S+)(?: HTTP/[0-9.]+)?$', 1) AS method,
         regexp_extract(g[3], r'^([A-Z]+) (\S+)(?: HTTP/[0-9.]+)?$', 2) AS target
  FROM split_lines
)
SELECT raw_line, source_file, hour_start, line_bytes, valid_utf8, g, method,
       CASE WHEN g IS NULL THEN 'not_access_log' WHEN method = '' THEN 'malformed_request' END AS syntax_reason,
       g[0] AS remote_addr, try_to_timestamp(g[2], 'dd/MMM/yyyy:HH:mm:ss Z') AS event_ts,
       regexp_extract(target, r'^([^?#]*)', 1) AS path, regexp_extract(target, r'\?([^#]*)', 1) AS query_string,
       try_cast(g[4] AS INT) AS status, NULLIF(NULLIF(g[5], '-'), '') AS body_bytes,
       NULLIF(NULLIF(g[6], '-'), '') AS referer, NULLIF(NULLIF(g[7], '-'), '') AS user_agent,
       NULLIF(NULLIF(g[8], '-'), '') AS request_time, NULLIF(NULLIF(g[9], '-'), '') AS id_field
FROM requests

-- name: distinct_user_agents
-- The parse's user agents, the most frequent first (access_log.MAX_USER_AGENTS of them are parsed).
SELECT user_agent FROM access_log_fields WHERE user_agent IS NOT NULL
GROUP BY user_agent ORDER BY COUNT(*) DESC, user_agent LIMIT {limit}

-- name: user_agents
-- The parse's user agents, parsed in Python (access_log.parse_user_agent); each user agent comes
-- base64-encoded, as it may hold any character (a decoded escape), NUL included.
CREATE OR REPLACE TEMPORARY VIEW access_log_user_agents AS
SELECT CAST(unbase64(agent) AS STRING) AS user_agent, CAST(browser AS STRING) AS browser,
       CAST(os AS STRING) AS os, CAST(device AS STRING) AS device, CAST(crawler AS BOOLEAN) AS crawler
FROM VALUES {agents} AS t(agent, browser, os, device, crawler)

-- name: no_user_agents
CREATE OR REPLACE TEMPORARY VIEW access_log_user_agents AS
SELECT CAST(NULL AS STRING) AS user_agent, CAST(NULL AS STRING) AS browser, CAST(NULL AS STRING) AS os,
       CAST(NULL AS STRING) AS device, CAST(NULL AS BOOLEAN) AS crawler
WHERE FALSE

-- name: typed
-- The columns the shared reject ladder (classify.sql) reads. The event id is a hash of the whole
-- line, so Flume's redelivered copies are duplicates (two byte-identical requests in one second
-- are one event). Customers come from the id field when it is a number; every visitor also gets a
-- device id, a salted hash of address and user agent (pseudonymous: the address itself is not kept).
-- A rejected or skipped line is quarantined with its leading address swapped for `addr:` and 16 hex
-- digits of its salted hash (a line that is not valid UTF-8 is kept as it came).
CREATE OR REPLACE TEMPORARY VIEW clickstream_typed AS
WITH routed AS (
  SELECT l.*, u.browser, u.os, u.device, COALESCE(u.crawler, FALSE) AS crawler_agent, {routes} AS route
  FROM access_log_fields l
  LEFT JOIN access_log_user_agents u ON u.user_agent = l.user_agent
)
SELECT CASE WHEN valid_utf8
            THEN regexp_replace(raw_line, {address_pattern}, concat('addr:', substr(sha2(concat_ws('|',
                   {visitor_salt}, regexp_extract(raw_line, {address_pattern}, 0)), 256), 1, 16)))
            ELSE raw_line
       END AS raw_line,
       source_file, hour_start, line_bytes, valid_utf8, syntax_reason,
       CASE WHEN status >= 400 THEN 'http_error'
            WHEN path IN ({health_paths}) THEN 'health_check'
            WHEN path RLIKE {static_path} THEN 'static_asset'
            WHEN crawler_agent OR user_agent RLIKE {crawler_agent} THEN 'crawler'
       END AS skip_reason,
       CAST(NULL AS MAP<STRING, STRING>) AS f, '' AS duplicate_fields, '' AS missing_fields,
       CAST(array() AS ARRAY<STRING>) AS unexpected_fields, '' AS mistyped_fields,
       sha2(raw_line, 256) AS event_id, route.event_type AS event_type, event_ts,
       CASE WHEN id_field RLIKE '^[0-9]{1,18}$' THEN CAST(id_field AS BIGINT) END AS customer_id,
       sha2(concat_ws('|', {visitor_salt}, remote_addr, COALESCE(user_agent, '')), 256) AS device_id,
       'web' AS channel, path AS page, NULLIF(route.search, '') AS query, route.product_id AS product_id,
       CAST(NULL AS STRING) AS category, CAST(NULL AS INT) AS quantity, route.order_id AS order_id,
       map_filter(map('method', method, 'status', CAST(status AS STRING), 'bytes', body_bytes,
                      'request_time', request_time, 'referer', referer, 'browser', browser, 'os', os,
                      'device', device), (k, v) -> v IS NOT NULL) AS attributes,
       route.event_type IS NULL AS unknown_event_type,
       route.product_id <= 0 OR route.order_id <= 0 AS invalid_value,
       concat_ws(' ', method, path, CAST(status AS STRING)) AS summary
FROM routed
