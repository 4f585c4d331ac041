"""The access-log clickstream format: web servers' own access logs (nginx's and Apache's combined
format, optionally with nginx's `$request_time` and one more quoted field holding a customer id).

One regular expression splits a line into its fields (`LINE_PATTERN`); routes from a TOML file
(`access_log.toml`, or DATAPLATFORM_ACCESS_LOG_CONFIG) say which request is which event; the
user agents of a parse are parsed once each, in Python, with the `ua-parser` library, and joined
in as a small table (a run's hours hold far fewer distinct user agents than lines; MAX_USER_AGENTS).
"""

from __future__ import annotations

import base64
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from resources.hive import run_statement
from resources.sql import Sql, lit, raw, rows, statement

DEFAULT_CONFIG = Path(__file__).with_name("access_log.toml")
TYPED_SQL = "clickstream/typed_access_log.sql"

# `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer"
# "$http_user_agent"`, then optionally ` $request_time` and ` "<id field>"`. A quoted field is
# anything but `"` and `\`, or a backslash escape (nginx's `\x22`, Apache's `\"` and `\\`); the
# possessive quantifiers never backtrack, so a megabyte of user agent costs one pass. Groups:
# 1 address, 2 user, 3 time, 4 request, 5 status, 6 bytes, 7 referer, 8 user agent,
# 9 request time, 10 id field. `[0-9]` rather than `\d`: Python's `\d` (the unit tests) is Unicode.
QUOTED = r'"([^"\\]*+(?:\\.[^"\\]*+)*+)"'
LINE_PATTERN = (r'^(\S+) \S+ (.*?) \[([^\]]+)\] ' + QUOTED + r' ([0-9]{3}) ([0-9]+|-) ' + QUOTED + ' ' + QUOTED
                + r'(?: ([0-9]+(?:\.[0-9]+)?|-))?(?: ' + QUOTED + r')?$')
# A line's leading address (IPv4 or IPv6), swapped for its salted hash in quarantined lines.
ADDRESS_PATTERN = r'^[0-9A-Fa-f.:]{2,45}(?= )'
ID_FIELDS = ("product_id", "order_id")
# User agents parsed per run, the most frequent first; the rest (an hour of scanners inventing
# them) get no browser, os or device, and are crawlers only by the routes file's pattern.
MAX_USER_AGENTS = 20_000


class AccessLogConfigError(ValueError):
    """The routes file cannot be read or says something the parser cannot do."""


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # a Java regex on the decoded path
    event_type: str
    id: str | None = None  # what the path's first group holds: product_id or order_id
    query: str | None = None  # the query-string parameter kept as the search text


@dataclass(frozen=True)
class AccessLogConfig:
    routes: tuple[Route, ...]
    health_paths: tuple[str, ...]
    static_path: str
    crawler_agent: str


def _checked_regex(text: str, where: str) -> str:
    try:
        re.compile(text)
    except re.error as exc:
        raise AccessLogConfigError(f"{where}: not a regular expression: {text!r} ({exc})") from None
    return text


