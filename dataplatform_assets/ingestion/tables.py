"""The import contract: one typed spec per shop table, kept here in the repo.

Modes follow Sqoop: `full` replaces the table with a new load; `append` reads rows whose
`check_column` grew past the last value; `lastmodified` reads rows whose `check_column` (a
timestamp) moved past the last value and merges them on `merge_key`. Both incremental modes are
bounded above by a value captured at the start of the run, inside the same consistent snapshot the
rows are read from, and are backed by a chunk checksum comparison that also catches what a check
column cannot show: rows committed late, timestamps set in the past, deletes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Mode = Literal["full", "append", "lastmodified"]
MODES = ("full", "append", "lastmodified")
Capture = Literal["checksums", "binlog"]
CAPTURES = ("checksums", "binlog")


class ContractError(ValueError):
    """A table spec that cannot work."""


@dataclass(frozen=True)
class SourceTable:
    name: str
    primary_key: tuple[str, ...]
    description: str
    mode: Mode = "full"
    check_column: str | None = None
    merge_key: tuple[str, ...] | None = None
    where: str | None = None  # a filter on the source rows, in MySQL syntax
    columns: tuple[str, ...] | None = None  # a subset to import (the key is always included)
    split_by: str | None = None  # the integer column chunks and partitions are cut on
    num_partitions: int = 1
    fetch_size: int = 50_000
    chunk_rows: int = 10_000  # key span of one checksum chunk
    full_every: int = 24  # an incremental table takes a full load after this many incremental ones
    # `pymysql` reads inside the import's snapshot; `connectorx` reads Arrow natively, ~20x faster,
    # in a statement of its own. The `import_engine` resource can override it for every table.
    engine: Literal["pymysql", "connectorx", "spark", "sqoop"] = "connectorx"
    # Keep every load (and show it in raw.mysql_<table>) instead of dropping those before the latest
    # full load: the warehouse's SCD-2 dimensions are built, and rebuilt, from them.
    keep_loads: bool = False
    # How an incremental load finds what changed: `checksums` (the check column's window plus every
    # key chunk whose checksum moved, which scans the table each run) or `binlog` (the keys the
    # source's row-based binary log saw change, binlog_capture.py: cost follows the change).
    capture: Capture = "checksums"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ContractError(f"{self.name}: mode must be one of {MODES}, got {self.mode!r}")
        if self.capture not in CAPTURES:
            raise ContractError(f"{self.name}: capture must be one of {CAPTURES}, got {self.capture!r}")
        if self.mode != "full" and not self.check_column:
            raise ContractError(f"{self.name}: mode {self.mode} needs a check_column")
        if self.mode == "lastmodified" and not self.merge_key:
            raise ContractError(f"{self.name}: mode lastmodified needs a merge_key")
        if self.columns is not None and not set(self.primary_key) <= set(self.columns):
            raise ContractError(f"{self.name}: columns must include the primary key {self.primary_key}")
        if self.num_partitions < 1 or self.fetch_size < 1 or self.chunk_rows < 1:
            raise ContractError(f"{self.name}: num_partitions, fetch_size and chunk_rows must be positive")

    @property
    def key(self) -> str:
        """The single integer key incremental modes chunk on."""
        return self.split_by or self.primary_key[0]

    def chunk(self, key_value: int) -> int:
        """The checksum chunk a key value belongs to (FLOOR(key / chunk_rows) on the MySQL side)."""
        return key_value // self.chunk_rows


SHOP_TABLES = (
    SourceTable("customers", ("customer_id",),
                "Shop customers: contact, address, loyalty tier and account status (mutable).",
                mode="lastmodified", check_column="updated_at", merge_key=("customer_id",), keep_loads=True),
    SourceTable("products", ("product_id",),
                "The product catalogue: SKU, category, brand, current price (mutable).",
                mode="lastmodified", check_column="updated_at", merge_key=("product_id",), keep_loads=True),
    SourceTable("orders", ("order_id",),
                "Order headers: customer, time, status, payment, total (status changes over time).",
                mode="lastmodified", check_column="updated_at", merge_key=("order_id",)),
    SourceTable("order_items", ("order_item_id",),
                "Order lines: product, quantity and unit price at order time (append-only).",
                mode="append", check_column="order_item_id"),
)
