-- External table: the partition's files stay until the importer removes superseded loads.
ALTER TABLE {database}.{table} DROP IF EXISTS PARTITION (load_id = '{load_id}')
