"""Publishing a table of the warehouse or the marts: a new version folder swapped in at once.

Every run writes its whole table into a new folder `<table dir>/v=<version>` that no reader knows
yet, then points the table at it with one metastore call (`ALTER TABLE ... SET LOCATION`), so a
reader through HiveServer2 sees the old table or the new one, never a part. The version it
replaced stays (a query planned before the swap may still read it), with any the caller keeps for
rollback; everything else in the folder, including what a killed run left, is removed.
"""

from __future__ import annotations

from resources.hive import HiveServer2Resource, TableDescription
from resources.lake import LakeResource
from resources.sql import ident, lit, statement

TABLES_SQL = "warehouse/tables.sql"
DATABASE_COMMENTS = {"warehouse": "Dimensions with history and facts, for analytics",
                     "marts": "Answers to the business's questions, built from the warehouse"}


def version_of(table: TableDescription | None) -> str | None:
    """The version folder a table points at (None: no table yet)."""
    return table.location.rstrip("/").rsplit("/", 1)[-1] if table and table.location else None


def ensure_database(hive: HiveServer2Resource, database: str) -> None:
    hive.execute(statement(TABLES_SQL, "create_database", database=ident(hive.db(database)),
                           comment=lit(DATABASE_COMMENTS[database])))


def swap_in(hive: HiveServer2Resource, lake: LakeResource, database: str, name: str, directory: str,
            version: str, comment: str, *, published: TableDescription | None = None,
            keep: tuple[str, ...] = ()) -> None:
    """Point `database`.`name` at `directory`/`version` (already written), creating the table the
    first time; then drop every other folder of `directory` but the replaced version and `keep`.
    `published` is the table's description if the caller already has it."""
    published = published or hive.describe(database, name)
    table, location = hive.table(database, name), lit(lake.uri(f"{directory}/{version}"))
    if published is None:
        hive.execute(statement(TABLES_SQL, "create_table", table=table, location=location, comment=lit(comment)))
    else:
        hive.execute(statement(TABLES_SQL, "set_location", table=table, location=location),
                     statement(TABLES_SQL, "refresh", table=table))
    for folder in lake.list_dirs(directory):
        if folder not in (version, version_of(published), *keep):
            lake.delete_dir(f"{directory}/{folder}")
