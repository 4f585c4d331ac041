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
from resources.sql import assignments, conditions, ident, idents, lit, qualified, raw, statement

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


def partition_spec(partition: dict[str, str]) -> str:
    """A partition as Hive folders and SHOW PARTITIONS name it: `dt=2025-06-05/hr=10`."""
    return "/".join(f"{k}={v}" for k, v in partition.items())


def partition_dir(table: CuratedTable, partition: dict[str, str]) -> str:
    return f"{table.directory}/{partition_spec(partition)}"


def ensure_tables(hive: HiveServer2Resource, lake: LakeResource, *tables: CuratedTable) -> None:
    database = hive.db(CURATED)
    hive.execute(statement(TABLES_SQL, "create_database", database=ident(database)),
                 *(statement(TABLES_SQL, t.create_query, table=qualified(database, t.name),
                             location=lit(lake.uri(t.directory))) for t in tables))
    for table in (t for t in tables if t.added):
        hive.add_missing_columns(CURATED, table.name, list(table.added))


def published_versions(hive: HiveServer2Resource, table: CuratedTable,
                       partitions: list[dict[str, str]]) -> dict[str, str | None]:
    """Of `partitions`, those the table has (by spec, `dt=.../hr=...`), each with the version folder
    it points at now: what `publish_partitions` replaces and keeps for readers still on it."""
    name = hive.table(CURATED, table.name)
    spec = {partition_spec(p): p for p in partitions}
    published: dict[str, str | None] = {}
    with hive.cursor() as cur:  # one session for the reads
        existing = set()
        first = next(iter(partitions[0]))
        for value in sorted({p[first] for p in partitions}):  # one listing per day, not per hour
            run_statement(cur, statement(TABLES_SQL, "show_partition", table=name,
                                         partition=assignments({first: value})))
            existing |= {row[0] for row in cur.fetchall()} & set(spec)
        for key in sorted(existing):
            run_statement(cur, statement(TABLES_SQL, "describe_partition", table=name,
                                         partition=assignments(spec[key])))
            published[key] = _location_folder(cur.fetchall())
    return published


def publish_partitions(hive: HiveServer2Resource, lake: LakeResource, table: CuratedTable,
                       partitions: list[dict[str, str]], version: str,
                       published: dict[str, str | None] | None = None) -> None:
    """Point each of the table's `partitions` at its `version` folder (already written), then drop
    everything else in each partition's folder but the version it replaced: older versions, staging,
    leftovers of killed runs. New partitions are added in one statement. `published`: what
    `published_versions` answered for them, if the caller asked already."""
    name = hive.table(CURATED, table.name)
    spec = {partition_spec(p): p for p in partitions}
    replaced = published_versions(hive, table, partitions) if published is None else published
    location = {key: lit(lake.uri(f"{partition_dir(table, p)}/{version}")) for key, p in spec.items()}
    new = [key for key in spec if key not in replaced]
    swaps = [statement(TABLES_SQL, "set_location", table=name, partition=assignments(spec[key]),
                       location=location[key]) for key in sorted(replaced)]
    if new:
        swaps.append(statement(TABLES_SQL, "add_partitions", table=name, partitions=raw("\n".join(
            f"PARTITION ({assignments(spec[key]).text}) LOCATION {location[key].text}" for key in new))))
    hive.execute(*swaps)
    for key, partition in spec.items():
        folder = partition_dir(table, partition)
        for old in lake.list_dirs(folder):
            if old not in (version, replaced.get(key)):
                lake.delete_dir(f"{folder}/{old}")


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


def partitions_rows(hive: HiveServer2Resource, tables: tuple[CuratedTable, ...],
                    partitions: list[dict[str, str]]) -> dict[str, dict[tuple[str, ...], int]]:
    """Per table (by name) and partition (its values, in the partition's order): its rows, read
    back through HiveServer2 in one query for all `tables` (partitioned alike). Partitions without
    rows are missing."""
    columns = list(partitions[0])
    where = raw(" OR ".join(f"({conditions(p).text})" for p in partitions))
    found = hive.query(" UNION ALL ".join(
        statement(TABLES_SQL, "partitions_rows", table_name=lit(table.name), table=hive.table(CURATED, table.name),
                  columns=idents(columns), partitions=where) for table in tables))
    rows: dict[str, dict[tuple[str, ...], int]] = {table.name: {} for table in tables}
    for name, *values, count in found:
        rows[name][tuple(values)] = int(count)
    return rows
