-- Per HiveServer2 session, before parsing: a line with a repeated JSON key keeps the last value
-- instead of failing the whole query.
SET spark.sql.mapKeyDedupPolicy=LAST_WIN;
-- Hour and day literals, and times without an offset, are UTC whatever the server's default.
SET spark.sql.session.timeZone=UTC
