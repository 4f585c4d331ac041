-- How many rows each raw table holds, read through HiveServer2.
SELECT '{raw}.mysql_customers' AS table_name, COUNT(*) AS row_count FROM {raw}.mysql_customers
UNION ALL SELECT '{raw}.mysql_products', COUNT(*) FROM {raw}.mysql_products
UNION ALL SELECT '{raw}.mysql_orders', COUNT(*) FROM {raw}.mysql_orders
UNION ALL SELECT '{raw}.mysql_order_items', COUNT(*) FROM {raw}.mysql_order_items
