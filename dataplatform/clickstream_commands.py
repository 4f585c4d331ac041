"""`dataplatform clickstream ...`: play web servers into Flume's spool folder; tidy the landing."""

from __future__ import annotations

import argparse
from pathlib import Path

from dataplatform.arguments import positive_float, positive_int, share
from dataplatform.paths import state_dir


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    click = sub.add_parser("clickstream", help="feed the clickstream pipeline: play web servers into Flume",
                           description="The clickstream's landing side: Flume's spool folder and its HDFS landing.")
    csub = click.add_subparsers(dest="what", required=True, metavar="WHAT")
    play = csub.add_parser("play", help="write rotated web-server log files into Flume's spool folder, live",
                           description="Write the shop's clickstream into Flume's spool folder at a set "
                           "rate, one file per web server and rotation, so Flume, the landing sensor "
                           "and the parser can be watched working. Events are re-stamped to the "
                           "current time unless --historic.")
    play.add_argument("--rate", type=positive_float, default=200.0, help="good events per second (default 200)")
    play.add_argument("--rotate-seconds", type=positive_float, default=5.0,
                      help="seconds between log rotations (default 5)")
    play.add_argument("--events", type=positive_int, default=None, help="stop after this many events (default: all)")
    play.add_argument("--days", type=positive_float, default=1.0, help="history the events come from (default 1)")
    play.add_argument("--historic", action="store_true", help="keep the events' historical times")
    play.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    play.add_argument("--bad-share", type=share, default=0.02, help="share of malformed lines (default 0.02)")
    play.add_argument("--duplicate-share", type=share, default=0.01,
                      help="share of events written twice (default 0.01)")
    play.add_argument("--spool", type=Path, default=None,
                      help="Flume's spool folder (default: the local stack's, .state/clickstream/spool)")
    play.add_argument("--database", default=None, help="source schema (default: the configured one)")
    csub.add_parser("recover-landing", help="make files a killed Flume agent left open readable",
                    description="Copy every `_*.tmp` file in the landing buckets whole into a closed, "
                    "visible `*.recovered.jsonl` file and delete it. Run it only while no Flume agent "
                    "writes to the landing; the local stack runs it before it starts Flume.")
    return click


def run(args: argparse.Namespace) -> int:
    from dataplatform.settings import load_settings

    settings = load_settings()
    if args.what == "recover-landing":
        from dataplatform_assets.clickstream.landing import LANDING_DIR, recover_open_files

        lake = settings.lake()
        recovered = recover_open_files(lake, LANDING_DIR)
        print(f"recovered {len(recovered)} open files" + "".join(f"\n  {p}" for p in recovered))
        return 0
    if args.what == "play":
        from dataplatform.generator.clickstream import ClickstreamOptions, build_events, read_shop_facts
        from dataplatform.generator.play import PlayOptions, play
        from dataplatform.localstack.flume import spool_dir

        mysql = settings.mysql(database=args.database)
        options = ClickstreamOptions(seed=args.seed, days=args.days, bad_share=args.bad_share,
                                     duplicate_share=args.duplicate_share)
        events = build_events(read_shop_facts(mysql.connect, args.days), options)[:args.events]
        spool = args.spool or spool_dir(state_dir())
        print(f"playing {len(events):,} events into {spool} at {args.rate:,.0f}/s, rotating every "
              f"{args.rotate_seconds:g}s ({'historic' if args.historic else 'live'} times)")
        stats = play(events, spool, options, PlayOptions(args.rate, args.rotate_seconds, not args.historic))
        print(f"done: {stats.files} files, {stats.lines:,} lines ({stats.bad_lines:,} bad, "
              f"{stats.duplicates:,} duplicates)")
        return 0
    raise AssertionError(args.what)
