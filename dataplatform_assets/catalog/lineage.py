"""Column lineage: which upstream columns each column is computed from.

Derived tables say it in the data dictionary (`from: [asset/key/path.column, ...]`); raw imports
copy their MySQL table's columns and dimensions their raw import's, so theirs is made here. Every
table asset carries it as `dagster/column_lineage`, and, because the open-source Dagster UI does not
draw that entry, as a Markdown table of each column's sources: the MySQL columns and clickstream
fields it comes from, however many layers lie between.
"""

from __future__ import annotations

from functools import cache

import dagster as dg

from dataplatform_assets.catalog.dictionary import data_dictionary
from dataplatform_assets.ingestion.tables import SHOP_TABLES
from dataplatform_assets.warehouse.dimensions import DIMENSIONS, Dimension

Column = tuple[dg.AssetKey, str]
LINEAGE_TABLE_LABEL = "column sources"
# Dictionary tables whose asset key is not their `database/table` name.
ASSET_KEYS = {"serving.customer_360": dg.AssetKey(["serving", "hbase", "customer_360"]),
              **{f"shop.{t.name}": dg.AssetKey(["mysql", "shop", t.name]) for t in SHOP_TABLES}}


def asset_key_of(table: str) -> dg.AssetKey:
    """The asset of a data dictionary table."""
    return ASSET_KEYS.get(table) or dg.AssetKey(table.split("."))


def _parse(reference: str) -> Column:
    path, column = reference.rsplit(".", 1)
    return dg.AssetKey(path.split("/")), column


def _dimension_deps(dim: Dimension) -> dict[str, list[Column]]:
    raw = dg.AssetKey(["raw", "mysql", dim.source])
    deps = {c: [(raw, c)] for c in data_dictionary()[f"shop.{dim.source}"]}
    deps[dim.surrogate_key] = [(raw, dim.key)]
    # The SCD-2 columns come from the loads' times and the comparison of versions.
    deps.update({c: [] for c in data_dictionary()["warehouse.scd2"] if c != "surrogate_key"})
    deps["row_hash"] = [(raw, c) for c in dim.tracked]
    deps["is_deleted"] = [(raw, dim.key)]  # a key missing from a full load, or a tombstone
    return deps


@cache
def platform_lineage() -> dict[dg.AssetKey, dict[str, list[Column]]]:
    """Per asset, per column, the upstream columns it is computed from (all assets with lineage)."""
    lineage: dict[dg.AssetKey, dict[str, list[Column]]] = {}
    for table in SHOP_TABLES:
        source = asset_key_of(f"shop.{table.name}")
        lineage[dg.AssetKey(["raw", "mysql", table.name])] = {
            c: [(source, c)] for c in data_dictionary()[f"shop.{table.name}"]}
    for dim in DIMENSIONS:
        lineage[dg.AssetKey(["warehouse", dim.name])] = _dimension_deps(dim)
    for table, columns in data_dictionary().items():
        if any("from" in entry for entry in columns.values()):
            lineage[asset_key_of(table)] = {c: [_parse(r) for r in entry.get("from", [])]
                                            for c, entry in columns.items()}
    return lineage


def sources(key: dg.AssetKey, column: str) -> list[Column]:
    """The columns at the start of the graph (MySQL columns, clickstream fields) `column` comes from."""
    found: dict[Column, None] = {}
    pending = [(key, column)]
    while pending:
        asset, name = pending.pop()
        upstream = platform_lineage().get(asset, {}).get(name)
        if upstream is None:  # nothing known upstream: a source
            found[(asset, name)] = None
        else:
            pending.extend(upstream)
    return sorted(found, key=lambda c: (c[0].to_user_string(), c[1]))


def _name(column: Column) -> str:
    return f"{column[0].to_user_string()}.{column[1]}"


def lineage_metadata(key: dg.AssetKey) -> dict[str, dg.MetadataValue]:
    """The asset's column lineage, for tools and as a table a person reads in the UI."""
    deps = platform_lineage()[key]
    rows = ["| column | computed from | sources |", "|---|---|---|"]
    for column, upstream in deps.items():
        direct = ", ".join(_name(c) for c in upstream) or "computed here"
        origin = ", ".join(_name(c) for c in sources(key, column)) if upstream else ""
        rows.append(f"| `{column}` | {direct} | {origin} |")
    return {
        "dagster/column_lineage": dg.TableColumnLineage(deps_by_column={
            column: [dg.TableColumnDep(asset_key=k, column_name=c) for k, c in upstream]
            for column, upstream in deps.items() if upstream}),
        LINEAGE_TABLE_LABEL: dg.MetadataValue.md("\n".join(rows)),
    }
