"""The customer 360° table's design without HBase: keys, encoding, mutations, lookup input, the view."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from dataplatform.customer import render
from dataplatform_assets.serving import customer_360_table as design
from dataplatform_assets.serving.lookup import BadLookup, Customer360, parse_customer_id, parse_email
from dataplatform_assets.serving.refresh import changed_mutations, removed_mutations, watermark_ms
from resources.sql import ident, lit, statement


def test_the_row_key_is_a_hash_prefix_a_reader_can_rebuild():
    assert design.row_key(42) == f"{hashlib.md5(b'42').hexdigest()[:4]}|42".encode()
    prefixes = {design.row_key(i)[:1] for i in range(1, 2000)}
    assert len(prefixes) == 16  # consecutive ids spread over every region


def test_the_table_is_split_evenly_on_the_prefix():
    assert design.split_keys(16) == [f"{i:x}000".encode() for i in range(1, 16)]
    assert design.split_keys(4) == [b"4000", b"8000", b"c000"]


@pytest.mark.parametrize("value,stored", [
    (None, b""), (True, b"true"), (False, b"false"), (27, b"27"), (Decimal("4850.7"), b"4850.70"),
    (datetime(2026, 12, 2, 6, 13, 40, 123456), b"2026-12-02T06:13:40.123Z"),
    (datetime(2026, 12, 2, 7, 13, 40, tzinfo=timezone.utc), b"2026-12-02T07:13:40.000Z"), ("Zoë", "Zoë".encode()),
])
def test_one_encoding_for_every_cell(value, stored):
    assert design.encode(value) == stored


def test_every_cell_is_written_so_a_value_that_becomes_null_overwrites_the_old_one():
    cells = design.cells({"customer_id": 7, "phone": None}, {"profile_as_of": datetime(2026, 1, 1)})
    assert cells[b"p:phone"] == b"" and cells[b"p:customer_id"] == b"7"
    assert cells[b"p:as_of"] == b"2026-01-01T00:00:00.000Z" and cells[b"s:as_of"] == b""
    assert {c.split(b":")[0] for c in cells} == {b"p", b"s", b"r"}
    assert len(cells) == sum(len(f.columns) + 1 for f in design.FAMILIES)


def test_an_address_change_moves_the_index_entry_and_a_case_change_does_not():
    moved = {"customer_id": 7, "email": "new@example.com", "previous_email": "Old@Example.com"}
    same = {"customer_id": 8, "email": "Ann@Example.com", "previous_email": " ann@example.com"}
    rows, puts, deletes = changed_mutations([moved, same], {})
    assert [key for key, _ in rows] == [design.row_key(7), design.row_key(8)]
    assert puts == [(b"new@example.com", {b"c:7": design.row_key(7)}),
                    (b"ann@example.com", {b"c:8": design.row_key(8)})]
    assert deletes == [(b"old@example.com", [b"c:7"])]


def test_a_removed_customer_loses_its_families_and_its_index_entry():
    rows, index = removed_mutations([{"customer_id": 9, "row_key": "abcd|9", "email": "Gone@example.com"}])
    assert rows == [(b"abcd|9", [b"p", b"s", b"r"])] and index == [(b"gone@example.com", [b"c:9"])]


def test_the_watermark_is_the_latest_input_change_in_milliseconds():
    as_of = {"profile_as_of": datetime(2026, 1, 1), "orders_as_of": datetime(2026, 1, 2), "activity_as_of": None}
    assert watermark_ms(as_of) == int(datetime(2026, 1, 2, tzinfo=timezone.utc).timestamp() * 1000)
    with pytest.raises(ValueError, match="customer dimension is empty"):
        watermark_ms(dict.fromkeys(as_of))


@pytest.mark.parametrize("text", ["0", "-3", "12x", "", "1.5"])
def test_a_malformed_id_is_refused(text):
    with pytest.raises(BadLookup):
        parse_customer_id(text)


def test_addresses_are_checked_and_normalised():
    assert parse_email("  Ann@Example.COM ") == "ann@example.com"
    for bad in ("ann", "ann@", "a b@example.com", "ann@example"):
        with pytest.raises(BadLookup):
            parse_email(bad)


def test_the_view_shows_every_section_and_its_freshness():
    row = design.cells({"customer_id": 42, "first_name": "Ann", "last_name": "Lee", "email": "ann@example.com",
                        "tier": "gold", "orders": 3, "kept_orders": 2, "revenue": Decimal("50"),
                        "history": '[{"valid_from": "2026-01-01T00:00:00.000Z", "tier": "gold", "deleted": false}]',
                        "recent_orders": '[{"order_ts": "2026-01-02T00:00:00.000Z", "order_id": 9, "status": '
                                         '"paid", "total_amount": "20.00", "currency": "EUR", "units": 1}]',
                        "recent_events": '[{"event_ts": "2026-01-03T00:00:00.000Z", "event_type": "search", '
                                         '"query": "shoes"}]'},
                       {"profile_as_of": datetime(2026, 1, 1), "orders_as_of": datetime(2026, 1, 2)})
    view = Customer360(42, "a1d0|42", design.decode_row(row), {"refreshed_at": "2026-01-04T00:00:00.000Z"})
    text = render(view)
    for expected in ("Customer 42 · Ann Lee · ann@example.com", "Profile  (as of 2026-01-01T00:00:00.000Z)",
                     "3 orders (2 kept) · revenue 50.00", "#9  paid", "search           shoes",
                     "Activity  (as of ?)", "Table refreshed 2026-01-04T00:00:00.000Z"):
        assert expected in text, expected
    assert view.as_json()["stats"]["orders"] == 3 and view.as_json()["recent"]["recent_orders"][0]["order_id"] == 9


def test_the_hive_over_hbase_mapping_covers_every_stored_cell_in_order():
    ddl = statement("serving/customer_360_hbase.sql", "create_table", table=ident("t"), hbase_table=lit("h"))
    mapping = re.search(r"'hbase.columns.mapping' = '([^']*)'", ddl).group(1).split(",")
    columns = re.findall(r"^  (\w+) ", ddl.split("(", 1)[1].split("\n)", 1)[0], flags=re.M)
    assert mapping[0] == ":key" and columns[0] == "key" and len(mapping) == len(columns)
    assert mapping[1:] == [c.decode() for c in design.cells({}, {})]
    for column, cell in zip(columns[1:], mapping[1:], strict=True):
        name = cell.split(":")[1]
        assert column == name or (name == "as_of" and column.endswith("_as_of")), (column, cell)
