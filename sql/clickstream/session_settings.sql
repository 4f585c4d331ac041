-- Per HiveServer2 session, before parsing: a line with a repeated JSON key keeps the last value
-- instead of failing the whole query.
SET spark.sql.mapKeyDedupPolicy=LAST_WIN
