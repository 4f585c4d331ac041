DESCRIBE {database}.{table}
