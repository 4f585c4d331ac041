-- Revenue and units per product category over the whole history.
SELECT p.category, SUM(i.quantity) AS units, SUM(i.quantity * i.unit_price) AS revenue
FROM {raw}.mysql_order_items_current i
JOIN {raw}.mysql_products_current p ON p.product_id = i.product_id
GROUP BY p.category
ORDER BY revenue DESC
