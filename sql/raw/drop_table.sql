-- External table: dropping it removes only the metastore entry, never the lake files.
DROP TABLE IF EXISTS {database}.{table}
