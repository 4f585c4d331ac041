-- Queries of `dataplatform generate clickstream`: the shop facts the web logs must agree with.

-- name: history_end
SELECT MAX(order_ts) FROM orders;

-- name: order_lines
SELECT o.order_id, o.customer_id, o.order_ts, o.channel, i.product_id, i.quantity
FROM orders o JOIN order_items i ON i.order_id = o.order_id
WHERE o.order_ts > %s AND o.order_ts <= %s
ORDER BY o.order_id, i.line_no;

-- name: customers
SELECT customer_id FROM customers WHERE status = 'active' ORDER BY customer_id;

-- name: products
SELECT product_id, sku, category FROM products WHERE is_active = 1 ORDER BY product_id;
