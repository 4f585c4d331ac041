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
from dataplatform_assets.clickstream.formats import CLASSIFY_SQL, clickstream_format
from dataplatform_assets.clickstream.landing import ClickstreamLandingResource, is_closed_file
from dataplatform_assets.clickstream.partitions import bucket_of, hour_start
from resources.hive import HiveServer2Resource, run_statement
from resources.lake import LakeResource
from resources.sql import render_sql, sql_statements

# Longer lines are quarantined whole as `line_too_long` without being parsed.
MAX_LINE_BYTES = 1024 * 1024


def landed_files(lake: LakeResource, landing_dir: str, dt: str, hr: str) -> list[str]:
    return [e.name for e in lake.list_status(f"{landing_dir}/dt={dt}/hr={hr}")
            if not e.is_dir and is_closed_file(e.name)]


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
    with hive.cursor() as cur:
        for statement in sql_statements("clickstream/session_settings.sql"):
            run_statement(cur, statement)
        if files:
            run_statement(cur, render_sql("clickstream/lines_view.sql", landing_path=lake.uri(bucket),
                                          files=",".join(files)))
        else:  # nothing landed (yet): publish empty partitions rather than fail
            run_statement(cur, render_sql("clickstream/no_lines_view.sql"))
        values = {"max_line_bytes": MAX_LINE_BYTES, **dict(fmt.template_values),
                  "hour_start": hour_start(partition_key).strftime("%Y-%m-%d %H:%M:%S")}
        run_statement(cur, render_sql(fmt.typed_sql, **values))  # the format's view of the lines...
        run_statement(cur, render_sql(CLASSIFY_SQL, **values))  # ...through the shared reject ladder
        staged = f"{partition_dir(EVENTS, partition)}/_staged-{version}"
        run_statement(cur, render_sql("clickstream/stage.sql", location=lake.uri(staged)))
        for statement in sql_statements("clickstream/outcome.sql", staged=lake.uri(staged)):
            run_statement(cur, statement)
        run_statement(cur, render_sql("clickstream/write_events.sql", location=lake.uri(events_at),
                                      source_format=fmt.name))
        run_statement(cur, render_sql("clickstream/write_rejects.sql", location=lake.uri(rejects_at),
                                      source_format=fmt.name))
        run_statement(cur, render_sql("clickstream/outcome_counts.sql"))
        for reason, lines, distinct_ids in cur.fetchall():
            if reason:
                outcome.reasons[reason] += int(lines)
                outcome.rejected += int(lines)
            else:
                outcome.accepted, outcome.duplicates = int(distinct_ids), int(lines) - int(distinct_ids)
        run_statement(cur, render_sql("clickstream/count_lines.sql"))
        outcome.lines_read = int(cur.fetchone()[0])
    publish_partition(hive, lake, EVENTS, partition, version)
    publish_partition(hive, lake, REJECTS, partition, version)
    outcome.published_events, outcome.published_event_ids = partition_rows(hive, EVENTS, partition, "event_id")
    outcome.published_rejects, _ = partition_rows(hive, REJECTS, partition, "reason")
    return outcome
