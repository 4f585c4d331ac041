"""Input formats the parser accepts; `DATAPLATFORM_CLICKSTREAM_FORMAT` picks one for the landing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dataplatform_assets.clickstream import access_log
from resources.hive import run_statement
from resources.sql import Sql, lits, statement

# The event types of our web servers' JSON lines (the shop_json format); anything else is
# `unknown_event_type`.
EVENT_TYPES = ("page_view", "search", "product_view", "add_to_cart", "remove_from_cart",
               "checkout_start", "purchase")


# Reasons for lines that are not events by design (a web server's static files, health checks,
# crawlers): quarantined and counted like rejects, but not held against an hour's reject share.
SKIP_REASONS = ("http_error", "health_check", "static_asset", "crawler")


@dataclass(frozen=True)
class ClickstreamFormat:
    name: str
    typed_sql: str  # under sql/: defines the `clickstream_typed` view from `clickstream_lines` (see CLASSIFY_SQL)
    description: str
    template_values: tuple[tuple[str, Sql], ...] = ()  # placeholders of its typed_sql besides max_line_bytes
    # A format whose typing takes more than one statement defines the view itself:
    # define_typed(cursor, landing resource, max_line_bytes).
    define_typed: Callable[..., None] | None = None
    # Raises ValueError if the landing resource's settings for this format are wrong (a parse
    # checks them before any work, so the error is not retried as an outage).
    check_settings: Callable[..., None] | None = None

    def define_typed_view(self, cur, landing, max_line_bytes: Sql) -> None:
        """Define `clickstream_typed` in the cursor's session."""
        if self.define_typed is not None:
            self.define_typed(cur, landing, max_line_bytes)
        else:
            run_statement(cur, statement(self.typed_sql, max_line_bytes=max_line_bytes, **dict(self.template_values)))


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
    "access-log": ClickstreamFormat(
        "access-log", access_log.TYPED_SQL,
        "web servers' access logs (nginx/Apache combined, optionally with $request_time and an id field); "
        "events by configured routes", define_typed=access_log.define_typed, check_settings=access_log.check_settings),
}


def clickstream_format(name: str) -> ClickstreamFormat:
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown clickstream format {name!r}; known: {', '.join(FORMATS)}") from None
