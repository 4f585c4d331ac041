"""A MySQL table's columns, and the Arrow and Hive types each one lands as in the lake."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pymysql

from resources.sql import statement


class UnsupportedColumn(RuntimeError):
    """A source column has a type the lake has no faithful mapping for."""


@dataclass(frozen=True)
class Column:
    name: str
    mysql_type: str  # the full column type, e.g. "int(10) unsigned", "decimal(12,2)"
    arrow_type: pa.DataType
    hive_type: str
    nullable: bool


_STRINGS = {"char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set", "json"}
_BINARIES = {"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"}
_INTEGERS = {"tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year"}


def map_column(table: str, name: str, data_type: str, column_type: str, precision: int | None,
               scale: int | None, nullable: bool) -> Column:
    data_type, column_type = data_type.lower(), column_type.lower()
    if column_type.startswith("tinyint(1)"):
        arrow, hive = pa.bool_(), "BOOLEAN"
    elif data_type in _INTEGERS:
        # Unsigned values need the next wider signed type; everything below BIGINT fits in INT.
        wide = data_type == "bigint" or ("unsigned" in column_type and data_type == "int")
        arrow, hive = (pa.int64(), "BIGINT") if wide else (pa.int32(), "INT")
    elif data_type == "decimal":
        arrow, hive = pa.decimal128(int(precision), int(scale)), f"DECIMAL({precision},{scale})"
    elif data_type == "float":
        arrow, hive = pa.float32(), "FLOAT"
    elif data_type in ("double", "real"):
        arrow, hive = pa.float64(), "DOUBLE"
    elif data_type in _STRINGS:
        arrow, hive = pa.string(), "STRING"
    elif data_type in _BINARIES:
        arrow, hive = pa.binary(), "BINARY"
    elif data_type == "date":
        arrow, hive = pa.date32(), "DATE"
    elif data_type in ("datetime", "timestamp"):
        # Read in a UTC session, stored as UTC instants.
        arrow, hive = pa.timestamp("us", tz="UTC"), "TIMESTAMP"
    else:
        raise UnsupportedColumn(f"{table}.{name}: MySQL type {column_type!r} has no lake mapping")
    return Column(name, column_type, arrow, hive, nullable)


def read_columns(cur: pymysql.cursors.Cursor, table: str) -> list[Column]:
    cur.execute(statement("ingestion/table_columns.sql"), (table,))
    rows = cur.fetchall()
    if not rows:
        raise UnsupportedColumn(f"source table {table!r} does not exist or has no columns")
    return [map_column(table, r[0], r[1], r[2], r[3], r[4], r[5] == "YES") for r in rows]


def arrow_schema(columns: list[Column]) -> pa.Schema:
    return pa.schema([pa.field(c.name, c.arrow_type, nullable=c.nullable) for c in columns])


DELETED = "_deleted"  # the lake's tombstone flag column


def lake_schema(columns: list[Column]) -> pa.Schema:
    # Every lake column is nullable: a tombstone carries its key and nothing else.
    return pa.schema([pa.field(c.name, c.arrow_type) for c in columns] + [pa.field(DELETED, pa.bool_())])


def arrow_batch(columns: list[Column], rows: list[tuple]) -> pa.RecordBatch:
    arrays = []
    for col, values in zip(columns, zip(*rows)):
        if pa.types.is_boolean(col.arrow_type):
            values = [None if v is None else bool(v) for v in values]
        arrays.append(pa.array(values, type=col.arrow_type))
    arrays.append(pa.array([False] * len(rows), pa.bool_()))
    return pa.RecordBatch.from_arrays(arrays, schema=lake_schema(columns))
