-- name: create_database
CREATE DATABASE IF NOT EXISTS {database} COMMENT 'Cleaned, typed data derived from the raw sources'
-- name: create_events
-- Valid clickstream events, each event id once, partitioned by the UTC hour of the event.
CREATE EXTERNAL TABLE IF NOT EXISTS {table} (
  event_id STRING, event_type STRING, event_ts TIMESTAMP, customer_id BIGINT, device_id STRING,
  channel STRING, page STRING, query STRING, product_id BIGINT, category STRING, quantity INT,
  order_id BIGINT, attributes MAP<STRING, STRING>, source_format STRING, source_file STRING
)
COMMENT 'Clickstream events parsed from the Flume landing, deduplicated on event_id (UTC)'
PARTITIONED BY (dt STRING, hr STRING)
STORED AS PARQUET
LOCATION {location}
-- name: create_rejects
-- Every line the parser refused, byte for byte, with its source file and a reason code.
CREATE EXTERNAL TABLE IF NOT EXISTS {table} (
  reason STRING, detail STRING, source_file STRING, line_bytes INT, raw_line STRING,
  source_format STRING
)
COMMENT 'Quarantined clickstream lines with the reason each was refused'
PARTITIONED BY (dt STRING, hr STRING)
STORED AS PARQUET
LOCATION {location}
-- name: create_sessions
-- Visits: a customer's (or an anonymous device's) events of one feed with no gap over 30 minutes,
-- by start day.
CREATE EXTERNAL TABLE IF NOT EXISTS {table} (
  session_id STRING, customer_id BIGINT, device_id STRING, channel STRING,
  session_start TIMESTAMP, session_end TIMESTAMP, duration_seconds BIGINT, events BIGINT,
  page_views BIGINT, products_viewed BIGINT, cart_adds BIGINT, converted BOOLEAN, order_id BIGINT,
  checkouts BIGINT, source_format STRING
)
COMMENT 'Sessions from clickstream events (30-minute inactivity gap), partitioned by start day (UTC)'
PARTITIONED BY (dt STRING)
STORED AS PARQUET
LOCATION {location}
-- name: show_partition
-- The partitions under a partial spec too: `PARTITION (dt='...')` lists the day's hours.
SHOW PARTITIONS {table} PARTITION ({partition})
-- name: add_partitions
-- `PARTITION (...) LOCATION ...` once per new partition.
ALTER TABLE {table} ADD IF NOT EXISTS {partitions}
-- name: set_location
ALTER TABLE {table} PARTITION ({partition}) SET LOCATION {location}
-- name: partitions_rows
-- Rows of each of the given partitions (those with rows), after the table's name (curated_tables.py
-- reads several tables at once with UNION ALL).
SELECT {table_name}, {columns}, COUNT(*) FROM {table} WHERE {partitions} GROUP BY {columns}
-- name: describe_partition
DESCRIBE FORMATTED {table} PARTITION ({partition})
