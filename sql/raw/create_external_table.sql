-- A raw table over one published load of a MySQL table (Parquet files in the lake).
CREATE EXTERNAL TABLE {database}.{table} (
{columns}
)
COMMENT '{comment}'
STORED AS PARQUET
LOCATION '{location}'
