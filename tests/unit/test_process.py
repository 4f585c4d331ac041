import socket
import subprocess
import sys

import pytest

from dataplatform.localstack import process
from dataplatform.localstack.process import ServiceError


def test_a_service_that_dies_fails_fast_with_its_first_error_line(tmp_path):
    log = tmp_path / "svc.log"
    log.write_text("=== starting: svc\n")
    with open(log, "a") as out:
        proc = subprocess.Popen([sys.executable, "-c", "import sys; print('ERROR: cannot bind'); sys.exit(3)"],
                                stdout=out, stderr=subprocess.STDOUT)
    with pytest.raises(ServiceError) as err:
        process.wait_until(lambda: False, timeout=30, alive=lambda: proc.poll() is None, what="svc", log_file=log)
    assert "svc exited during start-up: ERROR: cannot bind" in str(err.value)
    assert str(log) in str(err.value)


def test_a_probe_that_times_out_while_the_service_starts_means_not_yet_healthy(tmp_path):
    answers = iter([TimeoutError("timed out"), ConnectionResetError(), False, True])

    def probe() -> bool:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer  # what an HTTP probe of a half-started JVM service raises
        return answer

    seconds = process.wait_until(probe, timeout=30, alive=lambda: True, what="svc", log_file=tmp_path / "svc.log")
    assert seconds < 30 and next(answers, None) is None  # every answer was asked for


def test_port_taken_by_a_stranger_is_reported(tmp_path, monkeypatch):
    from dataplatform.localstack.stack import LocalStack

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        monkeypatch.setenv("DATAPLATFORM_HOME", str(tmp_path))
        monkeypatch.setenv("DATAPLATFORM_MYSQL_PORT", str(port))
        stack = LocalStack()
        try:
            with pytest.raises(ServiceError, match=f"mariadb: port 127.0.0.1:{port} is already taken"):
                stack.up(["mariadb"], report=lambda _: None)
        finally:
            stack.supervisor.shutdown()


def test_first_error_line_reads_only_the_latest_start(tmp_path):
    log = tmp_path / "x.log"
    log.write_text("=== start 1\nERROR old problem\n=== start 2\nINFO fine\nException: new problem\n")
    assert process.first_error_line(log) == "Exception: new problem"


def test_missing_jdk_names_the_service(tmp_path, monkeypatch):
    from dataplatform.localstack import java
    from dataplatform.localstack.stack import LocalStack

    monkeypatch.setenv("DATAPLATFORM_HOME", str(tmp_path))
    monkeypatch.setenv("DATAPLATFORM_HIVE_PORT", "1")  # surely free: nothing listens on port 1
    monkeypatch.setattr(java, "_CANDIDATES", ())
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-jdk"))
    stack = LocalStack()
    thrift = stack.service("thriftserver")
    monkeypatch.setattr(thrift, "prepare", lambda: None)
    with pytest.raises(ServiceError) as err:
        stack._start(thrift)
    message = str(err.value)
    assert message.startswith("thriftserver cannot start: no JDK 17-21 found")
    assert "thriftserver.log" in message


def test_a_zombie_another_process_has_not_reaped_counts_as_dead():
    """`stack down` from a shell must not wait forever for a service a test process started and
    killed but never reaped."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from dataplatform.localstack.process import pid_alive

    script = ("import subprocess, time; p = subprocess.Popen(['sleep', '60']); print(p.pid, flush=True); "
              "time.sleep(60)")
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        pid = int(parent.stdout.readline())
        assert pid_alive(pid)
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not pid_alive(pid)
        assert os.path.exists(f"/proc/{pid}")  # still a zombie of its parent, yet reported dead
    finally:
        parent.kill()
        parent.wait()
