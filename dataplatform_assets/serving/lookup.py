"""Reading one customer's 360° view from HBase, by id or by e-mail address (through the index)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from dataplatform_assets.serving import customer_360_table as design
from resources.hbase import HBaseResource


class BadLookup(ValueError):
    """A malformed id or e-mail address (the caller's mistake, not a missing customer)."""


@dataclass
class Customer360:
    customer_id: int
    row_key: str
    sections: dict[str, dict[str, str | None]]  # profile, stats, recent: column -> text
    refresh: dict[str, str | None]  # the refresh row: each input's as-of time, when it ran

    def as_json(self) -> dict:
        """The view with numbers, booleans and the JSON lists decoded (times stay ISO 8601 text)."""
        out: dict = {"customer_id": self.customer_id, "row_key": self.row_key, "refresh": self.refresh}
        for title, columns in self.sections.items():
            out[title] = {name: _typed(name, value) for name, value in columns.items()}
        return out


def parse_customer_id(text: str) -> int:
    if not text.isdigit() or int(text) <= 0:
        raise BadLookup(f"customer id must be a positive whole number, got {text!r}")
    return int(text)


def parse_email(text: str) -> str:
    if not design.EMAIL.match(text.strip()):
        raise BadLookup(f"not an e-mail address: {text!r}")
    return design.normalise_email(text)


def by_id(hbase: HBaseResource, customer_id: int) -> Customer360 | None:
    key = design.row_key(customer_id)
    found = hbase.rows(design.TABLE, [key, design.REFRESH_ROW])  # one round trip for both
    if key not in found:
        return None
    refresh = {k.decode().split(":", 1)[1]: v.decode() or None for k, v in found.get(design.REFRESH_ROW, {}).items()}
    return Customer360(customer_id, key.decode(), design.decode_row(found[key]), refresh)


def ids_for_email(hbase: HBaseResource, email: str) -> list[int]:
    """The customers the index lists for a normalised address (normally one)."""
    columns = hbase.row(design.EMAIL_INDEX, design.email_key(email))
    return sorted(int(column.split(b":", 1)[1]) for column in columns)


def _typed(name: str, value: str | None):
    """Counts and keys as numbers, flags as booleans, lists decoded; money and times stay text
    (exact decimals, ISO 8601)."""
    if value is None:
        return None
    if name in design.JSON_COLUMNS:
        return json.loads(value)
    if name in design.WHOLE_NUMBER_COLUMNS:
        return int(value)
    if name == "marketing_opt_in":
        return value == "true"
    return value
