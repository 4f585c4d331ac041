-- The columns of one source table, in table order (MySQL / MariaDB information_schema).
SELECT column_name, data_type, column_type, numeric_precision, numeric_scale, is_nullable
FROM information_schema.columns
WHERE table_schema = DATABASE() AND table_name = %s
ORDER BY ordinal_position;
