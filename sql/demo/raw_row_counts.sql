-- How many rows each raw table holds, read through HiveServer2.
SELECT '{raw}.mysql_customers_current' AS table_name, COUNT(*) AS row_count FROM {raw}.mysql_customers_current
UNION ALL SELECT '{raw}.mysql_products_current', COUNT(*) FROM {raw}.mysql_products_current
UNION ALL SELECT '{raw}.mysql_orders_current', COUNT(*) FROM {raw}.mysql_orders_current
UNION ALL SELECT '{raw}.mysql_order_items_current', COUNT(*) FROM {raw}.mysql_order_items_current
