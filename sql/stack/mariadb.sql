-- The local stack's MariaDB, run as its root account over the server's socket.

-- name: ping
SELECT 1

-- name: set_root_password
-- A brand-new data directory's root has no password: it gets the stack's generated one.
ALTER USER 'root'@'localhost' IDENTIFIED BY %s

-- name: bootstrap
-- Run by `dataplatform stack up` as the MariaDB root account after every start (idempotent).
-- Statements go through pymysql's %(name)s parameters, so a literal percent sign is written %%.
-- The metastore schema must be latin1: with utf8mb4 DataNucleus' VARCHAR keys grow too long.
CREATE DATABASE IF NOT EXISTS metastore CHARACTER SET latin1 COLLATE latin1_bin;
CREATE DATABASE IF NOT EXISTS shop CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
DELETE FROM mysql.global_priv WHERE User = '';
CREATE USER IF NOT EXISTS 'metastore'@'%%' IDENTIFIED BY %(metastore_password)s;
ALTER USER 'metastore'@'%%' IDENTIFIED BY %(metastore_password)s;
GRANT ALL PRIVILEGES ON metastore.* TO 'metastore'@'%%';
-- The platform's account owns every `shop*` schema (the demo's and the tests' own).
CREATE USER IF NOT EXISTS 'dataplatform'@'%%' IDENTIFIED BY %(app_password)s;
ALTER USER 'dataplatform'@'%%' IDENTIFIED BY %(app_password)s;
GRANT ALL PRIVILEGES ON `shop%%`.* TO 'dataplatform'@'%%';
-- REPLICATION SLAVE: binlog change capture reads the binary log as a replica does.
GRANT PROCESS, RELOAD, REPLICATION SLAVE ON *.* TO 'dataplatform'@'%%';
FLUSH PRIVILEGES;
