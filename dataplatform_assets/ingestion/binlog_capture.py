"""Change capture from the source's row-based binary log, read as a replica reads it.

A run's source-side cost then follows the change, not the table: instead of checksumming every
key chunk, the importer asks the binary log which keys of the table changed between the last
load's position and its own snapshot's, and reads exactly those rows inside that snapshot. The
binary log holds committed transactions in commit order, so late commits, `updated_at` set in the
past and deletes all show up, each once. The position is MariaDB's `Binlog_snapshot_file/position`,
the point its consistent snapshot corresponds to, and it is kept in the load's state like a
watermark. What a site must enable: docs/ingestion.md ("Change capture").
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pymysql

from resources.mysql import MySQLResource
from resources.sql import statement

BINLOG_SQL = "ingestion/binlog.sql"
LOST_POSITION = 1236  # the server no longer has the binary log a replica asked for


class BinlogUnavailable(RuntimeError):
    """The source does not keep the row-based binary log this capture reads."""


class BinlogGap(RuntimeError):
    """The binary log from the last load's position on was purged: only a full load can follow."""


@dataclass(frozen=True, order=True)
class BinlogPosition:
    file: str  # e.g. mysql-bin.000003: numbered, so (file, pos) order is binary log order
    pos: int

    def as_state(self) -> list:
        return [self.file, self.pos]

    def __str__(self) -> str:
        return f"{self.file}:{self.pos}"


def snapshot_position(cur) -> BinlogPosition:
    """The binary log position of the snapshot open on `cur`'s connection."""
    cur.execute(statement(BINLOG_SQL, "binlog_settings"))
    log_bin, binlog_format = cur.fetchone()
    if not log_bin or str(binlog_format).upper() != "ROW":
        raise BinlogUnavailable(
            f"binlog change capture needs the source's binary log on and row-based (log_bin=ON, "
            f"binlog_format=ROW); the server has log_bin={'ON' if log_bin else 'OFF'}, "
            f"binlog_format={binlog_format}. Enable them, or use checksum capture")
    cur.execute(statement(BINLOG_SQL, "snapshot_position"))
    status = {name.lower(): value for name, value in cur.fetchall()}
    if not status.get("binlog_snapshot_file"):
        raise BinlogUnavailable("the server reports no Binlog_snapshot_file for the consistent snapshot "
                                "(a MariaDB status variable; other servers are not supported by binlog capture)")
    return BinlogPosition(status["binlog_snapshot_file"], int(status["binlog_snapshot_position"]))


@dataclass
class KeyChanges:
    """What the binary log says about one table's keys between two positions."""
    existed: dict[int, bool] = field(default_factory=dict)  # key -> it existed at the start
    exists: dict[int, bool] = field(default_factory=dict)  # key -> it exists at the end
    row_events: int = 0

    def touch(self, key: int, before: bool, after: bool) -> None:
        self.existed.setdefault(key, before)
        self.exists[key] = after

    @property
    def keys(self) -> frozenset[int]:
        return frozenset(self.exists)

    @property
    def net_rows(self) -> int:
        """Rows the table gained between the two positions (inserts less deletes)."""
        return sum(self.exists.values()) - sum(self.existed.values())


def read_changes(mysql: MySQLResource, table: str, key: str, start: BinlogPosition,
                 end: BinlogPosition) -> KeyChanges:
    """The keys of `table` whose rows were inserted, updated or deleted in (start, end]."""
    from pymysqlreplication import BinLogStreamReader
    from pymysqlreplication.row_event import DeleteRowsEvent, UpdateRowsEvent, WriteRowsEvent

    settings = {"host": mysql.host, "port": mysql.port, "user": mysql.user, "password": mysql.read_password(),
                "connect_timeout": mysql.connect_timeout}
    # A replica's server id must differ from every other replica's: one of its own per read.
    stream = BinLogStreamReader(connection_settings=settings, server_id=random.randint(2**20, 2**31),
                                log_file=start.file, log_pos=start.pos, resume_stream=True, blocking=False,
                                only_events=[WriteRowsEvent, UpdateRowsEvent, DeleteRowsEvent],
                                only_schemas=[mysql.schema()], only_tables=[table])
    changes = KeyChanges()
    try:
        for event in stream:
            if BinlogPosition(stream.log_file, stream.log_pos) > end:
                break  # committed after the snapshot: the next run's
            changes.row_events += len(event.rows)
            for row in event.rows:
                if isinstance(event, UpdateRowsEvent):
                    old, new = row["before_values"][key], row["after_values"][key]
                    changes.touch(old, True, old == new)
                    if new != old:
                        changes.touch(new, False, True)
                else:
                    inserted = isinstance(event, WriteRowsEvent)
                    changes.touch(row["values"][key], not inserted, inserted)
    except pymysql.err.MySQLError as exc:
        if exc.args and exc.args[0] == LOST_POSITION:
            raise BinlogGap(f"{table}: the binary log from {start} on is gone from the source "
                            f"({exc.args[1] if len(exc.args) > 1 else exc}); a full load follows") from None
        raise
    finally:
        stream.close()
    return changes
