"""Processes and ports of the local stack: health checks that poll (never sleep blindly), and the
first error line of a service's log."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


class ServiceError(RuntimeError):
    """A service could not be started, or is not healthy."""


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0); reap it if it is ours.
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        pass
    # Someone else's zombie (a service another process started and has not reaped yet) is dead too.
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def probe(check: Callable[[], bool]) -> bool:
    """`check()`, where a probe that raises means not healthy (yet): a service still starting may
    accept a connection and answer nothing before the probe's timeout."""
    try:
        return bool(check())
    except Exception:  # noqa: BLE001 - any probe error means: not healthy
        return False


def wait_until(check: Callable[[], bool], *, timeout: float, alive: Callable[[], bool],
               what: str, log_file: Path) -> float:
    """Poll `check` (through `probe`) until it holds; fail fast with the log's first error when the
    process dies."""
    start = time.monotonic()
    while True:
        if probe(check):
            return time.monotonic() - start
        if not alive():
            raise ServiceError(f"{what} exited during start-up: {first_error_line(log_file)}\n"
                               f"  log: {log_file}")
        if time.monotonic() - start > timeout:
            raise ServiceError(f"{what} not healthy after {timeout:.0f}s: "
                               f"{first_error_line(log_file)}\n  log: {log_file}")
        time.sleep(0.25)


@contextmanager
def serving(command: list[str], *, env: dict[str, str], cwd: Path, log_file: Path, port: int, what: str,
            timeout: float = 300) -> Iterator[subprocess.Popen]:
    """A server outside supervisord (a benchmark's or a test's own), its output in `log_file`, yielded
    once it listens on 127.0.0.1:`port`; stopped on leaving (SIGTERM, SIGKILL after 60 s)."""
    with log_file.open("wb") as log:
        server = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: port_open("127.0.0.1", port), timeout=timeout, alive=lambda: server.poll() is None,
                   what=what, log_file=log_file)
        yield server
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


_ERROR_MARKERS = ("ERROR", "Exception", "Error:", "FATAL", "Fatal", "[ERROR]", "error:")


def first_error_line(log_file: Path, since_marker: str = "=== ") -> str:
    """The first line that looks like an error in the latest start-up section of a log."""
    try:
        text = log_file.read_text(errors="replace")
    except OSError:
        return "(no log written)"
    section = text[text.rfind(since_marker):] if since_marker in text else text
    for line in section.splitlines():
        if any(marker in line for marker in _ERROR_MARKERS):
            return line.strip()[:400]
    return "(no error line in the log; see the log)"


def tail(log_file: Path, lines: int) -> str:
    try:
        return "\n".join(log_file.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no log at {log_file})"
