-- Hive over HBase (Apache Hive 4.1 HiveServer2, the stack's `hive-hbase` service): the customer
-- 360° table read in place through the HBase storage handler. The mapping follows the stored
-- encoding (dataplatform_assets/serving/customer_360_table.py): every cell is UTF-8 text, so
-- whole numbers, money and flags map to typed columns Hive parses from text, times stay ISO 8601
-- strings, lists stay JSON strings, and an empty cell reads as NULL for typed columns.

-- name: create_database
CREATE DATABASE IF NOT EXISTS {database}

-- name: create_table
-- External: dropping the Hive table never drops the HBase table.
CREATE EXTERNAL TABLE IF NOT EXISTS {table} (
  key STRING,
  customer_id BIGINT,
  customer_sk BIGINT,
  valid_from STRING,
  email STRING,
  first_name STRING,
  last_name STRING,
  phone STRING,
  city STRING,
  state STRING,
  country STRING,
  tier STRING,
  status STRING,
  marketing_opt_in BOOLEAN,
  created_at STRING,
  versions BIGINT,
  history STRING,
  profile_as_of STRING,
  orders BIGINT,
  kept_orders BIGINT,
  revenue DECIMAL(14,2),
  aov DECIMAL(14,2),
  first_order_ts STRING,
  last_order_ts STRING,
  orders_30d BIGINT,
  revenue_30d DECIMAL(14,2),
  orders_90d BIGINT,
  revenue_90d DECIMAL(14,2),
  sessions BIGINT,
  last_seen STRING,
  devices BIGINT,
  sessions_with_product_view BIGINT,
  sessions_with_cart BIGINT,
  sessions_with_checkout BIGINT,
  sessions_converted BIGINT,
  stats_as_of STRING,
  recent_orders STRING,
  recent_events STRING,
  recent_as_of STRING
)
STORED BY 'org.apache.hadoop.hive.hbase.HBaseStorageHandler'
WITH SERDEPROPERTIES ('hbase.columns.mapping' = ':key,p:customer_id,p:customer_sk,p:valid_from,p:email,p:first_name,p:last_name,p:phone,p:city,p:state,p:country,p:tier,p:status,p:marketing_opt_in,p:created_at,p:versions,p:history,p:as_of,s:orders,s:kept_orders,s:revenue,s:aov,s:first_order_ts,s:last_order_ts,s:orders_30d,s:revenue_30d,s:orders_90d,s:revenue_90d,s:sessions,s:last_seen,s:devices,s:sessions_with_product_view,s:sessions_with_cart,s:sessions_with_checkout,s:sessions_converted,s:as_of,r:recent_orders,r:recent_events,r:as_of')
TBLPROPERTIES ('hbase.table.name' = {hbase_table}, 'external.table.purge' = 'false')

-- name: by_key
-- One customer by row key: pushed down to an HBase get, no job.
SELECT * FROM {table} WHERE key = {key}
