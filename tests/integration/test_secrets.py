"""After the main job, the stack's passwords (and the visitor salt) are nowhere a person or another
account could read them by accident: not in a service's or a run's log, not in Dagster's run
history (events, metadata, run config, tags), not in a file other accounts can read, not in any
process's command line. Only the secret files themselves (mode 0600) hold them, and the Spark
Thrift Server's configuration, in a folder only its owner may enter."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from dataplatform.paths import REPO_ROOT, state_dir

# Where a secret must be: its own file, and the Thrift Server's metastore connection (Spark's
# built-in Hive client reads no credential provider), in a folder only the owner may enter.
ALLOWED = ("secrets", "conf/spark")
# The services' data (HDFS blocks, MariaDB's and HBase's files, Flume's channel, the clickstream
# spool): the shop's and the lake's rows, which hold no password. Their own access is the services'.
DATA = ("hdfs", "mariadb", "hbase", "flume", "clickstream")
# In the checkout: downloads and installed packages, the git store, and the state (looked at apart).
NOT_OURS = (".venv", ".cache", ".git", ".state")


def _secrets() -> dict[str, bytes]:
    found = {p.stem: p.read_bytes().strip() for p in (state_dir() / "secrets").glob("*.password")}
    assert {"mysql_root", "mysql_dataplatform", "mysql_metastore", "visitor_salt"} <= set(found), found
    assert all(len(v) >= 16 for v in found.values())
    return found


def _readable_by_others(path: Path) -> bool:
    """Whether an account other than the owner can read the file: it is world-readable and every
    folder above it lets others through."""
    if not path.stat().st_mode & stat.S_IROTH:
        return False
    return all(parent.stat().st_mode & stat.S_IXOTH for parent in path.parents)


def _files(root: Path, skip: tuple[str, ...] = ()):
    """Every regular file under `root`, but under the top-level folders `skip`."""
    for folder, dirs, names in os.walk(root):
        if Path(folder) == root:
            dirs[:] = [d for d in dirs if d not in skip]
        for name in names:
            path = Path(folder, name)
            if path.is_file() and not path.is_symlink():
                yield path


def _leaks(secrets: dict[str, bytes], data: bytes) -> list[str]:
    return [name for name, value in secrets.items() if value in data]


def test_no_password_is_in_a_log_the_run_history_a_readable_file_or_a_command_line(demo):
    secrets = _secrets()
    state = state_dir()
    leaks: list[str] = []
    checked = {"logs": 0, "run history": 0, "readable files": 0, "command lines": 0}

    # Every service's log, and Dagster's: its compute logs and its SQLite run, event and schedule
    # storage (run config, tags, every event's metadata), read as raw bytes.
    for root, kind in ((state / "logs", "logs"), (state / "dagster", "run history")):
        for path in _files(root):
            checked[kind] += 1
            leaks += [f"{path}: {name}" for name in _leaks(secrets, path.read_bytes())]

    # Every file another account could read, in the state folder (generated configuration,
    # launchers, logs) and in the checkout (the main job's output, artifacts).
    for path in _files(state, skip=DATA):
        if str(path.relative_to(state)).startswith(ALLOWED):
            assert not _readable_by_others(path), f"{path} holds secrets and others can read it"
        elif _readable_by_others(path):
            checked["readable files"] += 1
            leaks += [f"{path}: {name}" for name in _leaks(secrets, path.read_bytes())]
    for path in _files(REPO_ROOT, skip=NOT_OURS):
        if _readable_by_others(path):
            checked["readable files"] += 1
            leaks += [f"{path}: {name}" for name in _leaks(secrets, path.read_bytes())]

    # Every running process's arguments: the stack's services, the daemon's runs, this test.
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes()
            except OSError:  # gone meanwhile
                continue
            checked["command lines"] += 1
            leaks += [f"process {proc.name} ({cmdline[:80]!r}): {name}" for name in _leaks(secrets, cmdline)]

    print(f"looked for {len(secrets)} secrets in: {checked}")
    assert all(checked.values()), checked  # each place was really looked at
    assert not leaks, "secrets found:\n" + "\n".join(leaks[:20])
