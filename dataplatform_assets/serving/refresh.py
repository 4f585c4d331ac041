"""One refresh of the customer 360° table: compute every customer's values in the lake, find
those that differ from what the last refresh wrote, write only those to HBase, then publish the
values as the mirror `marts.customer_360` (docs/serving.md).

The values are computed from the warehouse and the curated clickstream by one Spark SQL statement
into a new version folder of the mirror (sql/serving/customer_360.sql). Each row carries a hash of
its values; the rows whose hash differs from the published mirror's (all rows on a full rebuild)
and the customers no longer current are written to `serving/customer_360/_changes/<version>` and
read back as Parquet, batch by batch, into HBase. Every cell of a changed customer is written, at
the run's watermark as its timestamp, so a replayed or older run cannot overwrite newer values.
The mirror is swapped in only after HBase has every change: a run killed before that leaves the
old mirror, and the next run finds and writes the same changes again (the same cells at the same
or a newer timestamp).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pyarrow.parquet as pq

from dataplatform_assets.clickstream.curated_tables import CURATED, EVENTS, SESSIONS, ensure_tables, new_version
from dataplatform_assets.serving import customer_360_table as design
from dataplatform_assets.warehouse.dimensions import DIM_CUSTOMER
from dataplatform_assets.warehouse.facts import FACT_ORDERS
from dataplatform_assets.warehouse.publish import TABLES_SQL, ensure_database, swap_in, version_of
from dataplatform_assets.warehouse.scd2 import WAREHOUSE
from resources.hbase import Cells, HBaseResource
from resources.hive import HiveServer2Resource
from resources.lake import LakeResource
from resources.sql import Sql, lit, placeholders, raw, statement

SQL = "serving/customer_360.sql"
MIRROR_DATABASE, MIRROR = "marts", "customer_360"
MIRROR_DIR = f"{MIRROR_DATABASE}/{MIRROR}"
MIRROR_COMMENT = "Every live customer's 360° values, as the last refresh wrote them to HBase (Parquet mirror)."
CHANGES_DIR = "serving/customer_360/_changes"
FAMILY_NAMES = [f.name.encode() for f in design.FAMILIES]
MIRROR_VERSION = b"p:mirror_version"  # in the refresh row: the mirror HBase was last refreshed with


@dataclass
class RefreshResult:
    customers: int  # live customers computed
    changed: int  # written to HBase
    removed: int  # deleted from HBase
    watermark_ms: int
    seconds: dict[str, float] = field(default_factory=dict)  # compute, diff, write, publish


def input_tables(hive: HiveServer2Resource) -> dict[str, Sql]:
    return {"dim_customer": hive.table(WAREHOUSE, DIM_CUSTOMER.name),
            "fact_orders": hive.table(WAREHOUSE, FACT_ORDERS.name),
            "sessions": hive.table(CURATED, SESSIONS.name), "events": hive.table(CURATED, EVENTS.name),
            "mirror": hive.table(MIRROR_DATABASE, MIRROR)}


def sql(hive: HiveServer2Resource, name: str, **values: Sql) -> str:
    """The named statement with the tables it reads filled in."""
    wanted = placeholders(SQL, name)
    return statement(SQL, name, **{k: v for k, v in input_tables(hive).items() if k in wanted}, **values)


def ensure_tables_exist(hive: HiveServer2Resource, lake: LakeResource, hbase: HBaseResource) -> None:
    hbase.ensure_table(design.TABLE, {f.name: f.ttl_seconds for f in design.FAMILIES}, design.split_keys())
    hbase.ensure_table(design.EMAIL_INDEX, {design.INDEX_FAMILY.decode(): None}, design.split_keys())
    ensure_database(hive, MIRROR_DATABASE)
    ensure_tables(hive, lake, EVENTS, SESSIONS)  # empty before any clickstream was parsed


def read_as_of(hive: HiveServer2Resource) -> dict[str, datetime | None]:
    row = hive.query(sql(hive, "as_of"))[0]
    return dict(zip(design.SECTION_AS_OF.values(), row, strict=True))


def watermark_ms(as_of: dict[str, datetime | None]) -> int:
    """The run's cell timestamp: the latest input change, in milliseconds since the epoch (UTC)."""
    times = [t for t in as_of.values() if t is not None]
    if not times:
        raise ValueError("the customer dimension is empty: import shop.customers and build "
                         "warehouse/dim_customer before the 360° table")
    return int(max(times).replace(tzinfo=timezone.utc).timestamp() * 1000)


def in_step(hbase: HBaseResource, published_version: str | None) -> bool:
    """Whether HBase holds what the published mirror says: the refresh row names the mirror
    version its last refresh published. If not (a new or replaced table, another HBase, a run
    killed between its writes and its publish), a diff against the mirror would miss rows."""
    stored = hbase.row(design.TABLE, design.REFRESH_ROW).get(MIRROR_VERSION)
    return published_version is not None and stored == published_version.encode()


def parquet_batches(lake: LakeResource, directory: str, rows: int) -> Iterator[list[dict]]:
    """The Parquet files Spark wrote into `directory`, as lists of at most `rows` records."""
    for entry in lake.list_status(directory):
        if entry.is_dir or not entry.name.endswith(".parquet"):
            continue
        with pq.ParquetFile(io.BytesIO(lake.read_bytes(f"{directory}/{entry.name}"))) as part:
            for batch in part.iter_batches(batch_size=rows):
                yield batch.to_pylist()


def index_column(customer_id: object) -> bytes:
    return design.INDEX_FAMILY + b":" + str(customer_id).encode()


