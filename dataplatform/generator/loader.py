"""Bulk-load generated Arrow tables into MariaDB with LOAD DATA LOCAL INFILE, tables in parallel."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pymysql

from resources.sql import checked_name, ident, idents, lit, raw, statement, statements

LOAD_SQL = "shop/load.sql"

# Generated columns holding integer cents, and the DECIMAL column each one fills.
CENTS_COLUMNS = {"price_cents": "price", "unit_price_cents": "unit_price",
                 "total_amount_cents": "total_amount"}


def write_tsv(table: pa.Table, path: Path) -> None:
    """Tab-separated, no header, NULL as \\N: what LOAD DATA reads by default."""
    columns = []
    for name in table.column_names:
        col = table[name]
        if pa.types.is_boolean(col.type):
            col = pc.cast(col, pa.int8())
        if col.null_count:
            col = pc.fill_null(pc.cast(col, pa.string()), "\\N")
        columns.append(col)
    out = pa.table(columns, names=table.column_names)
    pacsv.write_csv(out, path, write_options=pacsv.WriteOptions(
        include_header=False, delimiter="\t", quoting_style="none"))


def load_statement(table_name: str, path: Path, columns: list[str]) -> str:
    """LOAD DATA of a TSV file; cents columns go through a user variable (`@col`) into their decimal column."""
    targets, money = [], []
    for col in columns:
        if col in CENTS_COLUMNS:
            variable = "@" + checked_name(col)  # a user variable named after the column
            targets.append(variable)
            money.append(f"{ident(CENTS_COLUMNS[col]).text} = {variable} / 100")
        else:
            targets.append(ident(col).text)
    values = dict(path=lit(str(path)), table=ident(table_name), targets=raw(", ".join(targets)))
    if money:
        return statement(LOAD_SQL, "load_tsv_with_money", money=raw(", ".join(money)), **values)
    return statement(LOAD_SQL, "load_tsv", **values)


def load_tables(connect: Callable[..., pymysql.Connection], tables: dict[str, pa.Table],
                recreate_schema: bool = True, report: Callable[[str], None] = print) -> dict[str, float]:
    """Load each table on its own connection; returns seconds per table."""
    if recreate_schema:
        with connect() as conn, conn.cursor() as cur:
            for text in statements("shop/schema.sql"):
                cur.execute(text)
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="shop-load-") as tmp:
        def load_one(name: str) -> None:
            t0 = time.monotonic()
            path = Path(tmp) / f"{name}.tsv"
            write_tsv(tables[name], path)
            with connect(local_infile=True) as conn, conn.cursor() as cur:
                cur.execute(statement(LOAD_SQL, "bulk_session"))
                loaded = cur.execute(load_statement(name, path, tables[name].column_names))
                conn.commit()
            if loaded != tables[name].num_rows:
                raise RuntimeError(f"{name}: loaded {loaded} rows, generated {tables[name].num_rows}")
            timings[name] = time.monotonic() - t0
            report(f"  {name:12} {tables[name].num_rows:>10,} rows in {timings[name]:6.1f}s")

        # Foreign keys are not checked during the load, so every table can load at once.
        with ThreadPoolExecutor(max_workers=len(tables)) as pool:
            list(pool.map(load_one, tables))
    return timings


def insert_rows(cur: pymysql.cursors.Cursor, table_name: str, table: pa.Table) -> int:
    """INSERT a (small) Arrow table row by row in one round trip per batch of rows."""
    if table.num_rows == 0:
        return 0
    columns = [CENTS_COLUMNS.get(c, c) for c in table.column_names]
    rows = []
    for row in table.to_pylist():
        rows.append(tuple(Decimal(v).scaleb(-2) if k in CENTS_COLUMNS else v for k, v in row.items()))
    sql = statement(LOAD_SQL, "insert_rows", table=ident(table_name), columns=idents(columns),
                    values=raw(", ".join(["%s"] * len(columns))))  # bound by pymysql
    return cur.executemany(sql, rows)
