"""Work that comes back, against the real services: an hour whose parse failed because HiveServer2
was down is requested again by the retry sensor once the services answer, and that run publishes
the hour; afterwards the sensor has nothing left to retry."""

from __future__ import annotations

import dagster as dg

from dataplatform_assets.clickstream.assets import clickstream_events
from dataplatform_assets.clickstream.landing import ClickstreamLandingResource
from dataplatform_assets.clickstream.landing_sensor import clickstream_landing_sensor
from dataplatform_assets.recovery import retry_sensor
from dataplatform_assets.recovery.retry_sensor import ATTEMPT_TAG, RETRY_OF_TAG, failed_run_retry_sensor
from resources.hive import HiveServer2Resource
from tests.integration.clickstream_corpus import LANDING, event_line, land

HOUR = "2025-06-04-09:00"


def _evaluate(instance, resources):
    with dg.build_sensor_context(instance=instance, resources=resources) as context:
        return failed_run_retry_sensor(context)


def test_an_hour_that_failed_in_an_outage_is_parsed_by_the_retry(lake, hive, mysql, test_resources, monkeypatch):
    lines = [event_line(n, f"2025-06-04T09:{n:02d}:00.000+00:00", 7000 + n) for n in range(25)]
    land(lake, HOUR, {"events.1.jsonl": b"\n".join(lines) + b"\n"})
    landing = ClickstreamLandingResource(landing_dir=LANDING)
    down_hive = HiveServer2Resource(port=1, database_prefix=hive.database_prefix)  # nothing listens there
    monkeypatch.setattr(retry_sensor, "FIRST_WAIT_SECONDS", 0)  # the wait itself is unit-tested
    # The failure without the step retries' waits (the asset's own policy would take about 70 s).
    monkeypatch.setattr(clickstream_events.op, "_retry_policy", None)
    with dg.DagsterInstance.ephemeral() as instance:
        failed = dg.materialize([clickstream_events], partition_key=HOUR, instance=instance, raise_on_error=False,
                                resources={**test_resources, "hive": down_hive, "clickstream": landing},
                                tags={"dagster/sensor_name": clickstream_landing_sensor.name})
        assert not failed.success

        asleep = _evaluate(instance, {"hive": down_hive, "lake": lake, "mysql": mysql})
        assert isinstance(asleep, dg.SkipReason) and "wait for HiveServer2" in asleep.skip_message

        requests = _evaluate(instance, {"hive": hive, "lake": lake, "mysql": mysql})
        assert [(r.job_name, r.partition_key) for r in requests] == [("retry_clickstream_hours", HOUR)]
        request = requests[0]
        assert request.tags[ATTEMPT_TAG] == "1" and request.tags[RETRY_OF_TAG] == failed.run_id

        retried = dg.materialize([clickstream_events], partition_key=request.partition_key, instance=instance,
                                 selection=request.asset_selection, tags=request.tags,
                                 resources={**test_resources, "clickstream": landing})
        assert retried.success
        done = _evaluate(instance, {"hive": hive, "lake": lake, "mysql": mysql})
        assert isinstance(done, dg.SkipReason) and done.skip_message == "no failed run to retry"
    dt, hr = HOUR[:10], HOUR[11:13]
    published = hive.query(f"SELECT COUNT(DISTINCT event_id) FROM {hive.db('curated')}.clickstream_events "
                           f"WHERE dt = '{dt}' AND hr = '{hr}'")
    assert published == [(25,)]
