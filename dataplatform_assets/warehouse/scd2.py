"""Applying import loads to an SCD type 2 dimension, published atomically (sql/warehouse/scd2.sql).

A run reads the loads of the dimension's source that the published version has not applied yet,
recomputes the history of the keys those loads speak of from that version plus the loads, writes
it with every other key's rows as they were into a new folder (`warehouse/<dimension>/v=<version>`),
records there which loads it holds (`_applied.json`), and swaps the table's location in one
metastore call. The time axis is each load's snapshot time
(LoadState.snapshot_time), never this run's clock, so a rebuild from the kept loads gives the same
history byte for byte. A load older than the last one applied (a late publisher) makes the run
rebuild from every kept load, or refuse (Dimension.out_of_order).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from dataplatform_assets.ingestion.load_state import published_loads, read_state
from dataplatform_assets.ingestion.raw_tables import RAW_DATABASE, raw_table_name
from dataplatform_assets.warehouse.dimensions import Dimension
from dataplatform_assets.warehouse.publish import ensure_database, swap_in, version_of
from resources.hive import HiveServer2Resource
from resources.lake import LakeResource
from resources.sql import ident, idents, lit, lits, rows, statement

WAREHOUSE = "warehouse"
SCD_SQL = "warehouse/scd2.sql"
APPLIED_FILE = "_applied.json"  # hidden from readers by its leading underscore
SCD_COLUMNS = ("row_hash", "valid_from", "valid_to", "is_current", "is_deleted", "load_id", "loaded_at")


class OutOfOrderLoad(RuntimeError):
    """A load older than the last one applied, and the dimension refuses to rebuild."""


@dataclass(frozen=True)
class Applied:
    """What a published version holds: the loads applied, the latest snapshot time among them, and
    the versions published before it (newest first) that are kept for rollback."""
    loads: tuple[str, ...] = ()
    last_snapshot: str = ""
    versions: tuple[str, ...] = ()


@dataclass(frozen=True)
class DimensionRun:
    published: bool  # False: no load to apply, nothing written
    version: str | None
    applied_loads: tuple[str, ...]  # the loads this run read
    rebuilt: bool
    late_loads: tuple[str, ...]  # loads older than the last one applied before this run


def dimension_dir(dim: Dimension) -> str:
    return f"{WAREHOUSE}/{dim.name}"


def current_version(hive: HiveServer2Resource, dim: Dimension) -> str | None:
    """The version folder the table points at (None: no table yet)."""
    return version_of(hive.describe(WAREHOUSE, dim.name))


def read_applied(lake: LakeResource, dim: Dimension, version: str | None) -> Applied:
    if version is None:
        return Applied()
    record = json.loads(lake.read_bytes(f"{dimension_dir(dim)}/{version}/{APPLIED_FILE}"))
    return Applied(tuple(record["loads"]), record["last_snapshot"], tuple(record["versions"]))


def apply_loads(hive: HiveServer2Resource, lake: LakeResource, dim: Dimension, version: str, *,
                rebuild: bool = False) -> DimensionRun:
    """Apply the loads of `dim.source` not applied yet as the new version `version` (a folder name,
    `v=...`); `rebuild` recomputes the history from every kept load."""
    loads = published_loads(lake, dim.source)
    published = hive.describe(WAREHOUSE, dim.name)
    current = version_of(published)
    applied = read_applied(lake, dim, current)
    pending = [lid for lid in loads if lid not in applied.loads]
    # Every kept load's state is read only for a rebuild: the loads kept grow with the history.
    states = {lid: read_state(lake, dim.source, lid) for lid in pending}
    late = tuple(lid for lid in pending if states[lid].snapshot_time < applied.last_snapshot)
    if late and dim.out_of_order == "refuse":
        raise OutOfOrderLoad(f"{dim.name}: load(s) {', '.join(late)} of {dim.source} are older than the last "
                             f"load applied ({applied.last_snapshot}); the dimension refuses to rebuild "
                             "(out_of_order='refuse'). Rebuild it deliberately, or remove the loads.")
    rebuild = rebuild or bool(late) or current is None
    batch = loads if rebuild else pending
    if not batch or (not pending and not rebuild):
        return DimensionRun(False, current, (), False, ())
    states.update({lid: read_state(lake, dim.source, lid) for lid in batch if lid not in states})

    source = hive.describe(RAW_DATABASE, raw_table_name(dim.source))
    columns = source.columns if source else []
    names = [name for name, _ in columns if name not in ("_deleted", "load_id")]
    missing = set(dim.tracked) - set(names)
    if missing:
        raise ValueError(f"{dim.name}: tracked columns {sorted(missing)} are not in {dim.source}")
    untracked = [n for n in names if n != dim.key and n not in dim.tracked]
    table = hive.table(WAREHOUSE, dim.name)
    ensure_database(hive, WAREHOUSE)
    if published is not None:  # columns the source gained since: added (untracked) before the run reads it
        hive.add_missing_columns(WAREHOUSE, dim.name, [(n, kind) for n, kind in columns if n in names], published)

    location = f"{dimension_dir(dim)}/{version}"
    key = ident(dim.key)
    shape = dict(key=key, tracked=idents(dim.tracked), untracked=idents(untracked))
    output = [dim.surrogate_key, dim.key, *dim.tracked, *untracked, *SCD_COLUMNS]
    hive.execute(
        statement(SCD_SQL, "session"),
        statement(SCD_SQL, "loads", loads=rows((lid, states[lid].snapshot_time, states[lid].mode == "full")
                                               for lid in batch)),
        statement(SCD_SQL, "observed", raw_table=hive.table(RAW_DATABASE, raw_table_name(dim.source)),
                  load_ids=lits(batch), **shape),
        statement(SCD_SQL, "no_published", key=key) if rebuild
        else statement(SCD_SQL, "published", dimension=table, **shape),
        statement(SCD_SQL, "gone", key=key),
        statement(SCD_SQL, "touched", key=key),
        statement(SCD_SQL, "history", key=key, surrogate_key=ident(dim.surrogate_key)),
        statement(SCD_SQL, "nothing_kept") if rebuild
        else statement(SCD_SQL, "kept", columns=idents(output), dimension=table, key=key),
        statement(SCD_SQL, "write_versions", location=lit(lake.uri(location))))
    kept = tuple(v for v in (current, *applied.versions) if v)[:dim.keep_versions - 1]
    record = {"loads": loads if rebuild else [*applied.loads, *pending],
              "last_snapshot": max([applied.last_snapshot, *(states[lid].snapshot_time for lid in batch)]),
              "versions": list(kept)}
    lake.write_bytes(f"{location}/{APPLIED_FILE}", json.dumps(record).encode())
    swap_in(hive, lake, WAREHOUSE, dim.name, dimension_dir(dim), version, dim.description, published=published,
            keep=kept)
    return DimensionRun(True, version, tuple(batch), rebuild, late)

