-- The five customers with the highest revenue from orders that were not cancelled or returned.
SELECT c.customer_id, c.first_name, c.last_name, c.city, c.tier,
       COUNT(*) AS orders, SUM(o.total_amount) AS revenue, MAX(o.order_ts) AS last_order
FROM {raw}.mysql_orders_current o
JOIN {raw}.mysql_customers_current c ON c.customer_id = o.customer_id
WHERE o.status NOT IN ('cancelled', 'returned')
GROUP BY c.customer_id, c.first_name, c.last_name, c.city, c.tier
ORDER BY revenue DESC
LIMIT 5
