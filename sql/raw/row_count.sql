SELECT COUNT(*) FROM {database}.{table}
