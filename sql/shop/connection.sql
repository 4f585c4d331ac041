-- Every connection to the shop database (resources/mysql.py).

-- name: utc_session
-- DATETIMEs are read and written as UTC by every engine, whatever the server's zone.
SET time_zone = '+00:00'
