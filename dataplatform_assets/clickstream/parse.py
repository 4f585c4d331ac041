"""Parse one landing hour with Spark: classify every line, dedupe on event id, publish atomically.

The work runs as Spark SQL on the HiveServer2 endpoint (the Spark Thrift Server locally, a
Thrift Server on the cluster elsewhere), so a run pays no JVM start and the same statements run
wherever Spark does. All statements of one hour share one session: its temporary views and its
cached outcome table are private to it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from dataplatform_assets.clickstream.curated_tables import (
    EVENTS,
    REJECTS,
    partition_dir,
    partition_rows,
    publish_partition,
)
from dataplatform_assets.clickstream.formats import CLASSIFY_SQL, ClickstreamFormat, clickstream_format
from dataplatform_assets.clickstream.landing import ClickstreamLandingResource, is_closed_file
from dataplatform_assets.clickstream.partitions import bucket_of, hour_start
from resources.hive import HiveServer2Resource, run_statement
from resources.lake import LakeResource
from resources.sql import Sql, lit, path, statement, statements

# Longer lines are quarantined whole as `line_too_long` without being parsed.
MAX_LINE_BYTES = 1024 * 1024
PARSE_SQL = "clickstream/parse.sql"
GLOB_SPECIAL = set(",{}*?[]\\")


def landed_files(lake: LakeResource, landing_dir: str, dt: str, hr: str) -> list[str]:
    return [e.name for e in lake.list_status(f"{landing_dir}/dt={dt}/hr={hr}")
            if not e.is_dir and is_closed_file(e.name)]


def lines_glob(folder_uri: str, files: list[str]) -> Sql:
    """Exactly these files of the folder, as one Spark path: `folder/{a,b}`."""
    odd = [f for f in files if GLOB_SPECIAL & set(f)]
    if odd:
        raise ValueError(f"landed file names a path glob cannot list: {odd[:3]}")
    return path(f"{folder_uri}/{{{','.join(files)}}}")


@dataclass
class HourOutcome:
    """What one hour's parse read and where every line went; `reconciles()` must hold."""
    partition_key: str
    files: int
    lines_read: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    reasons: Counter = field(default_factory=Counter)
    # Read back through HiveServer2 after publishing:
    published_events: int = 0
    published_event_ids: int = 0
    published_rejects: int = 0

    def reconciles(self) -> bool:
        return (self.accepted + self.rejected + self.duplicates == self.lines_read
                and self.published_events == self.published_event_ids == self.accepted
                and self.published_rejects == self.rejected)


def classify_lines(cur, fmt: ClickstreamFormat, landing: ClickstreamLandingResource, partition_key: str) -> None:
    """Define `clickstream_classified` over the session's `clickstream_lines` (after `settings`): the
    format's typing of every line, then the reject ladder every format shares."""
    max_line_bytes = lit(MAX_LINE_BYTES)
    fmt.define_typed_view(cur, landing, max_line_bytes)
    run_statement(cur, statement(CLASSIFY_SQL, max_line_bytes=max_line_bytes,
                                 hour_start=lit(hour_start(partition_key).strftime("%Y-%m-%d %H:%M:%S"))))


def discard(lake: LakeResource, folders: list[str]) -> None:
    """Delete folders of an unpublished version, as far as the lake lets us now."""
    for folder in folders:
        try:
            lake.delete_dir(folder)
        except Exception:  # noqa: BLE001 - missing, or the lake is down: the next run removes it
            pass


def parse_hour(hive: HiveServer2Resource, lake: LakeResource, landing: ClickstreamLandingResource,
               partition_key: str, version: str) -> HourOutcome:
    fmt = clickstream_format(landing.format)
    dt, hr = bucket_of(partition_key)
    partition = {"dt": dt, "hr": hr}
    bucket = f"{landing.landing_dir}/dt={dt}/hr={hr}"
    files = landed_files(lake, landing.landing_dir, dt, hr)
    outcome = HourOutcome(partition_key, files=len(files))
    events_at = f"{partition_dir(EVENTS, partition)}/{version}"
    rejects_at = f"{partition_dir(REJECTS, partition)}/{version}"
    staged = f"{partition_dir(EVENTS, partition)}/_staged-{version}"
    try:
        with hive.cursor() as cur:
            def run(name: str, **values: Sql) -> None:
                for text in statements(PARSE_SQL, name, **values):
                    run_statement(cur, text)

            run("settings")
            if files:
                run("lines_view", files=lines_glob(lake.uri(bucket), files))
            else:  # nothing landed (yet): publish empty partitions rather than fail
                run("no_lines_view")
            classify_lines(cur, fmt, landing, partition_key)
            run("stage", location=lit(lake.uri(staged)))
            run("outcome", staged=path(lake.uri(staged)))
            run("write_events", location=lit(lake.uri(events_at)), source_format=lit(fmt.name))
            run("write_rejects", location=lit(lake.uri(rejects_at)), source_format=lit(fmt.name))
            run("outcome_counts")
            for reason, lines, distinct_ids in cur.fetchall():
                if reason:
                    outcome.reasons[reason] += int(lines)
                    outcome.rejected += int(lines)
                else:
                    outcome.accepted, outcome.duplicates = int(distinct_ids), int(lines) - int(distinct_ids)
            run("count_lines")
            outcome.lines_read = int(cur.fetchone()[0])
    except Exception:
        # Nothing points at these folders yet: a failed run leaves none behind (a killed one cannot
        # clean up; the next run of the hour removes what it left).
        discard(lake, [staged, events_at, rejects_at])
        raise
    publish_partition(hive, lake, EVENTS, partition, version)
    publish_partition(hive, lake, REJECTS, partition, version)
    outcome.published_events, outcome.published_event_ids = partition_rows(hive, EVENTS, partition, "event_id")
    outcome.published_rejects, _ = partition_rows(hive, REJECTS, partition, "reason")
    return outcome
