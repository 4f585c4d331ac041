"""Publishing a table of the warehouse or the marts: a new version folder swapped in at once.

Every run writes its whole table into a new folder `<table dir>/v=<version>` that no reader knows
yet, then points the table at it with one metastore call (`ALTER TABLE ... SET LOCATION`), so a
reader through HiveServer2 sees the old table or the new one, never a part. The version it
replaced stays (a query planned before the swap may still read it), with any the caller keeps for
rollback; everything else in the folder, including what a killed run left, is removed.
"""

from __future__ import annotations

from resources.hive import CATALOG_SQL, HiveServer2Resource, TableDescription
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
    table, uri = hive.table(database, name), lake.uri(f"{directory}/{version}")
    create = statement(TABLES_SQL, "create_table", table=table, location=lit(uri), comment=lit(comment))
    # The metastore keeps a table's columns when its location moves: a version with new columns
    # gets them added first; one with a column renamed, retyped or dropped gets a new table over
    # it, so a reader may find no table for that moment.
    written = hive.file_columns(uri) if published else []
    if published is None:
        hive.execute(create)
    elif not set(published.columns) <= set(written):
        hive.execute(statement(CATALOG_SQL, "drop_table", table=table), create)
    else:
        if set(written) - set(published.columns):  # the caller may have added some already: described anew
            hive.add_missing_columns(database, name, [c for c in written if c not in published.columns])
        hive.execute(statement(TABLES_SQL, "set_location", table=table, location=lit(uri)),
                     statement(TABLES_SQL, "refresh", table=table))
    for folder in lake.list_dirs(directory):
        if folder not in (version, version_of(published), *keep):
            lake.delete_dir(f"{directory}/{folder}")
