"""The SCD type 2 dimensions: one typed spec each, kept here in the repo.

A change to a tracked column opens a new version; a change to any other column of the source
updates the open version in place. Every column of the source table is in the dimension: tracked
ones as named here, the rest (and columns the source adds later) untracked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

OutOfOrder = Literal["rebuild", "refuse"]


@dataclass(frozen=True)
class Dimension:
    name: str  # the table in the warehouse database, e.g. dim_customer
    source: str  # the imported MySQL table it is built from (its SourceTable name)
    key: str  # the business key: the source's integer primary key
    surrogate_key: str  # the version's own key, stable across rebuilds
    tracked: tuple[str, ...]
    description: str
    # A load older than the last one applied: rebuild the history from every kept load (default),
    # or refuse with a clear message.
    out_of_order: OutOfOrder = "rebuild"
    keep_versions: int = 3  # published versions of the table kept for rollback (the current one included)

    def __post_init__(self) -> None:
        if not self.tracked or self.key in self.tracked:
            raise ValueError(f"{self.name}: tracked columns must be given and must not include the key")
        if self.out_of_order not in ("rebuild", "refuse"):
            raise ValueError(f"{self.name}: out_of_order must be rebuild or refuse, got {self.out_of_order!r}")
        if self.keep_versions < 2:
            raise ValueError(f"{self.name}: keep_versions must be at least 2 (readers of the replaced one)")


DIM_CUSTOMER = Dimension(
    "dim_customer", "customers", "customer_id", "customer_sk",
    tracked=("email", "street", "city", "state", "postal_code", "country", "tier", "status"),
    description="Customers with their history: a new version whenever the address, email, loyalty tier "
                "or account status changes; names, phone and opt-in are corrected in place.")
DIM_PRODUCT = Dimension(
    "dim_product", "products", "product_id", "product_sk",
    tracked=("sku", "name", "category", "brand", "price", "currency", "is_active"),
    description="Products with their history: a new version whenever the SKU, name, category, brand, "
                "price or availability changes.")
DIMENSIONS = (DIM_CUSTOMER, DIM_PRODUCT)
