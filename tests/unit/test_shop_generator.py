import numpy as np
import pyarrow.compute as pc
import pytest

from dataplatform.generator.shop import HISTORY_END, ShopSize, build_shop

SIZE = ShopSize(customers=400, products=80, orders=3_000)


@pytest.fixture(scope="module")
def shop():
    return build_shop(11, SIZE)


def test_same_seed_same_shop(shop):
    again = build_shop(11, SIZE)
    for name, table in shop.items():
        assert table.equals(again[name]), name


def test_other_seed_other_shop(shop):
    other = build_shop(12, SIZE)
    assert not shop["orders"].equals(other["orders"])
    assert not shop["customers"].equals(other["customers"])


def test_sizes_follow_the_request(shop):
    assert shop["customers"].num_rows == 400
    assert shop["products"].num_rows == 80
    assert shop["orders"].num_rows == 3_000
    assert shop["order_items"].num_rows >= 3_000  # every order has at least one line


def test_scale_one_is_a_million_orders():
    size = ShopSize.from_scale(1.0)
    assert (size.customers, size.products, size.orders) == (100_000, 10_000, 1_000_000)
    with pytest.raises(ValueError):
        ShopSize.from_scale(0)


def test_foreign_keys_hold(shop):
    customers = set(shop["customers"]["customer_id"].to_pylist())
    products = set(shop["products"]["product_id"].to_pylist())
    orders = set(shop["orders"]["order_id"].to_pylist())
    assert set(shop["orders"]["customer_id"].to_pylist()) <= customers
    assert set(shop["order_items"]["order_id"].to_pylist()) == orders
    assert set(shop["order_items"]["product_id"].to_pylist()) <= products


def test_keys_are_unique(shop):
    for table, key in (("customers", "customer_id"), ("products", "product_id"),
                       ("orders", "order_id"), ("order_items", "order_item_id")):
        column = shop[table][key]
        assert pc.count_distinct(column).as_py() == len(column), table
    emails = shop["customers"]["email"]
    assert pc.count_distinct(emails).as_py() == len(emails)
    pairs = set(zip(shop["order_items"]["order_id"].to_pylist(), shop["order_items"]["line_no"].to_pylist()))
    assert len(pairs) == shop["order_items"].num_rows


def test_order_total_is_the_sum_of_its_lines(shop):
    items = shop["order_items"]
    line_cents = np.asarray(items["quantity"]) * np.asarray(items["unit_price_cents"])
    sums = {}
    for order_id, cents in zip(items["order_id"].to_pylist(), line_cents):
        sums[order_id] = sums.get(order_id, 0) + int(cents)
    totals = dict(zip(shop["orders"]["order_id"].to_pylist(), shop["orders"]["total_amount_cents"].to_pylist()))
    assert totals == sums


def test_orders_come_after_their_customer_and_before_the_history_end(shop):
    created = dict(zip(shop["customers"]["customer_id"].to_pylist(),
                       np.asarray(shop["customers"]["created_at"])))
    order_ts = np.asarray(shop["orders"]["order_ts"])
    customers = shop["orders"]["customer_id"].to_pylist()
    assert all(ts >= created[c] for c, ts in zip(customers, order_ts))
    assert order_ts.max() <= HISTORY_END
    updated = np.asarray(shop["orders"]["updated_at"])
    assert (updated >= order_ts).all()


def test_order_ids_follow_order_time(shop):
    order_ts = np.asarray(shop["orders"]["order_ts"])
    assert (np.diff(order_ts.astype(np.int64)) >= 0).all()


def test_unit_prices_are_the_product_prices(shop):
    price = dict(zip(shop["products"]["product_id"].to_pylist(), shop["products"]["price_cents"].to_pylist()))
    items = shop["order_items"]
    assert all(price[p] == u for p, u in zip(items["product_id"].to_pylist(), items["unit_price_cents"].to_pylist()))
