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

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field

from resources.mysql import MySQLResource
from resources.sql import statement

BINLOG_SQL = "ingestion/binlog.sql"


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


def binlog_files(start: BinlogPosition, end: BinlogPosition) -> list[str]:
    """The binary log files from start's to end's: the server numbers them one after another."""
    stem, first = start.file.rsplit(".", 1)
    last = int(end.file.rsplit(".", 1)[1])
    return [f"{stem}.{number:0{len(first)}d}" for number in range(int(first), last + 1)]


def _key_value(line: bytes) -> int:
    """`###   @1=42`, or for an unsigned value past the signed range `###   @1=-1 (18446744073709551615)`."""
    value = line.split(b"=", 1)[1]
    return int(value.split(b"(", 1)[1].rstrip().rstrip(b")") if b"(" in value else value)


def parse_changes(lines, database: str, table: str, key_ordinal: int) -> KeyChanges:
    """KeyChanges from mariadb-binlog's decoded row events (`--base64-output=DECODE-ROWS --verbose`),
    as bytes lines: each event names its table, then lists the before image (WHERE) and the after
    image (SET) as `###   @<ordinal>=<value>` lines."""
    target = f"`{database}`.`{table}`".encode()
    key_line = f"###   @{key_ordinal}=".encode()
    changes, kind, old = KeyChanges(), None, None
    for line in lines:
        marker = line[4:5]  # "### INSERT ...", "### UPDATE ...", "### DELETE ...", or "###   @n=..."
        if marker == b" ":
            if kind is None or not line.startswith(key_line):
                continue
            key = _key_value(line)
            if kind == b"INSERT":
                changes.touch(key, False, True)
            elif kind == b"DELETE":
                changes.touch(key, True, False)
            elif old is None:  # an update's before image comes first
                old = key
            else:  # ... then its after image; a changed key is a delete and an insert
                changes.touch(old, True, key == old)
                if key != old:
                    changes.touch(key, False, True)
        elif marker in (b"I", b"U", b"D") and line.startswith(b"### "):
            kind = line.split(None, 2)[1] if line.rstrip().endswith(target) else None
            old = None
            if kind:
                changes.row_events += 1
    return changes


def read_changes(mysql: MySQLResource, table: str, key_ordinal: int, start: BinlogPosition,
                 end: BinlogPosition) -> KeyChanges:
    """The keys of `table` (its key column at `key_ordinal`) whose rows were inserted, updated or
    deleted between `start` and `end`, read from the server as a replica reads its binary log, by
    MariaDB's own `mariadb-binlog` (C; decoding the row images in Python cost about 30x more)."""
    program = shutil.which("mariadb-binlog") or shutil.which("mysqlbinlog")
    if program is None:
        raise BinlogUnavailable("binlog capture needs the mariadb-binlog client (Debian's mariadb-client)")
    with tempfile.TemporaryDirectory(prefix="binlog-") as tmp:
        command = [program, f"--defaults-extra-file={mysql.client_options_file(tmp)}", "--read-from-remote-server",
                   "--base64-output=DECODE-ROWS", "--verbose", f"--table={table}",
                   f"--start-position={start.pos}", f"--stop-position={end.pos}", *binlog_files(start, end)]
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as reader:
            changes = parse_changes(reader.stdout, mysql.schema(), table, key_ordinal)
            error = reader.stderr.read().decode(errors="replace")
    if reader.returncode != 0:
        if "Could not find" in error or "not find first log" in error:
            raise BinlogGap(f"{table}: the binary log from {start} on is gone from the source "
                            f"({error.strip()[-300:]}); a full load follows")
        raise BinlogUnavailable(f"{table}: reading the binary log from {start} to {end} failed: "
                                f"{error.strip()[-500:]}")
    return changes
