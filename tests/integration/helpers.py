"""Helpers the integration tests share: materializing the import assets, reading rows back."""

from datetime import datetime
from decimal import Decimal

import dagster as dg

from dataplatform_assets.ingestion.assets import import_assets


def materialize(test_resources):
    result = dg.materialize(import_assets, resources=test_resources, instance=dg.DagsterInstance.ephemeral())
    assert result.success
    return result


def normalise(value):
    """MySQL and HiveServer2 hand back the same value in different Python types."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and len(value) == 26 and value[4] == "-" and value[10] == " ":
        return value  # HiveServer2 timestamp text
    return value


def rows_in_mysql(mysql, table, key):
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute(f"SELECT * FROM {table} ORDER BY {key}")
        return [tuple(normalise(v) for v in row) for row in cur.fetchall()]


def rows_in_hive(hive, table, key):
    rows = hive.query(f"SELECT * FROM {hive.db('raw')}.mysql_{table}_current ORDER BY {key}")
    return [tuple(normalise(Decimal(v) if isinstance(v, str) and _is_decimal(v) else v) for v in row)
            for row in rows]


def _is_decimal(text):
    try:
        Decimal(text)
        return "." in text and not text.count("-")
    except ArithmeticError:
        return False
