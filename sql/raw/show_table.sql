SHOW TABLES IN {database} LIKE '{table}'
