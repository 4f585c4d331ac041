-- Point a raw table at a newer load: one metastore update, so readers switch atomically.
ALTER TABLE {database}.{table} SET LOCATION '{location}'
