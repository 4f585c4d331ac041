"""Benchmark: the clickstream parse of one file on local[1], local[2] and the Spark standalone cluster
with one and with two workers.

    .venv/bin/python -m bench.spark_scaling_benchmark [--events 1000000]

Needs the local stack (`dataplatform stack up`). Starts the stack's Spark cluster (master and two
workers, `dataplatform stack up spark-cluster`), stops its Thrift Server so the workers' cores are
free, and for each engine starts a Spark Thrift Server of its own (same configuration,
driver memory and HiveServer2 protocol as the stack's, port 10002) on `local[1]`, `local[2]` or the
cluster's URL with one or two one-core executors. Each parses the same landing file of --events
good events (2% malformed lines and 1% duplicates mixed in) twice with the platform's parser, in a
lake of its own on HDFS; the best run counts. Rows per second per core are the capacity note's
input (docs/capacity.md). Results go to docs/benchmarks/spark_scaling.md. The cluster is left
stopped.

A benchmark, not a test: nothing here asserts a target.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bench.clickstream_benchmark import PARSE_HOUR, _parse_twice, synth_events
from bench.measure import publish_results
from dataplatform.paths import REPO_ROOT

RESULTS = REPO_ROOT / "docs" / "benchmarks" / "spark_scaling.md"
PORT, UI_PORT = 10002, 4042
# (label, master, executors, cores working): executors only on the cluster.
ENGINES = (("local[1]", "local[1]", 0, 1), ("local[2]", "local[2]", 0, 2),
           ("cluster, 1 worker", "cluster", 1, 1), ("cluster, 2 workers", "cluster", 2, 2))


def _thrift_server(stack, label: str, master: str, executors: int, work: Path):
    """A Thrift Server of the stack's configuration on `master`, serving on PORT while in use."""
    from dataplatform.localstack import process
    from dataplatform.localstack.spark_cluster import EXECUTOR_CORES, EXECUTOR_MEMORY, MASTER_URL
    from dataplatform.localstack.thriftserver import spark_env, thrift_server_command

    command = thrift_server_command(f"bench-{label}", UI_PORT, port=PORT,
                                    master=MASTER_URL if master == "cluster" else master, executors=executors,
                                    executor_cores=EXECUTOR_CORES, executor_memory=EXECUTOR_MEMORY)
    work.mkdir()
    return process.serving(command, env=spark_env(stack.service("thriftserver").conf_dir), cwd=work,
                           log_file=work / "thriftserver.log", port=PORT, what=f"Thrift Server on {label}")


def bench_scaling(n_events: int) -> list[str]:
    from dataplatform.generator.clickstream import ClickstreamOptions, write_events
    from dataplatform.localstack.stack import LocalStack
    from dataplatform_assets.clickstream.landing import ClickstreamLandingResource
    from dataplatform_assets.clickstream.partitions import hour_start
    from resources.hive import HiveServer2Resource
    from resources.lake import lake_at

    stack = LocalStack()
    settings = stack.settings
    stack.up(["spark-master", "spark-worker-1", "spark-worker-2"])
    stack.down(["thriftserver-cluster"])  # it holds both workers' cores
    lake = lake_at(f"hdfs://{settings.hdfs_host}:{settings.hdfs_port}/bench-scaling-lake", settings.webhdfs_url)
    hive = HiveServer2Resource(host=settings.hive_host, port=PORT, username=settings.hive_user,
                               database_prefix="bench_scaling_")
    results = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            events = synth_events(n_events, hour_start(PARSE_HOUR), 3600, random.Random(42))
            stats = write_events(events, Path(tmp), ClickstreamOptions(hosts=1, huge_line_bytes=100_000))
            (local,) = Path(tmp).glob("*.jsonl")
            size_mb = local.stat().st_size / 1e6
            print(f"generated {stats.lines:,} lines ({size_mb:,.0f} MB)", flush=True)
            for n, (label, master, executors, cores) in enumerate(ENGINES):
                t = time.monotonic()
                with _thrift_server(stack, label, master, executors, Path(tmp) / f"server-{n}"):
                    print(f"{label}: Thrift Server up in {time.monotonic() - t:.0f}s", flush=True)
                    runs = _parse_twice(hive, lake, ClickstreamLandingResource(), local, "events.bench.jsonl", label)
                results.append((label, cores, min(seconds for seconds, _ in runs), runs[-1][1]))
    finally:
        stack.down(["spark-cluster"])
    base = results[0][2]
    return [
        f"## Parse scaling: {stats.lines:,} lines, {size_mb:,.0f} MB, one landing file", "",
        "| engine | cores working | best of 2, s | lines/s | lines/s per core | speed-up vs local[1] | events out |",
        "|---|---|---|---|---|---|---|",
        *(f"| {label} | {cores} | {sec:.1f} | {stats.lines / sec:,.0f} | {stats.lines / sec / cores:,.0f} | "
          f"{base / sec:.2f}x | {out.accepted:,} |" for label, cores, sec, out in results),
        "",
        "The machine has 2 cores: with two cores working, the driver, HDFS and the other services share "
        "them, so two workers here cannot show a cluster's real scaling; each row is what one core (or two) "
        "gives through the same parser.", ""]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="good events in the parse file")
    args = parser.parse_args()
    section = bench_scaling(args.events)
    text = "\n".join(["# Spark scaling benchmark", "",
                      "Measured on this project's 2-core, 24 GB machine with `python -m bench.spark_scaling_benchmark` "
                      "(the local stack running).", "", section[0], "",
                      f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC.", *section[1:]])
    publish_results(RESULTS, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
