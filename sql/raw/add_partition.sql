ALTER TABLE {database}.{table} ADD IF NOT EXISTS PARTITION (load_id = '{load_id}') LOCATION '{location}'
