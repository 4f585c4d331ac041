"""Hive tables in the `raw` database over the published MySQL loads.

`raw.mysql_<table>` is an external table with one partition per load of the current chain;
`raw.mysql_<table>_current` is a view with the latest version of each key, deletes honoured.
"""

from __future__ import annotations

from dataplatform_assets.ingestion.load_state import table_dir
from dataplatform_assets.ingestion.source_schema import Column
from dataplatform_assets.ingestion.tables import SourceTable
from resources.hive import HiveServer2Resource
from resources.lake import LakeResource
from resources.sql import render_sql

RAW_DATABASE = "raw"


def raw_table_name(table: str) -> str:
    return f"mysql_{table}"


def current_view_name(table: str) -> str:
    return f"mysql_{table}_current"


def _current_columns(hive: HiveServer2Resource, database: str, table: str) -> list[tuple[str, str]] | None:
    if not hive.query(render_sql("raw/show_table.sql", database=database, table=table)):
        return None
    rows = hive.query(render_sql("raw/describe_table.sql", database=database, table=table))
    columns = []
    for name, data_type, *_ in rows:
        if not name or name.startswith("#"):
            break  # partition information follows
        columns.append((name, data_type.lower()))
    return columns


def publish_raw_table(hive: HiveServer2Resource, lake: LakeResource, spec: SourceTable,
                      columns: list[Column], loads: list[str], base_load_id: str) -> str:
    """Make the Hive table show exactly `loads` and point the current view at `base_load_id`."""
    database, name = hive.db(RAW_DATABASE), raw_table_name(spec.name)
    comment = spec.description.replace("'", "")
    hive.execute(render_sql("raw/create_database.sql", database=database,
                            comment="Raw copies of source systems, as imported"))
    wanted = [(c.name, c.hive_type.lower()) for c in columns] + [("_deleted", "boolean"), ("load_id", "string")]
    if _current_columns(hive, database, name) != wanted:
        hive.execute(
            render_sql("raw/drop_table.sql", database=database, table=name),
            render_sql("raw/create_external_table.sql", database=database, table=name, comment=comment,
                       location=lake.uri(table_dir(spec.name)),
                       columns=",\n".join(f"  `{c.name}` {c.hive_type}" for c in columns)))
    present = {r[0].split("=", 1)[1] for r in hive.query(render_sql("raw/show_partitions.sql",
                                                                     database=database, table=name))}
    statements = [render_sql("raw/add_partition.sql", database=database, table=name, load_id=lid,
                             location=lake.uri(f"{table_dir(spec.name)}/load_id={lid}"))
                  for lid in loads if lid not in present]
    statements += [render_sql("raw/drop_partition.sql", database=database, table=name, load_id=lid)
                   for lid in sorted(present - set(loads))]
    statements.append(render_sql(
        "raw/create_current_view.sql", database=database, view=current_view_name(spec.name), table=name,
        comment=f"{comment} Latest version of each key.", base_load_id=base_load_id,
        merge_key=", ".join(f"`{k}`" for k in (spec.merge_key or spec.primary_key)),
        column_names=", ".join(f"`{c.name}`" for c in columns)))
    hive.execute(*statements)
    return f"{database}.{current_view_name(spec.name)}"


def current_row_count(hive: HiveServer2Resource, table: str) -> int:
    sql = render_sql("raw/row_count.sql", database=hive.db(RAW_DATABASE), table=current_view_name(table))
    return int(hive.query(sql)[0][0])


def duplicate_keys(hive: HiveServer2Resource, spec: SourceTable) -> int:
    sql = render_sql("raw/duplicate_keys.sql", database=hive.db(RAW_DATABASE), view=current_view_name(spec.name),
                     merge_key=", ".join(f"`{k}`" for k in (spec.merge_key or spec.primary_key)))
    return int(hive.query(sql)[0][0])
