SHOW PARTITIONS {database}.{table}
