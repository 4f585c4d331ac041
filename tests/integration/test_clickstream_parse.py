"""Parsing a landing hour with Spark (through the Thrift Server): every line accepted once,
counted as a duplicate, or quarantined with its reason; re-runs replace the hour atomically."""

from __future__ import annotations

import dagster as dg
import pytest

from dataplatform_assets.clickstream.assets import EVENTS_KEY, RECONCILE_CHECK, clickstream_events, sessions
from dataplatform_assets.clickstream.partitions import bucket_of
from resources.clickstream import ClickstreamLandingResource
from tests.integration.clickstream_corpus import HOUR, UPGRAD_HOUR, build_corpus, build_upgrad_file

LANDING = "raw/clickstream"


def _land(lake, hour: str, files: dict[str, bytes]) -> None:
    """Files as Flume leaves them in a bucket of the test lake, plus one still open (never read)."""
    fs, _ = lake.filesystem()
    dt, hr = bucket_of(hour)
    bucket = lake.path(f"{LANDING}/dt={dt}/hr={hr}")
    fs.delete_dir_contents(bucket, missing_dir_ok=True)
    fs.create_dir(bucket, recursive=True)
    for name, body in {**files, "_events.9999.jsonl.tmp": b'{"half": "written'}.items():
        with fs.open_output_stream(f"{bucket}/{name}") as out:
            out.write(body)


def _parse(test_resources, hour: str, fmt: str = "shop_json") -> dg.ExecuteInProcessResult:
    resources = {**test_resources, "clickstream": ClickstreamLandingResource(landing_dir=LANDING, format=fmt)}
    result = dg.materialize([clickstream_events], partition_key=hour, resources=resources,
                            instance=dg.DagsterInstance.ephemeral())
    assert result.success
    return result


def _where(hour: str) -> str:
    dt, hr = bucket_of(hour)
    return f"dt = '{dt}' AND hr = '{hr}'"


@pytest.fixture(scope="module")
def corpus(lake, test_resources):
    corpus = build_corpus()
    _land(lake, HOUR, corpus.files)
    return corpus, _parse(test_resources, HOUR)


def test_every_bad_line_is_quarantined_with_its_reason(corpus, hive):
    corpus, _ = corpus
    rows = hive.query(f"SELECT source_file, reason, line_bytes FROM {hive.db('curated')}.clickstream_rejects "
                      f"WHERE {_where(HOUR)}")
    assert sorted((f, r) for f, r, _ in rows) == sorted(corpus.rejects)
    assert max(size for _, _, size in rows) > 5_000_000  # the 5 MB line is kept whole
    expected_reasons = {"malformed_json", "invalid_utf8", "line_too_long", "missing_field", "unexpected_field",
                        "wrong_type", "timestamp_out_of_range", "bad_timestamp", "unknown_event_type",
                        "not_json", "empty_line", "invalid_value", "wrong_hour"}
    assert {r for _, r in corpus.rejects} == expected_reasons


def test_good_events_land_once_in_utc(corpus, hive):
    corpus, _ = corpus
    rows = hive.query(f"SELECT event_id, event_ts, customer_id, source_file FROM "
                      f"{hive.db('curated')}.clickstream_events WHERE {_where(HOUR)}")
    assert sorted(r[0] for r in rows) == sorted(corpus.good_ids)
    by_id = {r[0]: r for r in rows}
    first = by_id["00000000-0000-0000-0000-000000000001"]
    assert str(first[1]).startswith("2025-06-01 10:01:07.25")  # 12:01:07.250+02:00 in UTC
    assert first[2] == 1001
    assert not any(r[3].startswith("_") for r in rows)  # the open file was not read


def test_counts_reconcile_and_are_recorded(corpus):
    corpus, result = corpus
    materialization = next(e for e in result.get_asset_materialization_events()
                           if e.asset_key == EVENTS_KEY).materialization
    meta = {k: v.value for k, v in materialization.metadata.items()}
    assert meta["lines_read"] == corpus.lines
    assert meta["accepted"] == len(corpus.good_ids)
    assert meta["rejected"] == len(corpus.rejects)
    assert meta["duplicates"] == corpus.duplicates
    assert meta["accepted"] + meta["rejected"] + meta["duplicates"] == meta["lines_read"]
    check = result.get_asset_check_evaluations()[0]
    assert check.check_name == RECONCILE_CHECK and check.passed


def test_rerun_replaces_the_hour_atomically(corpus, lake, hive, test_resources):
    corpus, _ = corpus
    dt, hr = bucket_of(HOUR)
    before = lake.list_dirs(f"curated/clickstream_events/dt={dt}/hr={hr}")
    _parse(test_resources, HOUR)
    after = lake.list_dirs(f"curated/clickstream_events/dt={dt}/hr={hr}")
    assert len(before) == len(after) == 1 and before != after  # a new version swapped in, the old one gone
    count = hive.query(f"SELECT COUNT(*) FROM {hive.db('curated')}.clickstream_events WHERE {_where(HOUR)}")
    assert count[0][0] == len(corpus.good_ids)


def test_upgrad_records_are_accepted_by_configuration(lake, hive, test_resources):
    body, good, reasons = build_upgrad_file()
    _land(lake, UPGRAD_HOUR, {"events.2000.jsonl": body})
    result = _parse(test_resources, UPGRAD_HOUR, fmt="upgrad")
    events = next(iter(result.get_asset_materialization_events())).materialization
    meta = {k: v.value for k, v in events.metadata.items()}
    assert (meta["accepted"], meta["duplicates"], meta["rejected"]) == (good, 1, len(reasons))
    rows = hive.query(f"SELECT event_type, customer_id, attributes['os_version'], source_format, event_ts "
                      f"FROM {hive.db('curated')}.clickstream_events WHERE {_where(UPGRAD_HOUR)} ORDER BY customer_id")
    assert rows[0][:4] == ("page_view", 5000, "Android 13", "upgrad")  # `OS_version` read despite its spelling
    assert rows[1][0] == "button_click"
    assert str(rows[0][4]).startswith("2025-06-02 08:00:11.123456")
    rejected = hive.query(f"SELECT reason FROM {hive.db('curated')}.clickstream_rejects WHERE {_where(UPGRAD_HOUR)}")
    assert sorted(r[0] for r in rejected) == sorted(reasons)


def test_sessions_follow_the_events(corpus, hive, test_resources):
    result = dg.materialize([sessions], partition_key=HOUR[:10], resources=test_resources,
                            instance=dg.DagsterInstance.ephemeral())
    assert result.success and all(c.passed for c in result.get_asset_check_evaluations())
    rows = hive.query(f"SELECT customer_id, events, products_viewed, duration_seconds, converted FROM "
                      f"{hive.db('curated')}.sessions WHERE dt = '{HOUR[:10]}' ORDER BY customer_id")
    # Every corpus event is a different customer's single product view.
    assert len(rows) == 40
    assert rows[0] == (1001, 1, 1, 0, False)
