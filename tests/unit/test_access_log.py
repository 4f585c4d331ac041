"""The access-log format's pieces that need no Spark: its line pattern (the same text Spark runs; Python's
`re` has possessive quantifiers too), its routes file and the user-agent parser."""

from __future__ import annotations

import re

import dagster as dg
import pytest

from dataplatform_assets.clickstream.access_log import (
    LINE_PATTERN,
    AccessLogConfigError,
    load_config,
    parse_user_agent,
    route_sql,
)
from dataplatform_assets.clickstream.assets import clickstream_events
from dataplatform_assets.clickstream.landing import ClickstreamLandingResource
from resources.hive import HiveServer2Resource
from resources.lake import LocalLake

PATTERN = re.compile(LINE_PATTERN)
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.0 Mobile/15E148 Safari/604.1")


def fields(line: str) -> tuple:
    match = PATTERN.match(line)
    assert match, line
    return match.groups()


def test_the_combined_format_splits_into_its_fields():
    line = ('203.0.113.9 - - [10/Oct/2025:13:55:36 -0700] "GET /product/42 HTTP/1.1" 200 2326 '
            f'"https://shop.example/search?q=lamp" "{IPHONE}"')
    assert fields(line) == ("203.0.113.9", "-", "10/Oct/2025:13:55:36 -0700", "GET /product/42 HTTP/1.1", "200",
                            "2326", "https://shop.example/search?q=lamp", IPHONE, None, None)


def test_the_nginx_extension_adds_request_time_and_an_id_field():
    line = '10.0.0.1 - alice [10/Oct/2025:13:55:36 +0530] "POST /cart HTTP/1.1" 302 0 "-" "curl/8.5" 0.004 "1234"'
    assert fields(line)[2:] == ("10/Oct/2025:13:55:36 +0530", "POST /cart HTTP/1.1", "302", "0", "-", "curl/8.5",
                                "0.004", "1234")
    assert fields(line)[1] == "alice"


@pytest.mark.parametrize("escaped,request_line", [
    # nginx: `"`, `\` and bytes outside printable ASCII as \xHH
    (r'GET /search?q=\x22lamp\x22\xC3\xA4 HTTP/1.1', r'GET /search?q=\x22lamp\x22\xC3\xA4 HTTP/1.1'),
    # Apache: \" and \\ and C-style escapes
    (r'GET /search?q=\"lamp\" HTTP/1.1', r'GET /search?q=\"lamp\" HTTP/1.1'),
    (r'GET /a\\"b HTTP/1.1', None),  # an escaped backslash, then a bare quote: the field ends there
    (r'\x16\x03\x01\x02\x00', r'\x16\x03\x01\x02\x00'),  # a TLS handshake sent to the plain port
    ('-', '-'),
])
def test_quoted_fields_keep_their_escapes_and_end_only_at_an_unescaped_quote(escaped, request_line):
    line = f'192.0.2.1 - - [10/Oct/2025:13:55:36 +0000] "{escaped}" 400 0 "-" "-"'
    match = PATTERN.match(line)
    assert (match.group(4) if match else None) == request_line


def test_a_megabyte_of_escapes_is_one_pass_not_a_stack_overflow():
    agent = "\\\"x" * 300_000
    line = f'192.0.2.1 - - [10/Oct/2025:13:55:36 +0000] "GET / HTTP/1.1" 200 1 "-" "{agent}"'
    assert fields(line)[7] == agent


@pytest.mark.parametrize("line", [
    '{"event_id": "x"}',
    '192.0.2.1 - - [10/Oct/2025:13:55:36 +0000] "GET / HTTP/1.1" 200 1',  # the common format: no referer or agent
    '192.0.2.1 - - [10/Oct/2025:13:55:36 +0000] "GET / HTTP/1.1" 2000 1 "-" "-"',
    '192.0.2.1 - - [10/Oct/2025:13:55:36 +0000] "GET / HTTP/1.1" 200 1 "-" "-" trailing',
])
def test_other_lines_do_not_match(line):
    assert PATTERN.match(line) is None


