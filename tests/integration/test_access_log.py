"""The access-log format on the real Thrift Server: web-server lines as nginx and Apache write them,
each an event or a reject with its reason; and a real nginx whose rotated log goes through the
stack's Flume agent and the parser, with events, rejects and sessions read back through HiveServer2."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from datetime import datetime, timezone

import dagster as dg
import pytest

from dataplatform.localstack.process import port_open
from dataplatform_assets.clickstream.landing import ClickstreamLandingResource
from tests.integration.clickstream_corpus import CHROME, access_line, classify_batch
from tests.integration.helpers import free_loopback_port

SALT = "a-test-salt-for-visitor-ids"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.0 Mobile/15E148 Safari/604.1")
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> ClickstreamLandingResource:
    salt = tmp_path_factory.mktemp("salt") / "visitor_salt"
    salt.write_text(SALT)
    return ClickstreamLandingResource(format="access-log", visitor_salt_file=str(salt))


COLUMNS = ("reject_reason", "event_id", "event_type", "CAST(event_ts AS STRING)", "customer_id", "device_id", "page",
           "query", "product_id", "order_id", "attributes")


def classified(hive, landing, batch: list[bytes]) -> list[dict]:
    """Each line's reason and event columns, in the batch's order."""
    names = [c.split("(")[-1].split(" ")[0] for c in COLUMNS]
    rows = [dict(zip(names, r)) for _, r in sorted(classify_batch(hive, landing, batch, ", ".join(COLUMNS)).items())]
    for row in rows:  # HiveServer2 sends a map as its JSON text
        row["attributes"] = json.loads(row["attributes"]) if row["attributes"] else None
    return rows


def visitor(addr: str, agent: str) -> str:
    return hashlib.sha256(f"{SALT}|{addr}|{agent}".encode()).hexdigest()


def test_each_line_becomes_its_event_or_gets_its_reason(hive, landing):
    cases = [  # (line, reason or None, what the event holds)
        (access_line("GET /product/42 HTTP/1.1", agent=IPHONE, customer="1234"), None,
         {"event_type": "product_view", "product_id": 42, "customer_id": 1234, "event_ts": "2025-06-01 10:05:00"}),
        # nginx escapes `"` and bytes outside printable ASCII; the URL's own %-escapes are the URL's
        (access_line(r"GET /search?q=\x22red\x22+lamp%20\xC3\xA4 HTTP/1.1"), None,
         {"event_type": "search", "query": '"red" lamp ä', "page": "/search"}),
        # Apache escapes `"` as \" and `\` as \\, and control characters C-style
        (access_line(r'GET /search?q=\"blue\" HTTP/1.1', agent=r"Agent\\Test\n2"), None,
         {"event_type": "search", "query": '"blue"'}),
        (access_line("POST /cart HTTP/1.1", 302, customer="77"), None,
         {"event_type": "add_to_cart", "customer_id": 77}),
        (access_line("GET /checkout HTTP/1.1"), None, {"event_type": "checkout_start"}),
        (access_line("GET /order/9001/confirmation HTTP/1.1"), None, {"event_type": "purchase", "order_id": 9001}),
        (access_line("GET /about HTTP/1.1", addr="203.0.113.5"), None,
         {"event_type": "page_view", "customer_id": None, "device_id": visitor("203.0.113.5", CHROME)}),
        (access_line(r"GET /p\xFF HTTP/1.1"), None, {"event_type": "page_view", "page": "/p\ufffd"}),
        (access_line("GET /" + "x" * 100_000 + " HTTP/1.1"), None, {"event_type": "page_view"}),
        (access_line("DELETE /cart/items/3 HTTP/1.1"), "unknown_event_type", {}),
        (access_line("GET /static/app.css HTTP/1.1"), "static_asset", {}),
        (access_line("GET /healthz HTTP/1.1"), "health_check", {}),
        (access_line("GET /product/7 HTTP/1.1", agent=GOOGLEBOT), "crawler", {}),
        (access_line("GET /nope HTTP/1.1", 404), "http_error", {}),
        (access_line("-", 400), "malformed_request", {}),
        (access_line(r"\x16\x03\x01\x02\x00", 400), "malformed_request", {}),
        (access_line("GET /product/0 HTTP/1.1"), "invalid_value", {}),
        (access_line("GET / HTTP/1.1", time="31/Feb/2025:10:00:00 +0000"), "bad_timestamp", {}),
        (access_line("GET / HTTP/1.1", time="01/Jun/2025:11:30:00 +0000"), "wrong_hour", {}),
        (access_line("GET / HTTP/1.1", time="01/Jun/2020:10:00:00 +0000"), "timestamp_out_of_range", {}),
        (b"hello world", "not_access_log", {}),
        (b'{"event_id": "e1", "event_type": "page_view"}', "not_access_log", {}),
        (access_line("GET / HTTP/1.1", agent="A\x01B"), "not_access_log", {}),  # no server writes a raw U+0001
        (b"\xff" + access_line("GET / HTTP/1.1"), "invalid_utf8", {}),
        (b"", "empty_line", {}),
    ]
    outcome = classified(hive, landing, [c[0] for c in cases])
    for (text, reason, want), got in zip(cases, outcome):
        assert got["reject_reason"] == reason, (text[:200], got)
        assert {k: got[k] for k in want} == want, (text[:200], got)
        if reason is None:  # an event keeps no address, and says what the request was
            assert "198.51.100.7" not in json.dumps(got) and "203.0.113.5" not in json.dumps(got)
            assert got["attributes"]["method"] in ("GET", "POST") and got["attributes"]["request_time"] == "0.012"
    assert outcome[0]["attributes"]["device"] == "iPhone" and outcome[0]["attributes"]["os"] == "iOS"
    # A byte-identical line is the same event (Flume's redelivered copy: a duplicate).
    twice = classified(hive, landing, [cases[6][0], cases[6][0]])
    assert twice[0]["reject_reason"] is None and twice[0]["event_id"] == twice[1]["event_id"]


# --- a real nginx, its rotated log through the stack's Flume agent -----------------------------------

NGINX_CONF = """daemon off;
master_process off;
worker_processes 1;
pid nginx.pid;
error_log stderr notice;
events { worker_connections 64; }
http {
  client_body_temp_path tmp/body; proxy_temp_path tmp/proxy; fastcgi_temp_path tmp/fastcgi;
  uwsgi_temp_path tmp/uwsgi; scgi_temp_path tmp/scgi;
  log_format shop '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
                  '"$http_referer" "$http_user_agent" $request_time "$cookie_customer_id"';
  access_log logs/access.log shop;
  server {
    listen 127.0.0.1:%(port)d;
    location = /healthz { return 200 "ok\\n"; }
    location = /cart { return 302 /checkout; }
    location /missing/ { return 404; }
    location / { return 200 "page\\n"; }
  }
}
"""


@pytest.fixture()
def nginx(tmp_path):
    """nginx on a free loopback port, started and stopped here; (port, its access log)."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(binary):
        pytest.fail("nginx is not installed: `./platform test` installs Debian's nginx package", pytrace=False)
    port = free_loopback_port()
    for folder in ("logs", "tmp"):
        (tmp_path / folder).mkdir()
    (tmp_path / "nginx.conf").write_text(NGINX_CONF % {"port": port})
    server = subprocess.Popen([binary, "-p", f"{tmp_path}/", "-c", "nginx.conf", "-e", "stderr"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={"TZ": "Asia/Kolkata"})
    deadline = time.monotonic() + 30
    while not port_open("127.0.0.1", port):
        assert server.poll() is None, server.stdout.read().decode(errors="replace")
        assert time.monotonic() < deadline, "nginx did not listen within 30 s"
        time.sleep(0.1)
    yield port, tmp_path / "logs" / "access.log"
    server.send_signal(signal.SIGQUIT)  # graceful: the log is complete when it exits
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def request(port: int, raw: bytes) -> int:
    """Send one request exactly as given (raw bytes: quotes, non-ASCII); the response's status."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(raw)
        response = b""
        while chunk := conn.recv(65536):
            response += chunk
    return int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/") else 0


def http(method: str, target: bytes, token: str, agent: str = CHROME, customer: str | None = None) -> bytes:
    cookie = f"Cookie: customer_id={customer}\r\n".encode() if customer else b""
    return (method.encode() + b" " + target + b" HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n"
            + f"User-Agent: {agent}\r\nReferer: https://shop.test/{token}\r\n".encode() + cookie + b"\r\n")


def test_nginx_access_logs_become_events_rejects_and_sessions(nginx, stack, lake, hive, test_resources, landing):
    from dataplatform.settings import load_settings
    from dataplatform_assets.clickstream.assets import EVENTS_KEY, clickstream_events, sessions
    from tests.integration.clickstream_corpus import LANDING, land
    from tests.integration.helpers import spool_file, wait_landed

    port, access_log = nginx
    # This run's own customer and anonymous visitor (the test lake keeps earlier runs' hours).
    token = uuid.uuid4().hex[:16]
    customer = str(int(token[:8], 16) + 10**9)
    browser = f"{CHROME} run/{token}"
    script = [  # (request, status nginx answers, reason the parser gives or None for an event)
        (http("GET", b"/product/42", token, IPHONE, customer), 200, None),
        (http("GET", b"/search?q=red+lamp", token, IPHONE, customer), 200, None),
        (http("POST", b"/cart", token, IPHONE, customer), 302, None),
        (http("GET", b"/checkout", token, IPHONE, customer), 200, None),
        (http("GET", b"/order/9001/confirmation", token, IPHONE, customer), 200, None),
        (http("GET", b'/search?q="quoted"\xc3\xa4', token, browser), 200, None),  # logged as \x22, \xC3\xA4
        (http("GET", b"/about", token, browser), 200, None),  # an anonymous visitor
        (http("GET", b"/static/app.css", token, browser), 200, "static_asset"),
        (http("GET", b"/healthz", token, browser), 200, "health_check"),
        (http("GET", b"/product/7", token, GOOGLEBOT), 200, "crawler"),
        (http("GET", b"/missing/page", token, browser), 404, "http_error"),
    ]
    started = datetime.now(timezone.utc)
    for raw, status, _ in script:
        assert request(port, raw) == status, raw
    ended = datetime.now(timezone.utc)
    lines = [ln for ln in access_log.read_bytes().split(b"\n") if ln]
    assert len(lines) == len(script) and all(b"+0530]" in ln for ln in lines)  # nginx's own offset, kept
    assert rb'q=\x22quoted\x22\xC3\xA4' in lines[5]  # nginx escaped what the client sent raw

    # As logrotate leaves it: the rotated file is complete; it goes to Flume's spool folder.
    rotated = access_log.with_name("access.log.1")
    access_log.rename(rotated)
    spool_file(f"access-{token}.log", rotated.read_bytes())
    hours = sorted({started.replace(minute=0, second=0, microsecond=0), ended.replace(minute=0, second=0,
                                                                                     microsecond=0)})
    stack_lake = load_settings("local").lake()
    found = wait_landed(stack_lake, [f"dt={h:%Y-%m-%d}/hr={h:%H}" for h in hours], token, len(script))

    outcomes = []
    for hour in hours:
        bucket = f"dt={hour:%Y-%m-%d}/hr={hour:%H}"
        key = f"{hour:%Y-%m-%d-%H}:00"
        land(lake, key, {name: b"\n".join(ln) + b"\n" for name, ln in found.get(bucket, {}).items()})
        resources = {**test_resources, "clickstream": ClickstreamLandingResource(
            landing_dir=LANDING, format="access-log", visitor_salt_file=landing.visitor_salt_file)}
        result = dg.materialize([clickstream_events], partition_key=key, resources=resources,
                                instance=dg.DagsterInstance.ephemeral())
        assert result.success and all(c.passed for c in result.get_asset_check_evaluations())
        outcomes += [e.materialization.metadata for e in result.get_asset_materialization_events()
                     if e.asset_key == EVENTS_KEY]
    read = sum(m["lines_read"].value for m in outcomes)
    assert read == len(script) == sum(m["accepted"].value + m["rejected"].value + m["duplicates"].value
                                      for m in outcomes)

    where = " OR ".join(f"(dt = '{h:%Y-%m-%d}' AND hr = '{h:%H}')" for h in hours)
    events = hive.query(f"SELECT event_type, customer_id, product_id, order_id, query, page FROM "
                        f"{hive.db('curated')}.clickstream_events WHERE ({where}) "
                        f"AND attributes['referer'] LIKE '%{token}' ORDER BY event_ts, event_type")
    known = int(customer)
    assert sorted(events, key=str) == sorted([
        ("product_view", known, 42, None, None, "/product/42"), ("search", known, None, None, "red lamp", "/search"),
        ("add_to_cart", known, None, None, None, "/cart"), ("checkout_start", known, None, None, None, "/checkout"),
        ("purchase", known, None, 9001, None, "/order/9001/confirmation"),
        ("search", None, None, None, '"quoted"ä', "/search"), ("page_view", None, None, None, None, "/about")],
        key=str)
    rejects = hive.query(f"SELECT reason, raw_line FROM {hive.db('curated')}.clickstream_rejects "
                         f"WHERE ({where}) AND raw_line LIKE '%{token}%'")
    assert sorted(r[0] for r in rejects) == sorted(reason for _, _, reason in script if reason)
    masked = "addr:" + hashlib.sha256(f"{SALT}|127.0.0.1".encode()).hexdigest()[:16] + " "
    assert all(r[1].startswith(masked) for r in rejects), [r[1][:40] for r in rejects]  # no address kept

    days = sorted({h.strftime("%Y-%m-%d") for h in hours})
    built = dg.materialize([sessions], resources=test_resources, instance=dg.DagsterInstance.ephemeral(),
                           tags={"dagster/asset_partition_range_start": days[0],
                                 "dagster/asset_partition_range_end": days[-1]})
    assert built.success
    anonymous = visitor("127.0.0.1", browser)
    found_sessions = hive.query(
        f"SELECT customer_id, device_id, events, products_viewed, cart_adds, converted, source_format FROM "
        f"{hive.db('curated')}.sessions WHERE dt IN ({', '.join(repr(d) for d in days)}) "
        f"AND (customer_id = {known} OR device_id = '{anonymous}')")
    by_actor = {(r[0], r[1] if r[0] is None else None): r[2:] for r in found_sessions}
    assert by_actor[(known, None)] == (5, 1, 1, True, "access-log")  # from product view to purchase
    assert by_actor[(None, anonymous)] == (2, 0, 0, False, "access-log")  # anonymous: a search and a page
