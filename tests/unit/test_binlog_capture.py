"""Reading mariadb-binlog's decoded row events: which keys changed, and how the row count moved."""

from dataplatform_assets.ingestion.binlog_capture import BinlogPosition, binlog_files, parse_changes

EVENTS = """\
# at 4
### INSERT INTO `shop`.`orders`
### SET
###   @1=10
###   @2='placed'
### UPDATE `shop`.`orders`
### WHERE
###   @1=3
###   @2='placed'
### SET
###   @1=3
###   @2='shipped'
### DELETE FROM `shop`.`orders`
### WHERE
###   @1=4
###   @2='paid'
### UPDATE `shop`.`customers`
### WHERE
###   @1=5
### SET
###   @1=5
### UPDATE `shop`.`orders`
### WHERE
###   @1=6
### SET
###   @1=7
### INSERT INTO `shop`.`orders`
### SET
###   @1=11
### DELETE FROM `shop`.`orders`
### WHERE
###   @1=11
### INSERT INTO `shop`.`orders`
### SET
###   @1=-1 (18446744073709551615)
"""


def test_every_insert_update_and_delete_of_the_table_is_one_changed_key():
    changes = parse_changes(EVENTS.encode().splitlines(), "shop", "orders", key_ordinal=1)
    # 5 is another table's; 6 -> 7 is a key update (a delete and an insert); 11 came and went.
    assert changes.keys == {10, 3, 4, 6, 7, 11, 18446744073709551615}
    assert changes.row_events == 7
    assert {k for k, alive in changes.exists.items() if alive} == {10, 3, 7, 18446744073709551615}
    assert {k for k, alive in changes.existed.items() if alive} == {3, 4, 6}
    assert changes.net_rows == 4 - 3


def test_the_key_is_read_from_its_own_column():
    lines = [b"### DELETE FROM `shop`.`orders`", b"### WHERE", b"###   @1='x'", b"###   @2=42", b"###   @12=7"]
    assert parse_changes(lines, "shop", "orders", key_ordinal=2).keys == {42}


def test_positions_order_as_the_binary_log_and_span_its_numbered_files():
    start, end = BinlogPosition("mysql-bin.000009", 900), BinlogPosition("mysql-bin.000011", 4)
    assert start < end < BinlogPosition("mysql-bin.000011", 5)
    assert binlog_files(start, end) == ["mysql-bin.000009", "mysql-bin.000010", "mysql-bin.000011"]
    assert binlog_files(end, end) == ["mysql-bin.000011"]
