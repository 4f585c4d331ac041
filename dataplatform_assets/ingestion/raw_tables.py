"""Hive external tables in the `raw` database over the published MySQL loads."""

from __future__ import annotations

from dataplatform.paths import render_sql
from dataplatform_assets.ingestion.source_schema import Column
from resources.hive import HiveServer2Resource

RAW_DATABASE = "raw"


def raw_table_name(table: str) -> str:
    return f"mysql_{table}"


def _columns_ddl(columns: list[Column]) -> str:
    return ",\n".join(f"  `{c.name}` {c.hive_type}" for c in columns)


def _current_columns(hive: HiveServer2Resource, database: str, table: str) -> list[tuple[str, str]] | None:
    if not hive.query(render_sql("raw/show_table.sql", database=database, table=table)):
        return None
    rows = hive.query(render_sql("raw/describe_table.sql", database=database, table=table))
    return [(r[0], r[1].lower()) for r in rows if r[0] and not r[0].startswith("#")]


def publish_raw_table(hive: HiveServer2Resource, table: str, columns: list[Column], location: str,
                      comment: str) -> str:
    """Point `raw.mysql_<table>` at `location`; recreate it only when its columns changed."""
    database, name = hive.db(RAW_DATABASE), raw_table_name(table)
    values = dict(database=database, table=name, location=location,
                  comment=comment.replace("'", ""), columns=_columns_ddl(columns))
    hive.execute(render_sql("raw/create_database.sql", database=database,
                            comment="Raw copies of source systems, as imported"))
    wanted = [(c.name, c.hive_type.lower()) for c in columns]
    current = _current_columns(hive, database, name)
    if current == wanted:
        hive.execute(render_sql("raw/set_location.sql", **values))
    else:
        hive.execute(render_sql("raw/drop_table.sql", **values),
                     render_sql("raw/create_external_table.sql", **values))
    return f"{database}.{name}"


def raw_row_count(hive: HiveServer2Resource, table: str) -> int:
    sql = render_sql("raw/row_count.sql", database=hive.db(RAW_DATABASE), table=raw_table_name(table))
    return int(hive.query(sql)[0][0])
