"""The customer 360° table's checks: HBase against the lake, after each refresh."""

from __future__ import annotations

from dataplatform_assets.serving import customer_360_table as design
from dataplatform_assets.serving.refresh import sql
from resources.hbase import HBaseResource
from resources.hive import HiveServer2Resource
from resources.sql import lit

SAMPLE_SIZE = 50
ROW_COUNT, SAMPLE, EMAIL_INDEX = ("row_count_matches_live_customers", "sample_matches_the_lake",
                                  "email_index_points_at_existing_rows")
DESCRIPTIONS = {
    ROW_COUNT: "HBase holds one row per current, non-deleted customer of warehouse.dim_customer.",
    SAMPLE: f"{SAMPLE_SIZE} random customers: every HBase cell equals the value computed in the lake "
            "(marts.customer_360).",
    EMAIL_INDEX: "Every e-mail index entry points at a stored customer whose address it is.",
}


def stored_emails(hbase: HBaseResource) -> dict[bytes, bytes]:
    """Row key -> stored e-mail address of every customer row."""
    return {key: cells.get(b"p:email", b"")
            for key, cells in hbase.scan(design.TABLE, [b"p:email"], row_stop=design.REFRESH_ROW)}


def row_count(hive: HiveServer2Resource, stored: dict[bytes, bytes]) -> tuple[bool, dict]:
    live = int(hive.query(sql(hive, "live_customers"))[0][0])
    return len(stored) == live, {"hbase_rows": len(stored), "live_customers": live}


def email_index(hbase: HBaseResource, stored: dict[bytes, bytes]) -> tuple[bool, dict]:
    entries = dangling = 0
    examples = []
    for email_row, columns in hbase.scan(design.EMAIL_INDEX):
        for key in columns.values():
            entries += 1
            email = stored.get(key)
            if email is None or design.email_key(email.decode()) != email_row:
                dangling += 1
                examples.append(f"{email_row.decode()} -> {key.decode()}")
    return dangling == 0, {"entries": entries, "dangling": dangling, "examples": ", ".join(examples[:5])}


def sample(hive: HiveServer2Resource, hbase: HBaseResource) -> tuple[bool, dict]:
    """Field-by-field comparison of a random sample; the sections' freshness cells are left out
    (they say when a row was last written, which the mirror does not hold)."""
    records = hive.records(sql(hive, "sample", size=lit(SAMPLE_SIZE)))
    stored = hbase.rows(design.TABLE, [design.row_key(r["customer_id"]) for r in records])
    mismatched = []
    for record in records:
        key = design.row_key(record["customer_id"])
        expected = design.cells(record, {})
        got = stored.get(key, {})
        wrong = [c.decode() for c, v in expected.items() if not c.endswith(b":as_of") and got.get(c) != v]
        if wrong:
            mismatched.append(f"{key.decode()}: {', '.join(wrong[:4])}")
    return not mismatched, {"sampled": len(records), "mismatched": len(mismatched),
                            "examples": "; ".join(mismatched[:5])}

