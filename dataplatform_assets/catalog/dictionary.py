"""The data dictionary (data_dictionary.yaml) as Dagster column schemas."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import dagster as dg
import yaml

DICTIONARY = Path(__file__).with_name("data_dictionary.yaml")
UNDESCRIBED = "Not in the data dictionary yet (a column the source added); describe it in data_dictionary.yaml."


@cache
def data_dictionary() -> dict[str, dict[str, dict[str, str]]]:
    """`{"schema.table": {column: {"type": ..., "text": ...}}}`, in the file's order."""
    return yaml.safe_load(DICTIONARY.read_text())


def describe(table: str, column: str) -> str:
    return data_dictionary().get(table, {}).get(column, {}).get("text", UNDESCRIBED)


def column_schema(table: str) -> dg.TableSchema:
    """A dictionary table's columns, types and descriptions."""
    return dg.TableSchema(columns=[dg.TableColumn(name, entry["type"], description=entry["text"])
                                   for name, entry in data_dictionary()[table].items()])

