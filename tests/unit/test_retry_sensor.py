"""Which failed runs come back, and when: the retry sensor on a real (ephemeral) Dagster instance
holding runs that failed as an outage, on purpose, or from a bug. The retry of an outage against
the real services is in tests/integration/test_work_comes_back.py."""

from __future__ import annotations

import dagster as dg
import pytest

from dataplatform_assets.clickstream.assets import EVENTS_KEY, REJECTS_KEY
from dataplatform_assets.clickstream.landing_sensor import clickstream_landing_sensor
from dataplatform_assets.clickstream.partitions import HOURLY
from dataplatform_assets.recovery import retry_sensor
from dataplatform_assets.recovery.failures import run_failure
from dataplatform_assets.recovery.retry_sensor import failed_run_retry_sensor, wait_before
from resources.faults import is_transient
from resources.hive import HiveServer2Resource
from resources.lake import LocalLake
from resources.mysql import MySQLResource

HOUR = "2025-06-03-07:00"
OUTAGE = "HiveServer2 at 127.0.0.1:10000 is not reachable (Could not connect to any of [('127.0.0.1', 10000)])"


def failed_hour(instance, error: Exception | None, tags: dict[str, str] | None = None, hour: str = HOUR) -> str:
    """A run of the hourly assets' keys, as the landing sensor starts them, failing with `error`
    (succeeding when it is None)."""
    @dg.multi_asset(specs=[dg.AssetSpec(EVENTS_KEY), dg.AssetSpec(REJECTS_KEY)], partitions_def=HOURLY)
    def parse_stand_in():
        if error is not None:
            raise error
        return None, None

    result = dg.materialize([parse_stand_in], partition_key=hour, instance=instance, raise_on_error=False,
                            tags=tags if tags is not None else {"dagster/sensor_name": clickstream_landing_sensor.name})
    assert result.success == (error is None)
    return result.run_id


def evaluate(instance, tmp_path, cursor: str | None = None):
    # Services on ports nothing listens on: a sensor that asks them finds them down.
    resources = {"hive": HiveServer2Resource(port=1), "lake": LocalLake(root=tmp_path.as_uri()),
                 "mysql": MySQLResource(port=1, password="unused", connect_timeout=1)}
    with dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources) as context:
        return failed_run_retry_sensor(context), context.cursor


@pytest.mark.parametrize("text,transient", [
    (OUTAGE, True),
    ("MySQLError: MySQL at 127.0.0.1:3306 as 'dataplatform': (2003, \"Can't connect to MySQL server\")", True),
    ("TTransportException: TSocket read 0 bytes", True),
    ("ConnectionRefusedError: [Errno 111] Connection refused", True),
    ("Hive metastore unreachable: MariaDB at 127.0.0.1:3306 is down", True),
    ("SchemaDrift: shop.orders lost column `status` since the last load", False),
    ("KeyError: 'event_id'", False),
])
def test_only_errors_of_an_outage_are_transient(text, transient):
    assert is_transient(text) is transient


def test_the_waits_grow_from_30_seconds_to_at_most_30_minutes():
    assert [wait_before(n) for n in range(8)] == [30, 60, 120, 240, 480, 960, 1800, 1800]


def test_an_outage_is_transient_and_a_failure_on_purpose_or_a_bug_is_not():
    with dg.DagsterInstance.ephemeral() as instance:
        outage = run_failure(instance, failed_hour(instance, ConnectionError(OUTAGE)))
        drift = run_failure(instance, failed_hour(instance, dg.Failure("shop.orders lost a column",
                                                                        allow_retries=False)))
        bug = run_failure(instance, failed_hour(instance, KeyError("event_id")))
    assert outage.transient and "not reachable" in outage.reason
    assert not drift.transient and "shop.orders lost a column" in drift.reason
    assert not bug.transient and "KeyError" in bug.reason


def test_a_failed_hour_waits_its_turn_and_then_for_its_services(tmp_path, monkeypatch):
    with dg.DagsterInstance.ephemeral() as instance:
        failed_hour(instance, ConnectionError(OUTAGE))
        result, _ = evaluate(instance, tmp_path)
        assert isinstance(result, dg.SkipReason) and "1 failed runs wait for their next attempt" in result.skip_message
        monkeypatch.setattr(retry_sensor, "FIRST_WAIT_SECONDS", 0)
        result, _ = evaluate(instance, tmp_path)
    assert isinstance(result, dg.SkipReason)
    assert "1 failed runs wait for HiveServer2" in result.skip_message and "MySQL" in result.skip_message


def test_failures_waiting_cannot_mend_and_runs_a_person_started_are_left_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(retry_sensor, "FIRST_WAIT_SECONDS", 0)
    with dg.DagsterInstance.ephemeral() as instance:
        on_purpose = failed_hour(instance, dg.Failure("lines do not reconcile", allow_retries=False))
        failed_hour(instance, ConnectionError(OUTAGE), tags={}, hour="2025-06-03-08:00")  # a person's run
        result, cursor = evaluate(instance, tmp_path)
        assert isinstance(result, dg.SkipReason) and result.skip_message == "no failed run to retry"
        assert on_purpose in cursor and "lines do not reconcile" in cursor
        again, _ = evaluate(instance, tmp_path, cursor)  # decided once, not read again
    assert isinstance(again, dg.SkipReason)


def test_a_failed_hour_that_a_later_run_parsed_is_not_retried(tmp_path, monkeypatch):
    monkeypatch.setattr(retry_sensor, "FIRST_WAIT_SECONDS", 0)
    with dg.DagsterInstance.ephemeral() as instance:
        failed_hour(instance, ConnectionError(OUTAGE))
        failed_hour(instance, None)  # the landing sensor asked for the hour again, and that run succeeded
        result, _ = evaluate(instance, tmp_path)
    assert isinstance(result, dg.SkipReason) and result.skip_message == "no failed run to retry"


def test_each_automated_runs_assets_have_a_retry_job_and_others_none():
    dim, mart = dg.AssetKey(["warehouse", "dim_customer"]), dg.AssetKey(["marts", "daily_sales"])
    serving = {dg.AssetKey(["serving", "hbase", "customer_360"]), dg.AssetKey(["marts", "customer_360"])}
    assert retry_sensor.retry_job(frozenset({dim, mart, *serving})) == "retry_derived"
    assert retry_sensor.retry_job(frozenset({EVENTS_KEY})) == "retry_clickstream_hours"
    assert retry_sensor.retry_job(frozenset({dg.AssetKey(["raw", "mysql", "orders"])})) == "retry_imports"
    # A run mixing layers was started by a person (automation splits runs by partitioning): not ours.
    assert retry_sensor.retry_job(frozenset({dg.AssetKey(["raw", "mysql", "orders"]), dim})) is None
    assert dg.AssetKey(["warehouse", "fact_orders"]) in retry_sensor.DERIVED_KEYS
