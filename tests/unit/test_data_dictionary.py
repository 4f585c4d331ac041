"""The data dictionary describes exactly the columns sql/ creates, and every table asset shows it."""

import re
from pathlib import Path

import dagster as dg
import pytest

from dataplatform_assets.catalog.dictionary import UNDESCRIBED, data_dictionary, describe
from dataplatform_assets.definitions import defs

SQL = Path(__file__).resolve().parents[2] / "sql"


def created_columns(sql: str, table: str) -> dict[str, str]:
    """Column -> type of `CREATE ... TABLE <table> (...)` in `sql` (keys and constraints left out)."""
    match = re.search(rf"CREATE (?:EXTERNAL )?TABLE (?:IF NOT EXISTS )?{re.escape(table)} \((.*?)\n\)", sql,
                      flags=re.S)
    assert match, table
    body = re.sub(r"<[^>]*>", lambda m: m.group(0).replace(",", ";"), match.group(1))  # MAP<A, B> is one type
    columns = {}
    for part in re.split(r",\s*(?:\n|(?=[a-z_]+ ))", body):
        words = part.strip().split()
        if words and words[0] not in ("PRIMARY", "UNIQUE", "KEY", "CONSTRAINT"):
            columns[words[0]] = " ".join(words[1:]).replace(";", ",")
    return columns


@pytest.mark.parametrize("table", ["customers", "products", "orders", "order_items"])
def test_every_shop_column_is_described_with_its_type(table):
    created = created_columns((SQL / "shop" / "schema.sql").read_text(), table)
    described = data_dictionary()[f"shop.{table}"]
    assert list(described) == list(created)
    for column, definition in created.items():
        assert definition.upper().startswith(described[column]["type"]), column


@pytest.mark.parametrize("name,key", [("create_events", "curated.clickstream_events"),
                                      ("create_rejects", "quarantine.clickstream_rejects"),
                                      ("create_sessions", "curated.sessions")])
def test_every_curated_column_is_described_with_its_hive_type(name, key):
    sql = (SQL / "clickstream" / "tables.sql").read_text().split(f"-- name: {name}\n", 1)[1].split("-- name:")[0]
    created = created_columns(sql, "{table}")
    partitions = re.search(r"PARTITIONED BY \(([^)]*)\)", sql).group(1)
    created.update(dict(p.strip().split() for p in partitions.split(",")))
    assert {c: e["type"] for c, e in data_dictionary()[key].items()} == created


def test_every_description_is_plain_words():
    for table, columns in data_dictionary().items():
        for column, entry in columns.items():
            assert len(entry["text"]) > 8 and entry["text"].endswith("."), f"{table}.{column}"


def test_a_column_the_dictionary_lacks_says_so():
    assert describe("shop.customers", "loyalty_points") == UNDESCRIBED
    assert describe("shop.customers", "tier").startswith("Loyalty tier")


def test_every_table_asset_shows_its_column_schema_in_the_catalog():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        if key.path[:2] == ["raw", "mysql"] or key == dg.AssetKey(["raw", "clickstream"]):
            continue  # the import shows its columns as it finds them in MySQL; the landing is files
        schema = graph.get(key).metadata.get("dagster/column_schema")
        assert schema is not None, key
        assert all(column.description for column in schema.columns), key


def test_the_hbase_columns_and_the_mirror_are_described_as_the_360_design_stores_them():
    from dataplatform_assets.serving import customer_360_table as design

    stored = design.cells({}, {})
    assert set(data_dictionary()["serving.customer_360"]) == {c.decode() for c in stored}
    mirror = set(data_dictionary()["marts.customer_360"])
    assert {c.decode().split(":", 1)[1] for c in stored if not c.endswith(b":as_of")} <= mirror
