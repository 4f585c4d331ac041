"""The stack's process supervisor, for real: a supervisord of its own runs a small program, starts it
again when it is killed, counts the restart and stops it on request."""

import os
import signal
import sys
import time

from dataplatform.localstack.supervision import Supervisor

PROGRAM = [sys.executable, "-c", "import time; print('serving', flush=True); time.sleep(600)"]


def _wait(check, seconds=30):
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_killed_program_is_started_again_counted_and_stopped_on_request(tmp_path):
    supervisor = Supervisor(tmp_path, ["sleeper"], lambda name: tmp_path / "logs" / f"{name}.log", start_seconds=1)
    supervisor.ensure_running()
    try:
        assert supervisor.running() and supervisor.state("sleeper").state == "STOPPED"
        supervisor.start("sleeper", PROGRAM, dict(os.environ), tmp_path, prepare_restarts=False)
        _wait(lambda: supervisor.state("sleeper").state == "RUNNING")
        first = supervisor.state("sleeper")
        assert first.pid and first.restarts == 0 and first.last_exit is None
        assert (tmp_path / "run" / "sleeper.launch.json").stat().st_mode & 0o077 == 0  # holds the environment

        os.kill(first.pid, signal.SIGKILL)
        _wait(lambda: supervisor.state("sleeper").state == "RUNNING" and supervisor.state("sleeper").pid != first.pid)
        again = supervisor.state("sleeper")
        assert again.restarts == 1 and "terminated by SIGKILL; not expected" in again.last_exit
        log = tmp_path / "logs" / "sleeper.log"
        _wait(lambda: log.read_text().count("serving") == 2)  # supervisord copies the output as it comes
        assert log.read_text().count("=== ") == 2  # each start marked for first_error_line

        assert supervisor.stop("sleeper") and supervisor.state("sleeper").state == "STOPPED"
        assert not supervisor.stop("sleeper")  # stopping twice is fine
        assert supervisor.state("sleeper").restarts == 1  # a requested stop is no restart
    finally:
        supervisor.shutdown()
    assert not supervisor.running() and supervisor.state("sleeper").state == "STOPPED"


def test_a_program_that_cannot_start_is_given_up_after_its_retries(tmp_path):
    supervisor = Supervisor(tmp_path, ["broken"], lambda name: tmp_path / "logs" / f"{name}.log", start_seconds=1)
    supervisor.ensure_running()
    try:
        supervisor.start("broken", [sys.executable, "-c", "raise SystemExit('ERROR: no config')"],
                         dict(os.environ), tmp_path, prepare_restarts=False)
        _wait(lambda: supervisor.state("broken").state == "FATAL", seconds=60)
        state = supervisor.state("broken")
        assert state.pid is None and "FATAL" in state.last_exit
        assert (tmp_path / "logs" / "broken.log").read_text().count("ERROR: no config") >= 2  # it was retried
    finally:
        supervisor.shutdown()
