"""Parse landing hours with Spark: classify every line, dedupe on event id, publish atomically.

The work runs as Spark SQL on the HiveServer2 endpoint (the Spark Thrift Server locally, a
Thrift Server on the cluster elsewhere), so a run pays no JVM start and the same statements run
wherever Spark does. A run's hours are read, classified, deduplicated and written in one pass, in
one session whose temporary views are private to it, into a staging folder split by outcome and
hour; each hour's folders are then renamed into its version folders and swapped in on its own.
"""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timezone

from dataplatform_assets.clickstream.curated_tables import (
    CURATED,
    EVENTS,
    REJECTS,
    partition_dir,
    partition_spec,
    partitions_rows,
    publish_partitions,
    published_versions,
)
from dataplatform_assets.clickstream.formats import CLASSIFY_SQL, ClickstreamFormat, clickstream_format
from dataplatform_assets.clickstream.landing import ClickstreamLandingResource, is_closed_file
from dataplatform_assets.clickstream.partitions import bucket_of, hour_start, partition_of
from resources.hive import HiveServer2Resource, run_statement
from resources.lake import LakeResource
from resources.sql import Sql, lit, path, statement, statements

# Longer lines are quarantined whole as `line_too_long` without being parsed.
MAX_LINE_BYTES = 1024 * 1024
PARSE_SQL = "clickstream/parse.sql"
GLOB_SPECIAL = set(",{}*?[]\\")
BUCKET_OF_FILE = re.compile(r"/dt=([0-9-]+)/hr=([0-9]+)/[^/]+$")
# A run's version as part of its staging table's name.
NAME_SAFE = str.maketrans({c: "_" for c in "=-.:"})


def _bucket(partition_key: str) -> str:
    """The hour's landing folder, relative to the landing: `dt=2025-12-31/hr=05` (Flume names it
    like the table's partition folders)."""
    return partition_spec(_partition(partition_key))


def _partition(partition_key: str) -> dict[str, str]:
    dt, hr = bucket_of(partition_key)
    return {"dt": dt, "hr": hr}


def landed_files(lake: LakeResource, landing_dir: str, partition_key: str) -> list[str]:
    """The closed files in the hour's landing folder, by name."""
    return [e.name for e in lake.list_status(f"{landing_dir}/{_bucket(partition_key)}")
            if not e.is_dir and is_closed_file(e.name)]


def lines_glob(root_uri: str, files: list[str]) -> Sql:
    """Exactly these files under the root (`dt=.../hr=.../name` each), as one Spark path:
    `root/{dt=.../hr=.../a,dt=.../hr=.../b}` (Hadoop expands a brace group holding slashes)."""
    odd = [f for f in files if GLOB_SPECIAL & set(f)]
    if odd:
        raise ValueError(f"landed file names a path glob cannot list: {odd[:3]}")
    return path(f"{root_uri}/{{{','.join(files)}}}")


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
    # Read back through HiveServer2 after publishing (each event id is once in an hour by the
    # parse's own dedupe, tested, not recounted: a distinct count costs 10% of a large parse):
    published_events: int = 0
    published_rejects: int = 0

    def reconciles(self) -> bool:
        return (self.accepted + self.rejected + self.duplicates == self.lines_read
                and self.published_events == self.accepted
                and self.published_rejects == self.rejected)


def classify_lines(cur, fmt: ClickstreamFormat, landing: ClickstreamLandingResource) -> None:
    """Define `clickstream_classified` over the session's `clickstream_lines` (after `settings`): the
    format's typing of every line, then the reject ladder every format shares."""
    max_line_bytes = lit(MAX_LINE_BYTES)
    fmt.define_typed_view(cur, landing, max_line_bytes)
    run_statement(cur, statement(CLASSIFY_SQL, max_line_bytes=max_line_bytes))


def discard(lake: LakeResource, folders: list[str]) -> None:
    """Delete folders of an unpublished version, as far as the lake lets us now."""
    for folder in folders:
        try:
            lake.delete_dir(folder)
        except Exception:  # noqa: BLE001 - missing, or the lake is down: the next run removes it
            pass


def _landed_glob(lake: LakeResource, landing: ClickstreamLandingResource, files: dict[str, list[str]]) -> Sql:
    """The hours' closed files (at least one) as one Spark path."""
    return lines_glob(lake.uri(landing.landing_dir), [f"{_bucket(key)}/{name}" for key, names in files.items()
                                                      for name in names])


def _epoch_hour_of_file(file_path: str) -> int:
    """The start of the hour (epoch seconds) of a landed file, from its `dt=.../hr=...` folders."""
    return _epoch_hour(partition_of(*BUCKET_OF_FILE.search(file_path).groups()))


def _epoch_hour(partition_key: str) -> int:
    """The hour's start in epoch seconds, as the staging folders name it."""
    return int(hour_start(partition_key).replace(tzinfo=timezone.utc).timestamp())


