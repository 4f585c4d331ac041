import pyarrow as pa
import pytest

from dataplatform_assets.ingestion.source_schema import UnsupportedColumn, map_column


@pytest.mark.parametrize("data_type,column_type,precision,scale,arrow,hive", [
    ("int", "int(10) unsigned", 10, 0, pa.int64(), "BIGINT"),
    ("int", "int(11)", 10, 0, pa.int32(), "INT"),
    ("smallint", "smallint(5) unsigned", 5, 0, pa.int32(), "INT"),
    ("bigint", "bigint(20) unsigned", 20, 0, pa.int64(), "BIGINT"),
    ("tinyint", "tinyint(1)", 3, 0, pa.bool_(), "BOOLEAN"),
    ("decimal", "decimal(12,2)", 12, 2, pa.decimal128(12, 2), "DECIMAL(12,2)"),
    ("varchar", "varchar(80)", None, None, pa.string(), "STRING"),
    ("enum", "enum('a','b')", None, None, pa.string(), "STRING"),
    ("datetime", "datetime(3)", None, None, pa.timestamp("us", tz="UTC"), "TIMESTAMP"),
    ("date", "date", None, None, pa.date32(), "DATE"),
    ("double", "double", None, None, pa.float64(), "DOUBLE"),
    ("blob", "blob", None, None, pa.binary(), "BINARY"),
])
def test_mysql_types_map_to_lake_types(data_type, column_type, precision, scale, arrow, hive):
    col = map_column("t", "c", data_type, column_type, precision, scale, True)
    assert col.arrow_type == arrow and col.hive_type == hive


def test_unknown_type_names_table_and_column():
    with pytest.raises(UnsupportedColumn, match=r"orders\.shape.*geometry"):
        map_column("orders", "shape", "geometry", "geometry", None, None, True)
