"""The shop's initial contents, generated deterministically from (seed, scale) as Arrow tables.

Money is kept in integer cents here (exact); the loader turns cents into DECIMAL in MariaDB.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from dataplatform.generator.vocabulary import (
    ADJECTIVES,
    CATEGORIES,
    CITIES,
    FIRST_NAMES,
    LAST_NAMES,
    NOUNS,
    STREETS,
)

# The shop's history ends here; every generated timestamp lies before it, so a seed always
# yields the same rows whatever day it runs.
HISTORY_END = np.datetime64("2025-12-31T23:59:59.000", "ms")
CUSTOMERS_FROM = np.datetime64("2023-01-01T00:00:00.000", "ms")
PRODUCTS_FROM = np.datetime64("2022-06-01T00:00:00.000", "ms")
DAY_MS = 86_400_000

TIERS = ("bronze", "silver", "gold", "platinum")
CUSTOMER_STATUSES = ("active", "suspended", "closed")
ORDER_STATUSES = ("placed", "paid", "shipped", "delivered", "cancelled", "returned")
PAYMENT_METHODS = ("card", "paypal", "bank_transfer", "gift_card")
CHANNELS = ("web", "app")


@dataclass(frozen=True)
class ShopSize:
    customers: int
    products: int
    orders: int

    @classmethod
    def from_scale(cls, scale: float) -> ShopSize:
        """1.0 = 100,000 customers, 10,000 products, 1,000,000 orders (about 2.2M order lines)."""
        if scale <= 0:
            raise ValueError(f"scale must be positive, got {scale}")
        return cls(customers=max(50, round(100_000 * scale)), products=max(30, round(10_000 * scale)),
                   orders=max(200, round(1_000_000 * scale)))


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _pick(rng: np.random.Generator, choices: tuple, n: int, p: list[float]) -> np.ndarray:
    return rng.choice(len(choices), size=n, p=p)


def _timestamps(start: np.datetime64, end: np.datetime64, frac: np.ndarray) -> np.ndarray:
    span = (end - start).astype(np.int64)
    return start + (frac * span).astype(np.int64).astype("timedelta64[ms]")


def _dictionary(codes: np.ndarray, values: tuple) -> pa.Array:
    return pa.array(np.asarray(values, dtype=object)[codes], pa.string())


def build_customers(rng: np.random.Generator, ids: np.ndarray,
                    created_from: np.datetime64 = CUSTOMERS_FROM,
                    created_to: np.datetime64 = HISTORY_END - 60 * DAY_MS) -> pa.Table:
    ids = np.asarray(ids, dtype=np.int64)
    n = ids.shape[0]
    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(LAST_NAMES), n)
    city = rng.integers(0, len(CITIES), n)
    street = rng.integers(0, len(STREETS), n)
    house = rng.integers(1, 200, n)
    postal = rng.integers(0, 1000, n)
    phone = rng.integers(100_000_000, 999_999_999, n)
    has_phone = rng.random(n) > 0.1
    created = _timestamps(created_from, created_to, rng.random(n))
    touched = rng.random(n) < 0.3
    updated = np.where(touched, _timestamps(created_from, created_to, rng.random(n)), created)
    updated = np.maximum(updated, created)
    first_slugs = [ascii_slug(x) for x in FIRST_NAMES]
    last_slugs = [ascii_slug(x) for x in LAST_NAMES]
    return pa.table({
        "customer_id": pa.array(ids, pa.int64()),
        "email": [f"{first_slugs[f]}.{last_slugs[s]}.{i}@example.com"
                  for f, s, i in zip(first, last, ids)],
        "first_name": _dictionary(first, FIRST_NAMES),
        "last_name": _dictionary(last, LAST_NAMES),
        "phone": pa.array([f"+49 {p}" if h else None for p, h in zip(phone, has_phone)], pa.string()),
        "street": [f"{STREETS[s]} {h}" for s, h in zip(street, house)],
        "city": _dictionary(city, tuple(c[0] for c in CITIES)),
        "state": _dictionary(city, tuple(c[1] for c in CITIES)),
        "postal_code": [f"{CITIES[c][2]}{p:03d}" for c, p in zip(city, postal)],
        "country": _dictionary(city, tuple(c[3] for c in CITIES)),
        "tier": _dictionary(_pick(rng, TIERS, n, [0.6, 0.25, 0.12, 0.03]), TIERS),
        "status": _dictionary(_pick(rng, CUSTOMER_STATUSES, n, [0.95, 0.02, 0.03]), CUSTOMER_STATUSES),
        "marketing_opt_in": pa.array(rng.random(n) < 0.4, pa.bool_()),
        "created_at": pa.array(created, pa.timestamp("ms")),
        "updated_at": pa.array(updated, pa.timestamp("ms")),
    })


def build_products(rng: np.random.Generator, n: int, first_id: int = 1) -> pa.Table:
    ids = np.arange(first_id, first_id + n, dtype=np.int64)
    cat = rng.integers(0, len(CATEGORIES), n)
    names, brands, prices = [], [], []
    for pid, c in zip(ids, cat):
        category, brand_list, (lo, hi) = CATEGORIES[c]
        brand = brand_list[int(rng.integers(0, len(brand_list)))]
        noun = NOUNS[category][int(rng.integers(0, len(NOUNS[category])))]
        adjective = ADJECTIVES[int(rng.integers(0, len(ADJECTIVES)))]
        names.append(f"{brand} {adjective} {noun} {pid}")
        brands.append(brand)
        # Log-uniform prices ending in .99 or .49, the way shops price things.
        euros = int(np.exp(rng.uniform(np.log(lo), np.log(hi))))
        prices.append(euros * 100 + (99 if rng.random() < 0.7 else 49))
    created = _timestamps(PRODUCTS_FROM, CUSTOMERS_FROM, rng.random(n))
    return pa.table({
        "product_id": pa.array(ids, pa.int64()),
        "sku": [f"SKU-{c:02d}-{pid:07d}" for c, pid in zip(cat, ids)],
        "name": names,
        "category": _dictionary(cat, tuple(c[0] for c in CATEGORIES)),
        "brand": brands,
        "price_cents": pa.array(prices, pa.int64()),
        "is_active": pa.array(rng.random(n) > 0.03, pa.bool_()),
        "created_at": pa.array(created, pa.timestamp("ms")),
        "updated_at": pa.array(created, pa.timestamp("ms")),
    })


def _order_statuses(rng: np.random.Generator, age_days: np.ndarray) -> np.ndarray:
    u = rng.random(age_days.shape[0])
    old = np.select([u < 0.90, u < 0.94], [3, 4], 5)           # delivered / cancelled / returned
    mid = np.select([u < 0.70, u < 0.90], [2, 1], 4)           # shipped / paid / cancelled
    new = np.select([u < 0.40, u < 0.90], [0, 1], 4)           # placed / paid / cancelled
    return np.select([age_days > 14, age_days > 3], [old, mid], new)


def build_orders(rng: np.random.Generator, n: int, customers: pa.Table, products: pa.Table,
                 first_order_id: int = 1, first_item_id: int = 1,
                 end: np.datetime64 = HISTORY_END) -> tuple[pa.Table, pa.Table]:
    """Orders and their lines: a few customers order a lot, a few products sell a lot."""
    customer_ids = customers["customer_id"].to_numpy()
    customer_created = customers["created_at"].to_numpy()
    weights = rng.lognormal(0.0, 1.0, customer_ids.shape[0])
    who = rng.choice(customer_ids.shape[0], size=n, p=weights / weights.sum())
    span_ms = (end - customer_created[who]).astype(np.int64)
    order_ts = customer_created[who] + (rng.random(n) * span_ms).astype("timedelta64[ms]")
    by_time = np.argsort(order_ts, kind="stable")  # order ids follow time, like an auto-increment key
    order_ts, who = order_ts[by_time], who[by_time]
    age_days = (end - order_ts).astype(np.int64) / DAY_MS
    status = _order_statuses(rng, age_days)
    settled = np.isin(status, (2, 3, 4, 5))
    delay = (rng.uniform(0.5, 7.0, n) * DAY_MS).astype(np.int64).astype("timedelta64[ms]")
    updated = np.where(settled, np.minimum(order_ts + delay, end), order_ts)

    product_ids = products["product_id"].to_numpy()
    price_cents = products["price_cents"].to_numpy()
    popularity = 1.0 / (np.arange(1, product_ids.shape[0] + 1) + 10.0) ** 0.9
    popularity = rng.permutation(popularity)
    lines = 1 + np.minimum(rng.poisson(1.2, n), 7)
    total_lines = int(lines.sum())
    order_index = np.repeat(np.arange(n), lines)
    starts = np.cumsum(lines) - lines
    line_no = np.arange(total_lines) - np.repeat(starts, lines) + 1
    which = rng.choice(product_ids.shape[0], size=total_lines, p=popularity / popularity.sum())
    quantity = 1 + np.minimum(rng.poisson(0.3, total_lines), 4)
    unit_cents = price_cents[which]
    totals = np.bincount(order_index, weights=quantity * unit_cents, minlength=n).astype(np.int64)

    order_ids = np.arange(first_order_id, first_order_id + n, dtype=np.int64)
    orders = pa.table({
        "order_id": pa.array(order_ids, pa.int64()),
        "customer_id": pa.array(customer_ids[who], pa.int64()),
        "order_ts": pa.array(order_ts, pa.timestamp("ms")),
        "status": _dictionary(status, ORDER_STATUSES),
        "payment_method": _dictionary(_pick(rng, PAYMENT_METHODS, n, [0.55, 0.3, 0.1, 0.05]),
                                      PAYMENT_METHODS),
        "channel": _dictionary(_pick(rng, CHANNELS, n, [0.65, 0.35]), CHANNELS),
        "total_amount_cents": pa.array(totals, pa.int64()),
        "created_at": pa.array(order_ts, pa.timestamp("ms")),
        "updated_at": pa.array(updated, pa.timestamp("ms")),
    })
    items = pa.table({
        "order_item_id": pa.array(np.arange(first_item_id, first_item_id + total_lines), pa.int64()),
        "order_id": pa.array(order_ids[order_index], pa.int64()),
        "line_no": pa.array(line_no, pa.int64()),
        "product_id": pa.array(product_ids[which], pa.int64()),
        "quantity": pa.array(quantity, pa.int64()),
        "unit_price_cents": pa.array(unit_cents, pa.int64()),
        "created_at": pa.array(order_ts[order_index], pa.timestamp("ms")),
    })
    return orders, items


def build_shop(seed: int, size: ShopSize) -> dict[str, pa.Table]:
    """The whole initial shop; the same (seed, size) always gives the same tables."""
    rng = np.random.default_rng(seed)
    customers = build_customers(rng, np.arange(1, size.customers + 1))
    products = build_products(rng, size.products)
    orders, items = build_orders(rng, size.orders, customers, products)
    return {"customers": customers, "products": products, "orders": orders, "order_items": items}
