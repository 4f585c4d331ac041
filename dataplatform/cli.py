"""`dataplatform`: run the local stack, generate shop data, run the demo, query the warehouse."""

from __future__ import annotations

import argparse
import sys

from dataplatform.arguments import positive_float, positive_int
from dataplatform.localstack.process import ServiceError
from dataplatform.settings import SettingsError
from resources.hbase import HBaseError
from resources.hive import HiveError
from resources.mysql import MySQLError
from resources.sqoop import SqoopFailed


def _stack(args: argparse.Namespace) -> int:
    from dataplatform.localstack.process import tail
    from dataplatform.localstack.stack import LocalStack

    stack = LocalStack()
    if args.action == "up":
        stack.up(args.services or None)
        return 0
    if args.action == "fetch":
        from dataplatform.localstack import hive_build, jars

        for name in jars.classpaths():
            print(f"{name:8} {jars.resolve(name)}")
        for jar in hive_build.ensure_jars():
            print(f"built    {jar}")
        return 0
    if args.action == "down":
        stack.down(args.services or None)
        return 0
    if args.action == "status":
        states = stack.status()
        names, width = max(len(st.name) for st in states), max(len(st.address) for st in states)
        for st in states:
            pid = f"pid {st.pid}" if st.pid else "-"
            last_exit = f"  last exit {st.last_exit}" if st.last_exit else ""
            print(f"{st.name:{names}} {st.address:{width}} {st.state:18} {pid:10} restarts {st.restarts}{last_exit}")
        print(network_line(stack.listeners()))
        return 0 if all(st.healthy for st in states) else 1
    if args.action == "logs":
        if not args.services:
            print("name a service: " + ", ".join(stack.names()), file=sys.stderr)
            return 2
        for name in stack.expand(args.services):
            stack.service(name)  # validates the name
            print(tail(stack.log_file(name), args.lines))
        return 0
    raise AssertionError(args.action)


def network_line(by_service: dict) -> str:
    """One line saying whether the running services listen on loopback only, naming any that do not."""
    exposed = [f"{name} {listener}" for name, found in by_service.items() for listener in found
               if not listener.loopback]
    ports = sum(len(found) for found in by_service.values())
    if exposed:
        return f"network: NOT loopback only: {', '.join(exposed)} ({ports} listening ports)"
    if not ports:
        return "network: no service is listening"
    return f"network: every service listens on loopback only ({ports} listening ports)"


def _generate(args: argparse.Namespace) -> int:
    from dataplatform.generator import commands

    return commands.run(args)


def _clickstream(args: argparse.Namespace) -> int:
    from dataplatform.clickstream_commands import run

    return run(args)


def _demo(args: argparse.Namespace) -> int:
    from dataplatform.demo import run_demo

    return run_demo(scale=args.scale, seed=args.seed)


def _materialize(args: argparse.Namespace) -> int:
    from dataplatform.materialize import materialize_selection

    return materialize_selection(args.select)


def _query(args: argparse.Namespace) -> int:
    from dataplatform.query import run_query

    return run_query(args.sql, limit=args.limit)


def _customer(args: argparse.Namespace) -> int:
    from dataplatform.customer import run

    return run(args)


def _sqoop(args: argparse.Namespace) -> int:
    from dataplatform.sqoop import run_sqoop

    return run_sqoop(args.sqoop_args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dataplatform",
        description="E-commerce data platform: local stack, shop data generators, Dagster assets.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    stack = sub.add_parser("stack", help="run the local services (MariaDB, HDFS, HBase, Hive, Flume, Thrift Server, "
                           "Dagster)",
                           description="Manage the real services of the local stack, on loopback. Each runs "
                           "under one supervisord, which starts a service again when it dies. State, logs and "
                           "the supervisor's socket live under $DATAPLATFORM_HOME (default .state/).")
    stack.add_argument("action", choices=["up", "down", "status", "logs", "fetch"],
                       help="up: start what is not running and wait until healthy; down: stop all (and "
                       "the supervisor); "
                       "fetch: resolve the Java services' jars into the project cache and build Hive's two; "
                       "status: one line per service with its restarts and last exit, then whether every "
                       "service listens on loopback only; exit 0 only if all "
                       "are healthy; "
                       "logs: tail a service's log")
    stack.add_argument("services", nargs="*", help="service names (up/down: only these; logs: which); "
                       "`spark-cluster` names the Spark standalone master, its two workers and the Thrift "
                       "Server on them (port 10001), which start only when named")
    stack.add_argument("-n", "--lines", type=positive_int, default=40, help="log lines to show (logs)")
    stack.set_defaults(func=_stack)

    from dataplatform.generator.commands import add_parser as add_generate_parser
    add_generate_parser(sub).set_defaults(func=_generate)

    from dataplatform.clickstream_commands import add_parser as add_clickstream_parser
    add_clickstream_parser(sub).set_defaults(func=_clickstream)

    demo = sub.add_parser("demo", help="the main job: stack up, shop and web logs in, the daemon builds the rest",
                          description="Bring up the local stack, generate a small shop (kept if the shop "
                          "database has one), drop a day of web logs into Flume's spool folder and import the "
                          "shop; the stack's daemon parses the landed hours and builds the warehouse, marts and "
                          "360° table. Then a change batch is applied in MySQL and imported, and the daemon "
                          "refreshes what follows. Prints rows fetched through HiveServer2, one customer's 360° "
                          "view and a summary of the steps and their times. Safe to run again.")
    demo.add_argument("--scale", type=positive_float, default=0.01,
                      help="shop size; 1.0 = 100k customers and 1M orders (default 0.01)")
    demo.add_argument("--seed", type=int, default=42, help="generator seed (default 42)")
    demo.set_defaults(func=_demo)

    mat = sub.add_parser("materialize", help="materialize assets into the Dagster instance",
                         description="Materialize Dagster assets (recorded in $DAGSTER_HOME, so the "
                         "runs show in the UI).")
    mat.add_argument("--select", default="group:raw",
                     help="asset selection of unpartitioned assets (default group:raw); the hourly "
                     "clickstream assets are run by the landing sensor, or from the UI per partition")
    mat.set_defaults(func=_materialize)

    sqoop = sub.add_parser("sqoop", help="run Apache Sqoop 1.4.7 against the shop database",
                           description="Run the real Sqoop CLI (e.g. `dataplatform sqoop import "
                           "--table orders --target-dir /lake/tmp/orders -m 1`). --connect, --driver, "
                           "--username and --password-file default to the platform's settings; "
                           "--password is refused. `dataplatform sqoop help` lists Sqoop's tools.")
    sqoop.add_argument("sqoop_args", nargs=argparse.REMAINDER, help="Sqoop tool and its options")
    sqoop.set_defaults(func=_sqoop)

    from dataplatform.customer import add_parser as add_customer_parser
    add_customer_parser(sub).set_defaults(func=_customer)

    query = sub.add_parser("query", help="run SQL through HiveServer2 and print the rows",
                           description="Run one SQL statement through the HiveServer2 endpoint.")
    query.add_argument("sql", help="the statement, e.g. 'SELECT * FROM raw.mysql_orders'")
    query.add_argument("--limit", type=positive_int, default=50, help="rows to print at most (default 50)")
    query.set_defaults(func=_query)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ServiceError, SettingsError, HiveError, MySQLError, SqoopFailed, HBaseError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