@lru_cache(maxsize=8)
def load_config(path: str = "") -> AccessLogConfig:
    """The routes and skips of `path` (the packaged default when empty), checked."""
    source = Path(path) if path else DEFAULT_CONFIG
    try:
        data = tomllib.loads(source.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise AccessLogConfigError(f"cannot read the access-log routes {source}: {exc}") from None
    routes = []
    for n, entry in enumerate(data.get("route", []), 1):
        where = f"{source} route {n}"
        unknown = set(entry) - {"method", "path", "event_type", "id", "query"}
        if unknown or not {"method", "path", "event_type"} <= set(entry):
            raise AccessLogConfigError(f"{where}: needs method, path and event_type (and optionally id, query); "
                                       f"got {sorted(entry)}")
        if entry.get("id") not in (None, *ID_FIELDS):
            raise AccessLogConfigError(f"{where}: id must be one of {', '.join(ID_FIELDS)}, not {entry['id']!r}")
        if entry.get("id") and re.compile(entry["path"]).groups < 1:
            raise AccessLogConfigError(f"{where}: id {entry['id']} needs a group in its path pattern")
        if not re.fullmatch(r"[A-Z]+", entry["method"]):
            raise AccessLogConfigError(f"{where}: method must be an HTTP method in capitals, not {entry['method']!r}")
        routes.append(Route(entry["method"], _checked_regex(entry["path"], where), entry["event_type"],
                            entry.get("id"), entry.get("query")))
    return AccessLogConfig(
        routes=tuple(routes),
        health_paths=tuple(data.get("health_paths", ())),
        static_path=_checked_regex(data.get("static_path", "(?!)"), f"{source} static_path"),
        crawler_agent=_checked_regex(data.get("crawler_agent", "(?!)"), f"{source} crawler_agent"))


def route_sql(config: AccessLogConfig) -> Sql:
    """The event a request is: a CASE over the routes (each pattern a literal, so Spark compiles it
    once), giving a struct of event_type, product_id, order_id and the search text."""
    def struct(event_type: Sql, route: Route | None) -> str:
        pattern = lit(route.path).text if route else ""
        ids = {field: (f"try_cast(regexp_extract(path, {pattern}, 1) AS BIGINT)" if route and route.id == field
                       else "CAST(NULL AS BIGINT)") for field in ID_FIELDS}
        param = lit("(?:^|&)" + re.escape(route.query) + "=([^&]*)").text if route and route.query else ""
        search = (f"try_url_decode(regexp_extract(query_string, {param}, 1))" if param else "CAST(NULL AS STRING)")
        return (f"named_struct('event_type', {event_type.text}, 'product_id', {ids['product_id']}, "
                f"'order_id', {ids['order_id']}, 'search', {search})")

    whens = [f"WHEN method = {lit(r.method).text} AND path RLIKE {lit(r.path).text} THEN {struct(lit(r.event_type), r)}"
             for r in config.routes]
    whens.append(f"WHEN method = 'GET' THEN {struct(lit('page_view'), None)}")
    return raw("CASE " + " ".join(whens) + f" ELSE {struct(raw('CAST(NULL AS STRING)'), None)} END")


@lru_cache(maxsize=65536)
def parse_user_agent(agent: str) -> tuple[str | None, str | None, str | None, bool]:
    """(browser, os, device, is a crawler) of a user agent, by the ua-parser library's rules."""
    import ua_parser  # imported on first use: loading its rules takes a moment

    parsed = ua_parser.parse(agent)
    browser = parsed.user_agent.family if parsed.user_agent else None
    os_family = parsed.os.family if parsed.os else None
    device = parsed.device.family if parsed.device else None
    return browser, os_family, device, device == "Spider"


def define_user_agents(cur) -> None:
    """`access_log_user_agents`: each distinct user agent of the hour's lines, parsed."""
    run_statement(cur, statement(TYPED_SQL, "distinct_user_agents", limit=lit(MAX_USER_AGENTS)))
    agents = [row[0] for row in cur.fetchall()]
    if agents:
        values = rows((base64.b64encode(agent.encode()).decode(), *parse_user_agent(agent)) for agent in agents)
        run_statement(cur, statement(TYPED_SQL, "user_agents", agents=values))
    else:
        run_statement(cur, statement(TYPED_SQL, "no_user_agents"))


def check_settings(landing) -> None:
    """The routes file and the visitor salt can be read and are valid (ValueError if not)."""
    load_config(landing.access_log_config)
    landing.visitor_salt()


def define_typed(cur, landing, max_line_bytes: Sql) -> None:
    """`clickstream_typed` for access-log lines (formats.py): the lines split and decoded, the
    run's user agents parsed, then the events by route."""
    config = load_config(landing.access_log_config)
    run_statement(cur, statement(TYPED_SQL, "fields", max_line_bytes=max_line_bytes, line_pattern=lit(LINE_PATTERN)))
    define_user_agents(cur)
    run_statement(cur, statement(
        TYPED_SQL, "typed", routes=route_sql(config), visitor_salt=lit(landing.visitor_salt()),
        address_pattern=lit(ADDRESS_PATTERN),
        health_paths=raw(", ".join(lit(p).text for p in config.health_paths) or "NULL"),
        static_path=lit(config.static_path), crawler_agent=lit(config.crawler_agent)))
