"""Change batches: what happens to a shop between two imports.

A batch moves customers, changes tiers, statuses and prices, deactivates and deletes rows, restores
deleted customers under their old id, adds customers and orders, and moves open orders along.
The plan is a pure function of the database's state and (seed, batch number), so it is testable
without a database; `apply_change_batch` reads the state, plans and applies it in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pymysql

from dataplatform.generator.loader import insert_rows
from dataplatform.generator.shop import CUSTOMER_STATUSES, TIERS, build_customers, build_orders
from dataplatform.generator.vocabulary import CITIES, STREETS
from resources.sql import statement

CHANGES_SQL = "shop/change_batch.sql"

NEXT_STATUS = {"placed": "paid", "paid": "shipped", "shipped": "delivered"}


@dataclass(frozen=True)
class ShopState:
    customer_ids: np.ndarray
    customer_tiers: list[str]
    customer_statuses: list[str]
    customers_without_orders: np.ndarray
    product_ids: np.ndarray
    product_price_cents: np.ndarray
    product_active: np.ndarray
    product_ordered: np.ndarray
    open_orders: list[tuple[int, str]]
    max_customer_id: int
    max_order_id: int
    max_item_id: int
    now: np.datetime64


@dataclass
class ChangePlan:
    moves: list[tuple] = field(default_factory=list)
    tiers: list[tuple] = field(default_factory=list)
    statuses: list[tuple] = field(default_factory=list)
    prices: list[tuple] = field(default_factory=list)
    deactivations: list[tuple] = field(default_factory=list)
    customer_deletes: list[tuple] = field(default_factory=list)
    product_deletes: list[tuple] = field(default_factory=list)
    order_progress: list[tuple] = field(default_factory=list)
    restored_customers: pa.Table | None = None
    new_customers: pa.Table | None = None
    new_orders: pa.Table | None = None
    new_items: pa.Table | None = None

    def summary(self) -> dict[str, int]:
        def rows(t: pa.Table | None) -> int:
            return 0 if t is None else t.num_rows
        return {
            "moves": len(self.moves), "tier_changes": len(self.tiers),
            "status_changes": len(self.statuses), "price_changes": len(self.prices),
            "deactivations": len(self.deactivations), "customer_deletes": len(self.customer_deletes),
            "product_deletes": len(self.product_deletes), "restores": rows(self.restored_customers),
            "new_customers": rows(self.new_customers), "new_orders": rows(self.new_orders),
            "new_order_items": rows(self.new_items), "order_progress": len(self.order_progress),
        }


def _sample(rng: np.random.Generator, ids: np.ndarray, share: float, at_least: int = 1) -> np.ndarray:
    if ids.shape[0] == 0:
        return ids
    k = min(ids.shape[0], max(at_least, int(round(ids.shape[0] * share))))
    return np.sort(rng.choice(ids, size=k, replace=False))


def plan_change_batch(state: ShopState, seed: int, batch_no: int, intensity: float) -> ChangePlan:
    rng = np.random.default_rng([seed, batch_no])
    plan = ChangePlan()
    ids = state.customer_ids
    position = {int(c): i for i, c in enumerate(ids)}

    deletes = _sample(rng, state.customers_without_orders, intensity / 2)
    plan.customer_deletes = [(int(c),) for c in deletes]
    kept = np.setdiff1d(ids, deletes)

    for cid in _sample(rng, kept, intensity):
        city = CITIES[int(rng.integers(0, len(CITIES)))]
        street = f"{STREETS[int(rng.integers(0, len(STREETS)))]} {int(rng.integers(1, 200))}"
        postal = f"{city[2]}{int(rng.integers(0, 1000)):03d}"
        plan.moves.append((street, city[0], city[1], postal, city[3], int(cid)))
    for cid in _sample(rng, kept, intensity):
        current = state.customer_tiers[position[int(cid)]]
        choices = [t for t in TIERS if t != current]
        plan.tiers.append((choices[int(rng.integers(0, len(choices)))], int(cid)))
    for cid in _sample(rng, kept, intensity / 3):
        current = state.customer_statuses[position[int(cid)]]
        choices = [s for s in CUSTOMER_STATUSES if s != current]
        plan.statuses.append((choices[int(rng.integers(0, len(choices)))], int(cid)))

    # Restores: ids below the maximum that are missing were deleted by an earlier batch.
    gone = np.setdiff1d(np.arange(1, state.max_customer_id + 1), ids)
    restored = _sample(rng, gone, 0.5, at_least=1) if gone.shape[0] else gone
    recent_from = state.now - np.timedelta64(1, "D")
    if restored.shape[0]:
        plan.restored_customers = build_customers(rng, restored, recent_from, state.now)
    new_ids = np.arange(state.max_customer_id + 1,
                        state.max_customer_id + 1 + max(1, int(round(ids.shape[0] * intensity))))
    plan.new_customers = build_customers(rng, new_ids, recent_from, state.now)

    product_ids = state.product_ids
    for i in np.flatnonzero(np.isin(product_ids, _sample(rng, product_ids, intensity * 2))):
        factor = rng.uniform(0.8, 1.25)
        new_price = max(99, int(round(state.product_price_cents[i] * factor / 100)) * 100 - 1)
        plan.prices.append((new_price, int(product_ids[i])))
    active = product_ids[state.product_active.astype(bool)]
    plan.deactivations = [(int(p),) for p in _sample(rng, active, intensity / 2)]
    never_ordered = product_ids[~state.product_ordered.astype(bool)]
    plan.product_deletes = [(int(p),) for p in _sample(rng, never_ordered, intensity / 2, at_least=0)]

    for order_id, status in state.open_orders:
        if rng.random() < 0.5:
            plan.order_progress.append((NEXT_STATUS[status], int(order_id)))

    # New orders: existing (not deleted) customers and active, not deleted products, placed today.
    buyers = pa.table({"customer_id": pa.array(kept, pa.int64()),
                       "created_at": pa.array(np.full(kept.shape[0], state.now - np.timedelta64(1, "h")),
                                              pa.timestamp("ms"))})
    sellable = np.isin(product_ids, active) & ~np.isin(product_ids, [p for (p,) in plan.product_deletes])
    products = pa.table({"product_id": pa.array(product_ids[sellable], pa.int64()),
                         "price_cents": pa.array(state.product_price_cents[sellable], pa.int64())})
    n_orders = max(1, int(round(ids.shape[0] * intensity * 2)))
    if kept.shape[0] and products.num_rows:
        plan.new_orders, plan.new_items = build_orders(
            rng, n_orders, buyers, products, first_order_id=state.max_order_id + 1,
            first_item_id=state.max_item_id + 1, end=state.now)
    return plan


def read_state(cur: pymysql.cursors.Cursor) -> ShopState:
    cur.execute(statement(CHANGES_SQL, "customers"))
    customers = cur.fetchall()
    cur.execute(statement(CHANGES_SQL, "customers_without_orders"))
    lonely = np.array([r[0] for r in cur.fetchall()], dtype=np.int64)
    cur.execute(statement(CHANGES_SQL, "products"))
    products = cur.fetchall()
    cur.execute(statement(CHANGES_SQL, "open_orders"))
    open_orders = list(cur.fetchall())
    cur.execute(statement(CHANGES_SQL, "max_ids"))
    max_c, max_o, max_i, now = cur.fetchone()
    return ShopState(
        customer_ids=np.array([r[0] for r in customers], dtype=np.int64),
        customer_tiers=[r[1] for r in customers], customer_statuses=[r[2] for r in customers],
        customers_without_orders=lonely,
        product_ids=np.array([r[0] for r in products], dtype=np.int64),
        product_price_cents=np.array([int(r[1]) for r in products], dtype=np.int64),
        product_active=np.array([r[2] for r in products], dtype=np.int8),
        product_ordered=np.array([r[3] for r in products], dtype=np.int8),
        open_orders=open_orders, max_customer_id=int(max_c), max_order_id=int(max_o),
        max_item_id=int(max_i), now=np.datetime64(now, "ms"),
    )


def apply_change_batch(connect: Callable[..., pymysql.Connection], seed: int,
                       intensity: float = 0.01) -> dict[str, int]:
    """Plan and apply the next change batch in one transaction; returns what it did."""
    with connect() as conn, conn.cursor() as cur:
        cur.execute(statement(CHANGES_SQL, "next_batch_no"))
        batch_no = int(cur.fetchone()[0])
        plan = plan_change_batch(read_state(cur), seed, batch_no, intensity)
        statements = [("delete_customer", plan.customer_deletes), ("move_customer", plan.moves),
                      ("set_tier", plan.tiers), ("set_customer_status", plan.statuses),
                      ("set_price", plan.prices), ("deactivate_product", plan.deactivations),
                      ("delete_product", plan.product_deletes), ("set_order_status", plan.order_progress)]
        for name, rows in statements:
            if rows:
                cur.executemany(statement(CHANGES_SQL, name), rows)
        for table_name, table in (("customers", plan.restored_customers),
                                  ("customers", plan.new_customers), ("orders", plan.new_orders),
                                  ("order_items", plan.new_items)):
            if table is not None:
                insert_rows(cur, table_name, table)
        summary = plan.summary()
        cur.execute(statement(CHANGES_SQL, "record_batch"), (batch_no, seed, json.dumps(summary)))
        conn.commit()
    return {"batch": batch_no, **summary}