def changed_mutations(records: list[dict], as_of: dict) -> tuple[list, list, list]:
    """Puts of the customers' rows; puts and deletes of their e-mail index entries."""
    rows, index_puts, index_deletes = [], [], []
    for record in records:
        key, column = design.row_key(record["customer_id"]), index_column(record["customer_id"])
        rows.append((key, design.cells(record, as_of)))
        if record["email"]:
            index_puts.append((design.email_key(record["email"]), {column: key}))
        previous = record.get("previous_email")
        if previous and (not record["email"] or design.email_key(previous) != design.email_key(record["email"])):
            index_deletes.append((design.email_key(previous), [column]))
    return rows, index_puts, index_deletes


def removed_mutations(records: list[dict]) -> tuple[list, list]:
    rows = [(record["row_key"].encode(), FAMILY_NAMES) for record in records]
    index = [(design.email_key(r["email"]), [index_column(r["customer_id"])]) for r in records if r["email"]]
    return rows, index


def sweep_strays(hbase: HBaseResource, live: dict[bytes, str | None], ts: int) -> int:
    """On a full rebuild: delete rows and index entries no live customer accounts for."""
    stored = hbase.scan(design.TABLE, [b"p:customer_id"], row_stop=design.REFRESH_ROW)
    strays = [(key, FAMILY_NAMES) for key, _ in stored if key not in live]
    index = []
    for email_row, columns in hbase.scan(design.EMAIL_INDEX):
        for column, key in columns.items():
            email = live.get(key)
            if email is None or design.email_key(email) != email_row:
                index.append((email_row, [column]))
    if strays:
        hbase.write(design.TABLE, ts, deletes=strays)
    if index:
        hbase.write(design.EMAIL_INDEX, ts, deletes=index)
    return len(strays)


def refresh(hive: HiveServer2Resource, lake: LakeResource, hbase: HBaseResource, run_id: str, *,
            full: bool = False, batch_rows: int = 1000,
            report: Callable[[str], None] = lambda _: None) -> RefreshResult:
    seconds: dict[str, float] = {}
    started = time.monotonic()
    ensure_tables_exist(hive, lake, hbase)
    as_of = read_as_of(hive)
    ts = watermark_ms(as_of)
    version = new_version(run_id)
    computed = lit(lake.uri(f"{MIRROR_DIR}/{version}"))
    hive.execute(sql(hive, "values", location=computed,
                     orders_as_of=lit(str(as_of["orders_as_of"] or datetime.fromtimestamp(ts / 1000, timezone.utc))),
                     history_size=lit(design.HISTORY_SIZE), recent_orders=lit(design.RECENT_ORDERS),
                     recent_events=lit(design.RECENT_EVENTS)))
    seconds["compute"] = time.monotonic() - started

    mark = time.monotonic()
    published = hive.describe(MIRROR_DATABASE, MIRROR)
    if not full and not in_step(hbase, version_of(published)):
        report("customer_360: HBase was not refreshed from the published mirror (a new or replaced "
               "table, or a run killed before it published): writing every customer")
        full = True
    changes = f"{CHANGES_DIR}/{version}"
    hive.execute(sql(hive, "computed", location=computed),
                 sql(hive, "previous" if published else "no_previous"),
                 sql(hive, "changed", location=lit(lake.uri(f"{changes}/changed")), everyone=raw(str(full).lower())),
                 sql(hive, "removed", location=lit(lake.uri(f"{changes}/removed"))))
    seconds["diff"] = time.monotonic() - mark

    mark = time.monotonic()
    counts = {"changed": 0, "removed": 0}
    live: dict[bytes, str | None] = {}

    def changed_writes() -> Iterator[tuple]:
        for records in parquet_batches(lake, f"{changes}/changed", batch_rows):
            rows, index_puts, index_deletes = changed_mutations(records, as_of)
            yield design.TABLE, ts, rows, ()
            yield design.EMAIL_INDEX, ts, index_puts, index_deletes
            counts["changed"] += len(records)
            if full:
                live.update((design.row_key(r["customer_id"]), r["email"]) for r in records)
            report(f"customer_360: {counts['changed']:,} changed customers being written")

    def removed_writes() -> Iterator[tuple]:
        for records in parquet_batches(lake, f"{changes}/removed", batch_rows):
            rows, index = removed_mutations(records)
            yield design.TABLE, ts, (), rows
            yield design.EMAIL_INDEX, ts, (), index
            counts["removed"] += len(records)

    # Changes first, removals after them: a removed customer's address may be a changed one's now.
    hbase.write_concurrently(changed_writes())
    hbase.write_concurrently(removed_writes())
    changed, removed = counts["changed"], counts["removed"]
    if full:
        removed += sweep_strays(hbase, live, ts)
    seconds["write"] = time.monotonic() - mark

    mark = time.monotonic()
    swap_in(hive, lake, MIRROR_DATABASE, MIRROR, MIRROR_DIR, version, MIRROR_COMMENT, published=published)
    customers = int(hive.query(statement(TABLES_SQL, "row_count", table=input_tables(hive)["mirror"]))[0][0])
    refreshed: Cells = {f"p:{name}".encode(): design.encode(value) for name, value in as_of.items()}
    refreshed |= {b"p:customers": design.encode(customers), b"p:run_id": run_id.encode(),
                  b"p:refreshed_at": design.encode(datetime.now(timezone.utc)), MIRROR_VERSION: version.encode()}
    hbase.write(design.TABLE, ts, puts=[(design.REFRESH_ROW, refreshed)])
    for folder in lake.list_dirs(CHANGES_DIR):  # ours, and any a killed run left
        lake.delete_dir(f"{CHANGES_DIR}/{folder}")
    seconds["publish"] = time.monotonic() - mark
    return RefreshResult(customers, changed, removed, ts, seconds)
