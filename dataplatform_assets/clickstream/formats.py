"""Input formats the parser accepts; `DATAPLATFORM_CLICKSTREAM_FORMAT` picks one for the landing."""

from __future__ import annotations

from dataclasses import dataclass

from resources.sql import Sql, lits

# The event types of our web servers' JSON lines (the shop_json format); anything else is
# `unknown_event_type`.
EVENT_TYPES = ("page_view", "search", "product_view", "add_to_cart", "remove_from_cart",
               "checkout_start", "purchase")


@dataclass(frozen=True)
class ClickstreamFormat:
    name: str
    typed_sql: str  # under sql/: defines the `clickstream_typed` view from `clickstream_lines` (see CLASSIFY_SQL)
    description: str
    template_values: tuple[tuple[str, Sql], ...] = ()  # placeholders of its typed_sql besides max_line_bytes


# The reject ladder all formats share: `clickstream_classified` from a format's `clickstream_typed`.
CLASSIFY_SQL = "clickstream/classify.sql"

FORMATS = {
    "shop_json": ClickstreamFormat(
        "shop_json", "clickstream/typed_shop_json.sql",
        "our web servers' JSON lines (event_id, event_type, event_ts with offset, customer, product...)",
        (("event_types", lits(EVENT_TYPES)),)),
    "upgrad": ClickstreamFormat(
        "upgrad", "clickstream/typed_upgrad.sql",
        "upGrad-style app records: string fields, Yes/No flags, `timestamp` in UTC, keys in any case"),
}


def clickstream_format(name: str) -> ClickstreamFormat:
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown clickstream format {name!r}; known: {', '.join(FORMATS)}") from None
