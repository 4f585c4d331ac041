-- Queries and statements of `dataplatform generate changes` (one change batch).

-- name: next_batch_no
SELECT COALESCE(MAX(batch_no), 0) + 1 FROM generator_batches;

-- name: customers
SELECT customer_id, tier, status FROM customers ORDER BY customer_id;

-- name: customers_without_orders
SELECT c.customer_id FROM customers c
WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.customer_id)
ORDER BY c.customer_id;

-- name: products
SELECT p.product_id, ROUND(p.price * 100), p.is_active,
       EXISTS (SELECT 1 FROM order_items i WHERE i.product_id = p.product_id) AS ordered
FROM products p ORDER BY p.product_id;

-- name: open_orders
SELECT order_id, status FROM orders WHERE status IN ('placed', 'paid', 'shipped') ORDER BY order_id;

-- name: max_ids
SELECT (SELECT COALESCE(MAX(customer_id), 0) FROM customers),
       (SELECT COALESCE(MAX(order_id), 0) FROM orders),
       (SELECT COALESCE(MAX(order_item_id), 0) FROM order_items),
       UTC_TIMESTAMP(3);

-- name: move_customer
UPDATE customers SET street = %s, city = %s, state = %s, postal_code = %s, country = %s
WHERE customer_id = %s;

-- name: set_tier
UPDATE customers SET tier = %s WHERE customer_id = %s;

-- name: set_customer_status
UPDATE customers SET status = %s WHERE customer_id = %s;

-- name: set_price
UPDATE products SET price = %s / 100 WHERE product_id = %s;

-- name: deactivate_product
UPDATE products SET is_active = 0 WHERE product_id = %s;

-- name: delete_customer
DELETE FROM customers WHERE customer_id = %s;

-- name: delete_product
DELETE FROM products WHERE product_id = %s;

-- name: set_order_status
UPDATE orders SET status = %s WHERE order_id = %s;

-- name: record_batch
INSERT INTO generator_batches (batch_no, seed, summary) VALUES (%s, %s, %s);
