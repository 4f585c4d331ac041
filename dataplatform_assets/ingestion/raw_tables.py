"""Hive tables in the `raw` database over the published MySQL loads.

`raw.mysql_<table>` is an external table with one partition per kept load (the current chain, or
every load for tables with `keep_loads`);
`raw.mysql_<table>_current` is a view with the latest version of each key, deletes honoured.
"""

from __future__ import annotations

from dataplatform_assets.ingestion.load_state import table_dir
from dataplatform_assets.ingestion.source_schema import Column
from dataplatform_assets.ingestion.tables import SourceTable
from resources.hive import HiveServer2Resource
from resources.lake import LakeResource
from resources.sql import column_definitions, ident, idents, lit, qualified, statement

RAW_DATABASE = "raw"
RAW_SQL = "raw/tables.sql"


def raw_table_name(table: str) -> str:
    return f"mysql_{table}"


def current_view_name(table: str) -> str:
    return f"mysql_{table}_current"


def publish_raw_table(hive: HiveServer2Resource, lake: LakeResource, spec: SourceTable,
                      columns: list[Column], loads: list[str], base_load_id: str) -> str:
    """Make the Hive table show exactly `loads` and point the current view at `base_load_id`."""
    database, name = hive.db(RAW_DATABASE), raw_table_name(spec.name)
    table, merge_key = qualified(database, name), idents(spec.merge_key or spec.primary_key)
    wanted = [(c.name, c.hive_type.lower()) for c in columns] + [("_deleted", "boolean"), ("load_id", "string")]
    described = hive.describe(RAW_DATABASE, name)
    if described is None:  # the first run: the database may be missing too
        hive.execute(statement(RAW_SQL, "create_database", database=ident(database),
                               comment=lit("Raw copies of source systems, as imported")))
    if described is None or described.columns != wanted:
        # Hive types come from source_schema's own mapping, never from the source's text.
        definitions = column_definitions((c.name, c.hive_type) for c in columns)
        hive.execute(
            statement(RAW_SQL, "drop_table", table=table),
            statement(RAW_SQL, "create_external_table", table=table, columns=definitions,
                      comment=lit(spec.description), location=lit(lake.uri(table_dir(spec.name)))))
    present = {r[0].split("=", 1)[1] for r in hive.query(statement(RAW_SQL, "show_partitions", table=table))}
    statements = [statement(RAW_SQL, "add_partition", table=table, load_id=lit(lid),
                            location=lit(lake.uri(f"{table_dir(spec.name)}/load_id={lid}")))
                  for lid in loads if lid not in present]
    statements += [statement(RAW_SQL, "drop_partition", table=table, load_id=lit(lid))
                   for lid in sorted(present - set(loads))]
    statements.append(statement(
        RAW_SQL, "create_current_view", view=qualified(database, current_view_name(spec.name)), table=table,
        comment=lit(f"{spec.description} Latest version of each key."), base_load_id=lit(base_load_id),
        merge_key=merge_key, column_names=idents(c.name for c in columns)))
    hive.execute(*statements)
    return f"{database}.{current_view_name(spec.name)}"


def current_row_count(hive: HiveServer2Resource, table: str) -> int:
    sql = statement(RAW_SQL, "row_count", table=hive.table(RAW_DATABASE, current_view_name(table)))
    return int(hive.query(sql)[0][0])


def current_view_counts(hive: HiveServer2Resource, spec: SourceTable) -> tuple[int, int]:
    """The current view's rows and how many keys it holds more than once."""
    sql = statement(RAW_SQL, "view_counts", view=hive.table(RAW_DATABASE, current_view_name(spec.name)),
                    merge_key=idents(spec.merge_key or spec.primary_key))
    rows, duplicated = hive.query(sql)[0]
    return int(rows), int(duplicated)
