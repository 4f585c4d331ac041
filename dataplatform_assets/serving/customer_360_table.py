"""The customer 360° table's design in HBase: row keys, column families, the e-mail index and the
one encoding every cell uses (docs/serving.md gives the reasons).

- Row key `md5(id)[0:4]|id`: the hash prefix spreads consecutive ids over every region, and a
  reader who knows the id can still build the key. The table is pre-split on that prefix.
- Families `p` (profile), `s` (stats), `r` (recent; with a time to live): short names, since HBase
  stores the family with every cell.
- The index table `customer_360_email`: row key the normalised address, one column `c:<id>` per
  customer holding it, whose value is that customer's row key.
- Every value is UTF-8 text: whole numbers in decimal, money with two decimals, times ISO 8601 UTC
  with milliseconds (`2026-12-02T06:13:40.123Z`), booleans `true`/`false`, lists as JSON arrays.
  An empty cell is NULL, so a value that becomes NULL overwrites the old one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

TABLE = "customer_360"
EMAIL_INDEX = "customer_360_email"
REGIONS = 16
RECENT_TTL_SECONDS = 400 * 24 * 3600  # a recent section no refresh touched for 400 days expires
HISTORY_SIZE, RECENT_ORDERS, RECENT_EVENTS = 10, 10, 20
# The refresh's own row: when each section's inputs were last seen. It sorts after every customer
# key (hex prefixes), so a scan up to it sees customers only.
REFRESH_ROW = b"~refresh"
INDEX_FAMILY = b"c"


@dataclass(frozen=True)
class Family:
    name: str
    title: str
    ttl_seconds: int | None
    columns: tuple[str, ...]


PROFILE = Family("p", "profile", None, (
    "customer_id", "customer_sk", "valid_from", "email", "first_name", "last_name", "phone", "city", "state",
    "country", "tier", "status", "marketing_opt_in", "created_at", "versions", "history"))
STATS = Family("s", "stats", None, (
    "orders", "kept_orders", "revenue", "aov", "first_order_ts", "last_order_ts", "orders_30d", "revenue_30d",
    "orders_90d", "revenue_90d", "sessions", "last_seen", "devices", "sessions_with_product_view",
    "sessions_with_cart", "sessions_with_checkout", "sessions_converted"))
RECENT = Family("r", "recent", RECENT_TTL_SECONDS, ("recent_orders", "recent_events"))
FAMILIES = (PROFILE, STATS, RECENT)
JSON_COLUMNS = frozenset({"history", "recent_orders", "recent_events"})
WHOLE_NUMBER_COLUMNS = frozenset({
    "customer_id", "customer_sk", "versions", "orders", "kept_orders", "orders_30d", "orders_90d", "sessions",
    "devices", "sessions_with_product_view", "sessions_with_cart", "sessions_with_checkout", "sessions_converted"})
# Each section's freshness: the time of the latest input change it was computed from.
SECTION_AS_OF = {"p": "profile_as_of", "s": "orders_as_of", "r": "activity_as_of"}
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+\Z")


def row_key(customer_id: int) -> bytes:
    text = str(int(customer_id))
    return f"{hashlib.md5(text.encode()).hexdigest()[:4]}|{text}".encode()


def split_keys(regions: int = REGIONS) -> list[bytes]:
    """Where the pre-split regions begin: even steps through the 4-hex-digit prefixes."""
    return [f"{i * 0x10000 // regions:04x}".encode() for i in range(1, regions)]


def normalise_email(address: str) -> str:
    return address.strip().casefold()


def email_key(address: str) -> bytes:
    return normalise_email(address).encode()


def column(family: Family, name: str) -> bytes:
    return f"{family.name}:{name}".encode()


def encode(value: object) -> bytes:
    """A value as the table stores it (module docstring); None becomes an empty cell."""
    if value is None:
        return b""
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, datetime):
        value = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3].encode() + b"Z"
    if isinstance(value, date):
        return value.isoformat().encode()
    if isinstance(value, Decimal):
        return f"{value:.2f}".encode()
    return str(value).encode()


def cells(values: dict[str, object], as_of: dict[str, object]) -> dict[bytes, bytes]:
    """Every cell of one customer's row: all columns of every family (absolute values) and each
    section's freshness."""
    out = {}
    for family in FAMILIES:
        out |= {column(family, name): encode(values.get(name)) for name in family.columns}
        out[column(family, "as_of")] = encode(as_of.get(SECTION_AS_OF[family.name]))
    return out


def decode_row(row: dict[bytes, bytes]) -> dict[str, dict[str, str | None]]:
    """A stored row as {section title: {column: text or None}}."""
    sections: dict[str, dict[str, str | None]] = {f.title: {} for f in FAMILIES}
    by_name = {f.name: f for f in FAMILIES}
    for key, value in row.items():
        family, _, name = key.decode().partition(":")
        if family in by_name:
            sections[by_name[family].title][name] = value.decode() or None
    return sections
