"""The HiveServer2 resource against the real Spark Thrift Server: statements are polled to the end,
failures carry the server's reason, a server that stops answering fails the work instead of
hanging it, and a thread keeps one session open while the server holds it."""

import os
import signal
import time

import pytest
from TCLIService.ttypes import TCloseSessionReq

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


def test_describe_is_one_statement_for_a_table_and_none_for_a_missing_table_or_database(hive, monkeypatch):
    hive.empty_database("describe_probe")
    hive.execute("CREATE TABLE test_describe_probe.present (id BIGINT, name STRING) USING PARQUET")
    sent, query = [], HiveServer2Resource.query
    monkeypatch.setattr(HiveServer2Resource, "query", lambda self, text: sent.append(text) or query(self, text))
    described = hive.describe("describe_probe", "present")
    assert described.columns == [("id", "bigint"), ("name", "string")]
    assert len(sent) == 1 and sent[0].startswith("DESCRIBE FORMATTED")
    assert hive.describe("describe_probe", "absent") is None
    assert hive.describe("no_such_database_for_the_test", "absent") is None


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


def test_a_dead_metastore_database_is_named_instead_of_the_servers_symptom(hive):
    missing = "SHOW TABLES IN no_such_schema_for_the_test"
    with pytest.raises(HiveError) as up:  # the metastore's database answers: the server's own reason
        hive.query(missing)
    assert "SCHEMA_NOT_FOUND" in str(up.value) and "metastore unreachable" not in str(up.value)
    # The same symptom while the metastore's database does not answer (port 1: nothing listens).
    dead = hive.model_copy(update={"metastore_db": "127.0.0.1:1"})
    with pytest.raises(HiveError) as down:
        dead.query(missing)
    message = str(down.value)
    assert message.startswith("Hive metastore unreachable: its database at 127.0.0.1:1 is down")
    assert "SCHEMA_NOT_FOUND" in message  # what the server said stays in the message


def _marker(hive) -> str:
    return hive.query("SET dataplatform.test.session")[0][1]


def test_a_thread_keeps_its_session_and_opens_another_when_the_server_dropped_it(settings):
    hive = HiveServer2Resource(host=settings.hive_host, port=settings.hive_port, username=settings.hive_user)
    hive.execute("SET dataplatform.test.session = kept")
    assert _marker(hive) == "kept"  # a setting made by one call is seen by the next: one session
    with hive.cursor() as cur:
        conn = cur._connection
    conn.client.CloseSession(TCloseSessionReq(sessionHandle=conn.sessionHandle))  # the server forgets it
    assert hive.query("SELECT 42") == [(42,)]  # no error: the dropped session was noticed and replaced
    assert _marker(hive) != "kept"
    with hive.cursor() as cur:
        cur._connection._transport.close()  # a socket closed under the session (a restarted server)
    assert hive.query("SELECT 43") == [(43,)]
