"""`dataplatform customer`: one customer's 360° view, read from HBase only."""

from __future__ import annotations

import argparse
import json
import sys
import time

from dataplatform_assets.serving.lookup import (
    BadLookup,
    Customer360,
    by_id,
    ids_for_email,
    parse_customer_id,
    parse_email,
)

NOT_FOUND, BAD_INPUT = 1, 2


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    cmd = sub.add_parser("customer", help="show one customer's 360° view from HBase, by id or e-mail",
                         description="Print a customer's 360° view (profile and its history, orders, "
                         "recent activity, and how fresh each section is), read from the HBase table "
                         "customer_360 only. Exit 1 if there is no such customer, 2 for a malformed "
                         "id or address.")
    cmd.add_argument("customer_id", nargs="?", help="the customer's number in the shop")
    cmd.add_argument("--email", help="look the customer up by e-mail address instead (case and "
                     "surrounding spaces are ignored)")
    cmd.add_argument("--json", action="store_true", help="print JSON for scripts instead of text")
    return cmd


def run(args: argparse.Namespace) -> int:
    from dataplatform.settings import load_settings

    if (args.customer_id is None) == (args.email is None):
        print("error: give a customer id or --email ADDRESS (one of them)", file=sys.stderr)
        return BAD_INPUT
    try:
        wanted = parse_customer_id(args.customer_id) if args.email is None else parse_email(args.email)
    except BadLookup as exc:
        print(f"error: {exc}", file=sys.stderr)
        return BAD_INPUT
    hbase = load_settings().hbase()
    started = time.perf_counter()
    ids = [wanted] if isinstance(wanted, int) else ids_for_email(hbase, wanted)
    views = [view for view in (by_id(hbase, i) for i in ids) if view]
    elapsed_ms = (time.perf_counter() - started) * 1000
    if not views:
        what = f"customer {wanted}" if isinstance(wanted, int) else f"customer with e-mail {wanted}"
        print(f"no {what} in the 360° table (HBase {hbase.name('customer_360')}): deleted in the shop, "
              "never imported, or not refreshed since (`dataplatform materialize --select "
              "serving/hbase/customer_360`)", file=sys.stderr)
        return NOT_FOUND
    if args.json:
        print(json.dumps([v.as_json() for v in views] if len(views) > 1 else views[0].as_json(), indent=2))
    else:
        print("\n\n".join(render(v) for v in views))
        print(f"\n(read from HBase in {elapsed_ms:.1f} ms)")
    return 0


def render(view: Customer360) -> str:
    p, s, r = view.sections["profile"], view.sections["stats"], view.sections["recent"]
    data = view.as_json()
    lines = [f"Customer {view.customer_id} · {p.get('first_name') or ''} {p.get('last_name') or ''} · "
             f"{p.get('email') or 'no e-mail'}   (row {view.row_key})",
             f"\nProfile  (as of {p.get('as_of') or '?'})",
             f"  tier {p.get('tier')} · status {p.get('status')} · {p.get('city')}, {p.get('state')}, "
             f"{p.get('country')} · phone {p.get('phone') or '-'}",
             f"  customer since {p.get('created_at')} · marketing opt-in {p.get('marketing_opt_in')} · "
             f"version {p.get('customer_sk')} valid from {p.get('valid_from')} ({p.get('versions')} versions)",
             "  history (newest first):"]
    for v in data["profile"].get("history") or []:
        state = "deleted" if v.get("deleted") else \
            f"{v.get('tier')}, {v.get('status')}, {v.get('city')}, {v.get('email')}"
        lines.append(f"    {v['valid_from']}  {state}")
    lines += [f"\nOrders  (as of {s.get('as_of') or '?'})",
              f"  {s.get('orders')} orders ({s.get('kept_orders')} kept) · revenue {s.get('revenue')} · "
              f"AOV {s.get('aov') or '-'} · first {s.get('first_order_ts') or '-'} · "
              f"last {s.get('last_order_ts') or '-'}",
              f"  last 30 days: {s.get('orders_30d')} orders, {s.get('revenue_30d')} · "
              f"last 90 days: {s.get('orders_90d')} orders, {s.get('revenue_90d')}",
              "  latest orders:"]
    for o in data["recent"].get("recent_orders") or []:
        lines.append(f"    {o['order_ts']}  #{o['order_id']}  {o['status']:9}  {o['total_amount']} {o['currency']}"
                     f"  {o['units']} units")
    lines += [f"\nActivity  (as of {r.get('as_of') or '?'})",
              f"  {s.get('sessions')} sessions on {s.get('devices')} devices · last seen {s.get('last_seen') or '-'}",
              f"  funnel: {s.get('sessions_with_product_view')} viewed a product, {s.get('sessions_with_cart')} "
              f"carted, {s.get('sessions_with_checkout')} checked out, {s.get('sessions_converted')} ordered",
              "  recent events:"]
    for e in data["recent"].get("recent_events") or []:
        detail = e.get("page") or e.get("query") or (f"product {e['product_id']}" if e.get("product_id") else "")
        lines.append(f"    {e['event_ts']}  {e['event_type']:16} {detail or ''}")
    refreshed = view.refresh
    lines.append(f"\nTable refreshed {refreshed.get('refreshed_at') or '?'} (inputs as of: profile "
                 f"{refreshed.get('profile_as_of') or '-'}, orders {refreshed.get('orders_as_of') or '-'}, "
                 f"activity {refreshed.get('activity_as_of') or '-'})")
    return "\n".join(lines)