def test_the_packaged_routes_name_every_event_the_shop_funnel_needs():
    config = load_config()
    assert {r.event_type for r in config.routes} == {"product_view", "add_to_cart", "remove_from_cart",
                                                      "checkout_start", "purchase", "search"}
    assert "/healthz" in config.health_paths
    assert re.search(config.static_path, "/static/app.CSS") and not re.search(config.static_path, "/product/1")
    product = next(r for r in config.routes if r.event_type == "product_view")
    assert re.match(product.path, "/product/42").group(1) == "42"


@pytest.mark.parametrize("body,message", [
    ('[[route]]\nmethod = "GET"\npath = "^/p/("\nevent_type = "product_view"\n', "not a regular expression"),
    ('[[route]]\nmethod = "GET"\npath = "^/p$"\nevent_type = "product_view"\nid = "product_id"\n', "needs a group"),
    ('[[route]]\nmethod = "GET"\npath = "^/p/(1)$"\nevent_type = "x"\nid = "sku"\n', "id must be one of"),
    ('[[route]]\nmethod = "get"\npath = "^/p$"\nevent_type = "x"\n', "HTTP method in capitals"),
    ('[[route]]\npath = "^/p$"\nevent_type = "x"\n', "needs method, path and event_type"),
    ('[[route]\n', "cannot read"),
])
def test_a_wrong_routes_file_is_a_clear_error(tmp_path, body, message):
    path = tmp_path / "routes.toml"
    path.write_text(body)
    with pytest.raises(AccessLogConfigError, match=message):
        load_config(str(path))


def test_route_patterns_reach_sql_only_as_escaped_literals(tmp_path):
    path = tmp_path / "routes.toml"
    path.write_text('[[route]]\nmethod = "GET"\npath = "^/it\'s/([0-9]+)$"\nevent_type = "product_view"\n'
                    'id = "product_id"\n[[route]]\nmethod = "GET"\npath = "^/find$"\nevent_type = "search"\n'
                    'query = "term"\n')
    sql = route_sql(load_config(str(path))).text
    assert r"path RLIKE '^/it\'s/([0-9]+)$'" in sql
    assert r"'(?:^|&)term=([^&]*)'" in sql
    assert sql.count("WHEN") == 3 and "'page_view'" in sql  # two routes, then any other GET


def test_user_agents_are_parsed_by_the_library_and_spiders_flagged():
    assert parse_user_agent(IPHONE) == ("Mobile Safari", "iOS", "iPhone", False)
    browser, _, device, crawler = parse_user_agent("Mozilla/5.0 (compatible; Googlebot/2.1; "
                                                   "+http://www.google.com/bot.html)")
    assert (browser, device, crawler) == ("Googlebot", "Spider", True)


def test_the_visitor_salt_is_read_from_its_file_and_must_be_there(tmp_path):
    with pytest.raises(ValueError, match="DATAPLATFORM_VISITOR_SALT_FILE"):
        ClickstreamLandingResource(format="access-log").visitor_salt()
    salt = tmp_path / "salt"
    salt.write_text("short")
    with pytest.raises(ValueError, match="too short"):
        ClickstreamLandingResource(format="access-log", visitor_salt_file=str(salt)).visitor_salt()
    salt.write_text("a-long-enough-secret-salt\n")
    assert ClickstreamLandingResource(visitor_salt_file=str(salt)).visitor_salt() == "a-long-enough-secret-salt"
    with pytest.raises(ValueError, match="cannot read"):
        ClickstreamLandingResource(visitor_salt_file=str(tmp_path / "missing")).visitor_salt()


@pytest.mark.parametrize("salt,says", [("short", "too short"), (None, "cannot read the visitor salt file")])
def test_a_parse_with_a_wrong_salt_fails_at_once_with_a_clear_error_and_no_retries(tmp_path, salt, says):
    salt_file = tmp_path / "visitor_salt"
    if salt is not None:
        salt_file.write_text(salt)
    # Services on ports nothing listens on: the settings are checked before any is asked.
    resources = {"hive": HiveServer2Resource(host="127.0.0.1", port=1), "lake": LocalLake(root=tmp_path.as_uri()),
                 "clickstream": ClickstreamLandingResource(format="access-log", visitor_salt_file=str(salt_file))}
    result = dg.materialize([clickstream_events], partition_key="2025-06-01-10:00", resources=resources,
                            raise_on_error=False, instance=dg.DagsterInstance.ephemeral())
    assert not result.success
    assert not [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY]
    [failure] = result.get_step_failure_events()
    assert says in failure.event_specific_data.error.message
