-- Loading a generated shop into MySQL / MariaDB (dataplatform/generator/loader.py).

-- name: bulk_session
-- The loader's own connections: the generated rows are consistent, so checks can wait.
SET SESSION foreign_key_checks = 0, unique_checks = 0

-- name: load_tsv
-- One table from the tab-separated file the loader just wrote.
LOAD DATA LOCAL INFILE {path} INTO TABLE {table} CHARACTER SET utf8mb4
FIELDS TERMINATED BY '\t' LINES TERMINATED BY '\n' ({targets})

-- name: load_tsv_with_money
-- ... where money columns arrive in cents (user variables) and are stored as decimals.
LOAD DATA LOCAL INFILE {path} INTO TABLE {table} CHARACTER SET utf8mb4
FIELDS TERMINATED BY '\t' LINES TERMINATED BY '\n' ({targets})
SET {money}

-- name: insert_rows
-- A small table row by row; the values go as parameters.
INSERT INTO {table} ({columns}) VALUES ({values})
