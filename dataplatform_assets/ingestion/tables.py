"""The shop tables the platform imports, one spec each (the import contract grows here)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceTable:
    name: str
    primary_key: tuple[str, ...]
    description: str


SHOP_TABLES = (
    SourceTable("customers", ("customer_id",),
                "Shop customers: contact, address, loyalty tier and account status (mutable)."),
    SourceTable("products", ("product_id",),
                "The product catalogue: SKU, category, brand, current price (mutable)."),
    SourceTable("orders", ("order_id",),
                "Order headers: customer, time, status, payment, total (status changes over time)."),
    SourceTable("order_items", ("order_item_id",),
                "Order lines: product, quantity and unit price at order time (append-only)."),
)
