-- The shop's OLTP schema (MariaDB / MySQL). Recreated by `dataplatform generate shop`.
-- Mutable tables carry updated_at ... ON UPDATE CURRENT_TIMESTAMP for `lastmodified` imports;
-- order_items is append-only with a monotonic key for `append` imports.
DROP TABLE IF EXISTS order_items;
DROP TABLE IF EXISTS orders;
DROP TABLE IF EXISTS products;
DROP TABLE IF EXISTS customers;

CREATE TABLE customers (
  customer_id   INT UNSIGNED NOT NULL AUTO_INCREMENT,
  email         VARCHAR(254) NOT NULL,
  first_name    VARCHAR(80)  NOT NULL,
  last_name     VARCHAR(80)  NOT NULL,
  phone         VARCHAR(32)  NULL,
  street        VARCHAR(160) NOT NULL,
  city          VARCHAR(80)  NOT NULL,
  state         VARCHAR(40)  NOT NULL,
  postal_code   VARCHAR(16)  NOT NULL,
  country       CHAR(2)      NOT NULL,
  tier          ENUM('bronze','silver','gold','platinum') NOT NULL DEFAULT 'bronze',
  status        ENUM('active','suspended','closed') NOT NULL DEFAULT 'active',
  marketing_opt_in TINYINT(1) NOT NULL DEFAULT 0,
  created_at    DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at    DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (customer_id),
  UNIQUE KEY uq_customers_email (email),
  KEY ix_customers_updated_at (updated_at)
) ENGINE=InnoDB;

CREATE TABLE products (
  product_id    INT UNSIGNED NOT NULL AUTO_INCREMENT,
  sku           VARCHAR(32)  NOT NULL,
  name          VARCHAR(200) NOT NULL,
  category      VARCHAR(60)  NOT NULL,
  brand         VARCHAR(60)  NOT NULL,
  price         DECIMAL(10,2) NOT NULL,
  currency      CHAR(3)      NOT NULL DEFAULT 'EUR',
  is_active     TINYINT(1)   NOT NULL DEFAULT 1,
  created_at    DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at    DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (product_id),
  UNIQUE KEY uq_products_sku (sku),
  KEY ix_products_category (category),
  KEY ix_products_updated_at (updated_at)
) ENGINE=InnoDB;

CREATE TABLE orders (
  order_id      BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  customer_id   INT UNSIGNED NOT NULL,
  order_ts      DATETIME(3)  NOT NULL,
  status        ENUM('placed','paid','shipped','delivered','cancelled','returned') NOT NULL,
  payment_method ENUM('card','paypal','bank_transfer','gift_card') NOT NULL,
  channel       ENUM('web','app') NOT NULL,
  total_amount  DECIMAL(12,2) NOT NULL,
  currency      CHAR(3)      NOT NULL DEFAULT 'EUR',
  created_at    DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at    DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (order_id),
  KEY ix_orders_customer (customer_id, order_ts),
  KEY ix_orders_updated_at (updated_at),
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (customer_id)
) ENGINE=InnoDB;

CREATE TABLE order_items (
  order_item_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  order_id      BIGINT UNSIGNED NOT NULL,
  line_no       SMALLINT UNSIGNED NOT NULL,
  product_id    INT UNSIGNED NOT NULL,
  quantity      SMALLINT UNSIGNED NOT NULL,
  unit_price    DECIMAL(10,2) NOT NULL,
  created_at    DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (order_item_id),
  UNIQUE KEY uq_order_items_line (order_id, line_no),
  KEY ix_order_items_product (product_id),
  CONSTRAINT fk_order_items_order FOREIGN KEY (order_id) REFERENCES orders (order_id),
  CONSTRAINT fk_order_items_product FOREIGN KEY (product_id) REFERENCES products (product_id)
) ENGINE=InnoDB;

-- Not shop data: which change batches `dataplatform generate changes` has applied, so each new
-- batch draws from its own random stream (seed, batch_no).
DROP TABLE IF EXISTS generator_batches;
CREATE TABLE generator_batches (
  batch_no      INT UNSIGNED NOT NULL,
  seed          BIGINT NOT NULL,
  applied_at    DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  summary       JSON NOT NULL,
  PRIMARY KEY (batch_no)
) ENGINE=InnoDB;
