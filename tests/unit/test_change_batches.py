import numpy as np
import pytest

from dataplatform.generator.changes import ShopState, plan_change_batch
from dataplatform.generator.shop import ShopSize, build_shop


def state_from(shop, deleted_customers=()) -> ShopState:
    customers = shop["customers"]
    keep = ~np.isin(np.asarray(customers["customer_id"]), list(deleted_customers))
    ids = np.asarray(customers["customer_id"])[keep]
    ordered = set(shop["orders"]["customer_id"].to_pylist())
    products = shop["products"]
    sold = set(shop["order_items"]["product_id"].to_pylist())
    statuses = shop["orders"]["status"].to_pylist()
    open_orders = [(o, s) for o, s in zip(shop["orders"]["order_id"].to_pylist(), statuses)
                   if s in ("placed", "paid", "shipped")]
    return ShopState(
        customer_ids=ids,
        customer_tiers=[t for t, k in zip(customers["tier"].to_pylist(), keep) if k],
        customer_statuses=[s for s, k in zip(customers["status"].to_pylist(), keep) if k],
        customers_without_orders=np.array([c for c in ids if c not in ordered], dtype=np.int64),
        product_ids=np.asarray(products["product_id"]),
        product_price_cents=np.asarray(products["price_cents"]),
        product_active=np.asarray(products["is_active"]).astype(np.int8),
        product_ordered=np.array([p in sold for p in products["product_id"].to_pylist()], dtype=np.int8),
        open_orders=open_orders,
        max_customer_id=int(np.asarray(customers["customer_id"]).max()),
        max_order_id=shop["orders"].num_rows, max_item_id=shop["order_items"].num_rows,
        now=np.datetime64("2026-01-05T12:00:00.000", "ms"),
    )


@pytest.fixture(scope="module")
def shop():
    # Many customers, few orders: some customers never order, so deletes are possible.
    return build_shop(5, ShopSize(customers=500, products=200, orders=300))


def test_plan_is_deterministic(shop):
    a = plan_change_batch(state_from(shop), seed=1, batch_no=1, intensity=0.05)
    b = plan_change_batch(state_from(shop), seed=1, batch_no=1, intensity=0.05)
    assert a.summary() == b.summary()
    assert a.moves == b.moves and a.prices == b.prices and a.new_orders.equals(b.new_orders)


def test_each_batch_draws_its_own_changes(shop):
    a = plan_change_batch(state_from(shop), seed=1, batch_no=1, intensity=0.05)
    b = plan_change_batch(state_from(shop), seed=1, batch_no=2, intensity=0.05)
    assert a.moves != b.moves


def test_every_kind_of_change_happens(shop):
    plan = plan_change_batch(state_from(shop, deleted_customers=(3, 4)), seed=1, batch_no=1, intensity=0.05)
    summary = plan.summary()
    for kind in ("moves", "tier_changes", "status_changes", "price_changes", "deactivations",
                 "customer_deletes", "product_deletes", "restores", "new_customers", "new_orders",
                 "order_progress"):
        assert summary[kind] > 0, kind


def test_tier_changes_really_change_the_tier(shop):
    state = state_from(shop)
    plan = plan_change_batch(state, seed=1, batch_no=1, intensity=0.05)
    tier_of = dict(zip(state.customer_ids.tolist(), state.customer_tiers))
    assert all(tier_of[cid] != tier for tier, cid in plan.tiers)


def test_deletes_only_customers_without_orders_and_restores_deleted_ids(shop):
    state = state_from(shop, deleted_customers=(3, 4))
    plan = plan_change_batch(state, seed=1, batch_no=1, intensity=0.05)
    assert {c for (c,) in plan.customer_deletes} <= set(state.customers_without_orders.tolist())
    assert set(plan.restored_customers["customer_id"].to_pylist()) <= {3, 4}
    new_ids = plan.new_customers["customer_id"].to_pylist()
    assert min(new_ids) == state.max_customer_id + 1


def test_new_orders_reference_live_customers_and_sellable_products(shop):
    state = state_from(shop)
    plan = plan_change_batch(state, seed=1, batch_no=1, intensity=0.05)
    deleted = {c for (c,) in plan.customer_deletes}
    buyers = set(plan.new_orders["customer_id"].to_pylist())
    assert buyers and not buyers & deleted
    sold = set(plan.new_items["product_id"].to_pylist())
    assert not sold & {p for (p,) in plan.product_deletes}
    active = set(state.product_ids[state.product_active.astype(bool)].tolist())
    assert sold <= active
    assert min(plan.new_orders["order_id"].to_pylist()) == state.max_order_id + 1
