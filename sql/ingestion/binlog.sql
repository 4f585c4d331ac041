-- Change capture from the source's row-based binary log (dataplatform_assets/ingestion/binlog_capture.py).

-- name: binlog_settings
-- What the capture needs from the server: binary logging on, in row format.
SELECT @@log_bin, @@binlog_format;

-- name: snapshot_position
-- MariaDB: the binary log position the open consistent snapshot corresponds to (the session's
-- START TRANSACTION WITH CONSISTENT SNAPSHOT sees exactly the transactions logged before it).
SHOW SESSION STATUS WHERE Variable_name IN ('Binlog_snapshot_file', 'Binlog_snapshot_position');
