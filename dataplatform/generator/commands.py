"""`dataplatform generate ...`: fill the shop database, apply change batches, write clickstream logs."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from dataplatform.arguments import positive_float, positive_int, share
from dataplatform.paths import state_dir


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    gen = sub.add_parser("generate", help="generate shop data, change batches and clickstream logs",
                         description="Deterministic data generators (same seed, same data).")
    gsub = gen.add_subparsers(dest="what", required=True, metavar="WHAT")

    shop = gsub.add_parser("shop", help="recreate the shop schema and load a generated shop",
                           description="Drop and recreate the shop tables, then bulk-load a shop "
                           "generated from --seed at --scale.")
    shop.add_argument("--scale", type=positive_float, default=0.01,
                      help="1.0 = 100k customers, 10k products, 1M orders (default 0.01)")
    shop.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    shop.add_argument("--database", default=None, help="target schema (default: the configured one)")

    changes = gsub.add_parser("changes", help="apply a change batch to the shop",
                              description="Apply deterministic change batches: moves, tier/status "
                              "changes, price changes, deletes, re-inserts, new customers and orders.")
    changes.add_argument("--batches", type=positive_int, default=1, help="how many batches (default 1)")
    changes.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    changes.add_argument("--intensity", type=share, default=0.01,
                         help="share of rows each kind of change touches (default 0.01)")
    changes.add_argument("--database", default=None, help="target schema (default: the configured one)")

    click = gsub.add_parser("clickstream", help="write clickstream log files that agree with the shop",
                            description="Write rotated JSON-lines web-server logs for the shop's "
                            "orders in the last --days of its history, plus browsing sessions.")
    click.add_argument("--out", type=Path, default=state_dir() / "clickstream" / "generated",
                       help="folder for the finished log files (default .state/clickstream/generated)")
    click.add_argument("--days", type=positive_float, default=3.0, help="how much history to cover (default 3)")
    click.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    click.add_argument("--bad-share", type=share, default=0.02,
                       help="share of malformed lines (default 0.02)")
    click.add_argument("--duplicate-share", type=share, default=0.01,
                       help="share of events written twice, as at-least-once delivery does (default 0.01)")
    click.add_argument("--huge-line-bytes", type=positive_int, default=1_000_000,
                       help="size of the rare oversized bad line (default 1,000,000)")
    click.add_argument("--hosts", type=positive_int, default=2, help="web servers writing logs (default 2)")
    click.add_argument("--database", default=None, help="source schema (default: the configured one)")
    return gen


def _mysql(database: str | None):
    from dataplatform.settings import load_settings

    return load_settings().mysql(database=database)


def run(args: argparse.Namespace) -> int:
    mysql = _mysql(args.database)
    if args.what == "shop":
        from dataplatform.generator.loader import load_tables
        from dataplatform.generator.shop import ShopSize, build_shop

        size = ShopSize.from_scale(args.scale)
        t0 = time.monotonic()
        tables = build_shop(args.seed, size)
        built = time.monotonic() - t0
        rows = sum(t.num_rows for t in tables.values())
        print(f"generated {rows:,} rows (seed {args.seed}, scale {args.scale}) in {built:.1f}s; "
              f"loading into {mysql.database}@{mysql.host}:{mysql.port}")
        mysql.ensure_database()
        load_tables(mysql.connect, tables)
        total = time.monotonic() - t0
        print(f"shop ready: {rows:,} rows in {total:.1f}s ({rows / total:,.0f} rows/s)")
        return 0
    if args.what == "changes":
        from dataplatform.generator.changes import apply_change_batch

        for batch in range(args.batches):
            summary = apply_change_batch(mysql.connect, seed=args.seed, intensity=args.intensity)
            print(f"batch {summary.pop('batch')}: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
        return 0
    if args.what == "clickstream":
        from dataplatform.generator.clickstream import ClickstreamOptions, write_clickstream

        options = ClickstreamOptions(seed=args.seed, days=args.days, bad_share=args.bad_share,
                                     duplicate_share=args.duplicate_share,
                                     huge_line_bytes=args.huge_line_bytes, hosts=args.hosts)
        stats = write_clickstream(mysql.connect, args.out, options)
        print(f"wrote {stats.files} files, {stats.lines:,} lines ({stats.bad_lines:,} bad, "
              f"{stats.duplicates:,} duplicates) to {args.out}")
        return 0
    raise AssertionError(args.what)
