"""The HiveServer2 resource against the real Spark Thrift Server: statements are polled to the end,
failures carry the server's reason, and a server that stops answering fails the work instead of
hanging it."""

import os
import signal
import time

import pytest

from resources.hive import HiveError, HiveServer2Resource, run_statement


def test_a_statement_runs_to_its_end_and_returns_its_rows(hive):
    # Long enough to be polled several times (the server answers RUNNING first).
    rows = hive.query("SELECT COUNT(*), SUM(id) FROM range(0, 20000000, 1, 4)")
    assert rows == [(20_000_000, 20_000_000 * 19_999_999 // 2)]


@pytest.mark.parametrize("statement,reason", [
    ("SELECT * FROM no_such_table_for_the_test", "TABLE_OR_VIEW_NOT_FOUND"),  # refused when compiled
    ("SELECT raise_error('boom from the test')", "boom from the test"),  # fails while it runs
])
def test_a_failed_statement_is_a_hive_error_with_the_servers_reason(hive, statement, reason):
    with pytest.raises(HiveError) as err:
        hive.query(statement)
    message = str(err.value)
    assert statement in message and reason in message
    assert "\tat org.apache" not in message  # the reason, not the server's stack trace


def test_a_server_that_stops_answering_fails_the_statement_within_the_call_timeout(stack, settings):
    pid = stack.pid("thriftserver")
    assert pid, "the thriftserver is not running"
    impatient = HiveServer2Resource(host=settings.hive_host, port=settings.hive_port,
                                    username=settings.hive_user, call_timeout_seconds=3)
    with impatient.cursor() as cur:
        os.kill(pid, signal.SIGSTOP)  # the process stays, its socket stays open, nothing answers
        try:
            started = time.monotonic()
            with pytest.raises(HiveError, match="stopped answering during: SELECT 42"):
                run_statement(cur, "SELECT 42")
            waited = time.monotonic() - started
        finally:
            os.kill(pid, signal.SIGCONT)
    assert 3 <= waited < 30
    assert impatient.query("SELECT 42") == [(42,)]  # the server is back and so is the resource