def _parse_and_count(hive: HiveServer2Resource, lake: LakeResource, landing: ClickstreamLandingResource,
                     fmt: ClickstreamFormat, files: dict[str, list[str]], hours: dict[int, HourOutcome],
                     staging_table: Sql, staged: str) -> None:
    """The Spark side of a parse: classify, dedupe and stage every line of `files` (by outcome and
    hour under `staged`), then fill each hour's outcome from the staged folders and the raw lines."""
    landed = _landed_glob(lake, landing, files)
    with hive.cursor() as cur:
        def run(name: str, **values: Sql) -> None:
            for text in statements(PARSE_SQL, name, **values):
                run_statement(cur, text)

        run("settings")
        run("lines_view", files=landed)
        classify_lines(cur, fmt, landing)
        try:
            run("stage", staging_table=staging_table, location=lit(lake.uri(staged)), source_format=lit(fmt.name))
        finally:
            run("drop_staging_table", staging_table=staging_table)
        run("outcome_counts", staged=path(lake.uri(staged)))
        for hour, kind, reason, lines in cur.fetchall():
            outcome, lines = hours[int(hour)], int(lines)
            if kind == "reject":
                outcome.reasons[reason] += lines
                outcome.rejected += lines
            elif kind == "event":
                outcome.accepted = lines
            else:
                outcome.duplicates = lines
        run("count_lines", files=landed)
        for file_path, lines in cur.fetchall():
            hours[_epoch_hour_of_file(file_path)].lines_read += int(lines)


def _published_versions(hive: HiveServer2Resource, partitions: list[dict[str, str]]) -> dict[str, dict]:
    """`published_versions` of both tables, on a thread of its own, in a session it closes."""
    try:
        return {table.name: published_versions(hive, table, partitions) for table in (EVENTS, REJECTS)}
    finally:
        hive.close_session()


def parse_hours(hive: HiveServer2Resource, lake: LakeResource, landing: ClickstreamLandingResource,
                partition_keys: list[str], version: str) -> list[HourOutcome]:
    """Parse and publish the hours `partition_keys` (each gets its own `version` folders); one
    outcome per hour, in their order."""
    fmt = clickstream_format(landing.format)
    files = {key: landed_files(lake, landing.landing_dir, key) for key in partition_keys}
    outcomes = {key: HourOutcome(key, files=len(names)) for key, names in files.items()}
    events_at = {key: f"{partition_dir(EVENTS, _partition(key))}/{version}" for key in partition_keys}
    rejects_at = {key: f"{partition_dir(REJECTS, _partition(key))}/{version}" for key in partition_keys}
    # One staging folder for the run, in its first hour's folder: the run removes it once its hours'
    # folders are renamed out of it, and a killed run's is removed by the next parse of that hour.
    # Its table (the write's) is dropped at once; one a killed run leaves behind names a removed
    # folder and reads as empty.
    staged = f"{partition_dir(EVENTS, _partition(partition_keys[0]))}/_staged-{version}"
    staging_table = hive.table(CURATED, f"clickstream_parse_{version.translate(NAME_SAFE)}")
    hours = {_epoch_hour(key): outcomes[key] for key in partition_keys}
    partitions = [_partition(key) for key in partition_keys]
    # What the hours' partitions point at now is asked on a second session while Spark parses: the
    # metastore answers in its own time (0.5 s a run when it came after the parse). Parses take
    # turns (the asset's pool), so no other run swaps these partitions meanwhile.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="published-versions") as asking:
        asked = asking.submit(_published_versions, hive, partitions)
        try:
            # Nothing landed (yet) in any of the hours: publish empty partitions rather than fail.
            if any(files.values()):
                _parse_and_count(hive, lake, landing, fmt, files, hours, staging_table, staged)
            # Each hour's staged folders become its version folders (an hour without events or
            # rejects gets an empty one).
            for hour, outcome in hours.items():
                for kind, folder, rows in (("event", events_at[outcome.partition_key], outcome.accepted),
                                           ("reject", rejects_at[outcome.partition_key], outcome.rejected)):
                    if rows:
                        lake.publish(f"{staged}/outcome={kind}/hour={hour}", folder)
                    else:
                        lake.make_dir(folder)
            replaced = asked.result()
        except Exception:
            # Nothing points at these folders yet: a failed run leaves none behind (a killed one
            # cannot clean up; the next run of the hour removes what it left).
            discard(lake, [staged, *events_at.values(), *rejects_at.values()])
            raise
    discard(lake, [staged])  # what is left: the duplicates' folders
    publish_partitions(hive, lake, EVENTS, partitions, version, replaced[EVENTS.name])
    publish_partitions(hive, lake, REJECTS, partitions, version, replaced[REJECTS.name])
    rows = partitions_rows(hive, (EVENTS, REJECTS), partitions)
    for key, partition in zip(partition_keys, partitions):
        outcome = outcomes[key]
        outcome.published_events = rows[EVENTS.name].get((partition["dt"], partition["hr"]), 0)
        outcome.published_rejects = rows[REJECTS.name].get((partition["dt"], partition["hr"]), 0)
    return [outcomes[key] for key in partition_keys]


def parse_hour(hive: HiveServer2Resource, lake: LakeResource, landing: ClickstreamLandingResource,
               partition_key: str, version: str) -> HourOutcome:
    """`parse_hours` of one hour."""
    return parse_hours(hive, lake, landing, [partition_key], version)[0]
