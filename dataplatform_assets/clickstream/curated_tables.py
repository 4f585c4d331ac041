"""The `curated` Hive tables and their atomic partition swaps.

Every write goes to a fresh version directory (`<table dir>/dt=.../hr=.../v=<version>`) that no
reader knows yet; one metastore call then points the partition at it. The version it replaced is
kept until the next swap, so a query that planned its files before the swap can still read them
(deleting it at once failed such readers with FILE_NOT_EXIST); everything older, and whatever a
killed run left, is removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from resources.hive import HiveServer2Resource, run_statement
from resources.lake import LakeResource
from resources.sql import assignments, conditions, ident, lit, qualified, statement

CURATED = "curated"
TABLES_SQL = "clickstream/tables.sql"


@dataclass(frozen=True)
class CuratedTable:
    name: str
    directory: str  # relative to the lake root
    create_query: str
    # Columns added after the table was first released, (name, Hive type): tables created before
    # get them with ALTER TABLE (older partitions read them as NULL).
    added: tuple[tuple[str, str], ...] = ()


EVENTS = CuratedTable("clickstream_events", "curated/clickstream_events", "create_events")
REJECTS = CuratedTable("clickstream_rejects", "quarantine/clickstream_rejects", "create_rejects")
SESSIONS = CuratedTable("sessions", "curated/sessions", "create_sessions",
                        added=(("checkouts", "bigint"), ("source_format", "string")))


def new_version(run_id: str) -> str:
    return f"v={datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S%f')}-{run_id[:8]}"


def partition_dir(table: CuratedTable, partition: dict[str, str]) -> str:
    return "/".join([table.directory, *(f"{k}={v}" for k, v in partition.items())])


def ensure_tables(hive: HiveServer2Resource, lake: LakeResource, *tables: CuratedTable) -> None:
    database = hive.db(CURATED)
    hive.execute(statement(TABLES_SQL, "create_database", database=ident(database)),
                 *(statement(TABLES_SQL, t.create_query, table=qualified(database, t.name),
                             location=lit(lake.uri(t.directory))) for t in tables))
    for table in (t for t in tables if t.added):
        hive.add_missing_columns(CURATED, table.name, list(table.added))


def publish_partition(hive: HiveServer2Resource, lake: LakeResource, table: CuratedTable,
                      partition: dict[str, str], version: str) -> None:
    """Point the table's partition at `version` (already written), then drop everything else in the
    partition's folder but the version it replaced: older versions, staging, leftovers of killed runs."""
    target = dict(table=hive.table(CURATED, table.name), partition=assignments(partition))
    location = lit(lake.uri(f"{partition_dir(table, partition)}/{version}"))
    with hive.cursor() as cur:  # one session for both reads
        run_statement(cur, statement(TABLES_SQL, "show_partition", **target))
        exists = cur.fetchall()
        replaced = None
        if exists:
            run_statement(cur, statement(TABLES_SQL, "describe_partition", **target))
            replaced = _location_folder(cur.fetchall())
    hive.execute(statement(TABLES_SQL, "set_location" if exists else "add_partition", location=location, **target))
    for old in lake.list_dirs(partition_dir(table, partition)):
        if old not in (version, replaced):
            lake.delete_dir(f"{partition_dir(table, partition)}/{old}")


def _location_folder(described: list[tuple]) -> str | None:
    """The partition's own folder from DESCRIBE FORMATTED ... PARTITION: the `Location` row under
    `# Detailed Partition Information` (a later one, under `# Storage Information`, is the table's)."""
    in_partition = False
    for name, value, *_ in described:
        name = (name or "").strip()
        if name.startswith("#"):
            in_partition = name == "# Detailed Partition Information"
        elif in_partition and name == "Location" and value:
            return value.strip().rstrip("/").rsplit("/", 1)[-1]
    return None


def partition_rows(hive: HiveServer2Resource, table: CuratedTable, partition: dict[str, str],
                   key: str) -> tuple[int, int]:
    """(rows, distinct `key` values) in one partition, read back through HiveServer2."""
    rows, distinct = hive.query(statement(TABLES_SQL, "partition_rows", table=hive.table(CURATED, table.name),
                                          key=ident(key), partition=conditions(partition)))[0]
    return int(rows), int(distinct)
