"""What the metastore says of a table, read from DESCRIBE FORMATTED."""

from resources.hive import TableDescription


def test_a_table_description_reads_columns_and_location_from_describe_formatted():
    described = [("customer_id", "bigint", None), ("tier", "STRING", None), ("load_id", "string", None),
                 ("# Partition Information", "", ""), ("# col_name", "data_type", "comment"),
                 ("load_id", "string", None), ("", "", ""), ("# Detailed Table Information", "", ""),
                 ("Database", "raw", ""), ("Location", "hdfs://nn:9000/lake/raw/mysql/customers", "")]
    table = TableDescription.of(described)
    assert table.columns == [("customer_id", "bigint"), ("tier", "string"), ("load_id", "string")]
    assert table.location == "hdfs://nn:9000/lake/raw/mysql/customers"
