"""Parsing a landing hour with Spark (through the Thrift Server): every line accepted once,
counted as a duplicate, or quarantined with its reason; re-runs replace the hour atomically."""

from __future__ import annotations

import re
from pathlib import Path

import dagster as dg
import pytest

from dataplatform_assets.clickstream import parse
from dataplatform_assets.clickstream.assets import (
    ACCEPTED_CHECK,
    EVENTS_KEY,
    RECONCILE_CHECK,
    REJECT_SHARE_CHECK,
    clickstream_events,
    sessions,
)
from dataplatform_assets.clickstream.curated_tables import EVENTS, REJECTS, new_version, partition_dir
from dataplatform_assets.clickstream.landing import ClickstreamLandingResource
from dataplatform_assets.clickstream.partitions import bucket_of
from resources.sql import SQL_DIR
from tests.integration.clickstream_corpus import (
    HOUR,
    LANDING,
    UPGRAD_HOUR,
    build_corpus,
    build_upgrad_file,
    event_line,
    land,
)


def _parse(test_resources, hour: str, fmt: str = "shop_json") -> dg.ExecuteInProcessResult:
    resources = {**test_resources, "clickstream": ClickstreamLandingResource(landing_dir=LANDING, format=fmt)}
    result = dg.materialize([clickstream_events], partition_key=hour, resources=resources,
                            instance=dg.DagsterInstance.ephemeral())
    assert result.success
    return result


def _land_and_parse(lake, test_resources, hours: dict[str, list[bytes]], file_name: str):
    """Land each hour's lines as one file, then parse the hours in one range run, as the sensor does."""
    for hour, lines in hours.items():
        land(lake, hour, {file_name: b"\n".join(lines) + b"\n"})
    result = dg.materialize([clickstream_events], resources={**test_resources, "clickstream":
                            ClickstreamLandingResource(landing_dir=LANDING)},
                            instance=dg.DagsterInstance.ephemeral(),
                            tags={"dagster/asset_partition_range_start": min(hours),
                                  "dagster/asset_partition_range_end": max(hours)})
    assert result.success
    return result


def _where(hour: str) -> str:
    dt, hr = bucket_of(hour)
    return f"dt = '{dt}' AND hr = '{hr}'"


@pytest.fixture(scope="module")
def corpus(lake, test_resources):
    corpus = build_corpus()
    land(lake, HOUR, corpus.files)
    return corpus, _parse(test_resources, HOUR)


def _reasons_in_sql(path: str, column: str = "reject_reason") -> set[str]:
    """The reason codes a statement can give in `column`: the THEN values of its CASE."""
    sql = (SQL_DIR / path).read_text()
    case = sql[:re.search(rf"END\s+AS {column}\b", sql).start()]
    return set(re.findall(r"THEN '([a-z_0-9]+)'", case[case.rindex("CASE"):]))


def _documented_reasons() -> set[str]:
    """The reason codes of the table in docs/clickstream.md."""
    docs = (Path(__file__).parents[2] / "docs" / "clickstream.md").read_text()
    table = docs[docs.index("| reason | when |"):].split("\n\n", 1)[0]
    return set(re.findall(r"^\s*\| `([a-z_0-9]+)` \|", table, flags=re.MULTILINE))


def test_every_bad_line_is_quarantined_with_its_reason(corpus, hive):
    corpus, _ = corpus
    rows = hive.query(f"SELECT source_file, reason, line_bytes FROM {hive.db('curated')}.clickstream_rejects "
                      f"WHERE {_where(HOUR)}")
    # What the product published, line by line, against the reason the corpus wrote each bad line for.
    assert sorted((f, r) for f, r, _ in rows) == sorted(corpus.rejects)
    assert max(size for _, _, size in rows) > 5_000_000  # the 5 MB line is kept whole
    # The corpus exercises every reason the parser knows, and the parser knows exactly the documented ones.
    # The one ladder every format goes through, with the JSON formats' syntax reasons; the table in
    # the docs has these and the access log's own (test_access_log.py).
    known = (_reasons_in_sql("clickstream/classify.sql")
             | _reasons_in_sql("clickstream/typed_shop_json.sql", "syntax_reason"))
    access_log = _reasons_in_sql("clickstream/typed_access_log.sql", "syntax_reason")
    assert len(known) == 14 and known == _documented_reasons() - access_log
    assert {r for _, r, _ in rows} == known


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


def test_hours_parsed_in_one_pass_keep_to_their_own_bucket(lake, hive, test_resources):
    """A run's hours share every statement up to the writes; each line is still judged by its own
    bucket's hour and deduplicated within it, and the hour between them, with no bucket, is empty."""
    day = "2025-06-21"
    early = event_line(814, f"{day}T04:20:00.000+00:00", 81)  # landed in 04:00 and, late, in 06:00
    again = event_line(813, f"{day}T06:20:00.000+00:00", 81)
    hours = {f"{day}-04:00": [event_line(810, f"{day}T04:10:00.000+00:00", 81), early,
                              event_line(812, f"{day}T06:10:00.000+00:00", 81)],  # 06:10: not this hour
             f"{day}-06:00": [again, again, early]}
    parsed = _land_and_parse(lake, test_resources, hours, "events.8100.jsonl")
    meta = {e.partition: {k: v.value for k, v in e.materialization.metadata.items()}
            for e in parsed.get_asset_materialization_events() if e.asset_key == EVENTS_KEY}
    counts = {hour: (m["lines_read"], m["accepted"], m["rejected"], m["duplicates"]) for hour, m in meta.items()}
    assert counts == {f"{day}-04:00": (3, 2, 1, 0), f"{day}-05:00": (0, 0, 0, 0), f"{day}-06:00": (3, 1, 1, 1)}
    reasons = hive.query(f"SELECT hr, reason, COUNT(*) FROM {hive.db('curated')}.clickstream_rejects "
                         f"WHERE dt = '{day}' GROUP BY hr, reason ORDER BY hr, reason")
    assert reasons == [("04", "wrong_hour", 1), ("06", "wrong_hour", 1)]
    events = hive.query(f"SELECT hr, COUNT(*), COUNT(DISTINCT event_id) FROM {hive.db('curated')}.clickstream_events "
                        f"WHERE dt = '{day}' GROUP BY hr ORDER BY hr")
    assert events == [("04", 2, 2), ("06", 1, 1)]


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
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert checks[RECONCILE_CHECK].passed and checks[ACCEPTED_CHECK].passed
    # The corpus is mostly bad lines on purpose: far above the default 5%, a warning.
    assert not checks[REJECT_SHARE_CHECK].passed
    assert checks[REJECT_SHARE_CHECK].severity == dg.AssetCheckSeverity.WARN


def test_rerun_replaces_the_hour_atomically(corpus, lake, hive, test_resources):
    corpus, first = corpus
    dt, hr = bucket_of(HOUR)
    folder = f"curated/clickstream_events/dt={dt}/hr={hr}"
    rerun = _parse(test_resources, HOUR)
    versions = {d.rsplit("-", 1)[-1]: d for d in lake.list_dirs(folder)}
    # The new version is swapped in; the one it replaced stays until the next swap, for queries that
    # planned their files before this one (nothing older is left).
    assert set(versions) == {rerun.run_id[:8], first.run_id[:8]}, versions
    locations = [r[1] for r in hive.query(f"DESCRIBE FORMATTED {hive.db('curated')}.clickstream_events "
                                          f"PARTITION (dt = '{dt}', hr = '{hr}')") if r[0] == "Location"]
    assert locations[0].rstrip("/").endswith(f"/dt={dt}/hr={hr}/{versions[rerun.run_id[:8]]}")  # the partition's
    count = hive.query(f"SELECT COUNT(*) FROM {hive.db('curated')}.clickstream_events WHERE {_where(HOUR)}")
    assert count[0][0] == len(corpus.good_ids)
    again = _parse(test_resources, HOUR)
    assert {d.rsplit("-", 1)[-1] for d in lake.list_dirs(folder)} == {again.run_id[:8], rerun.run_id[:8]}


def test_upgrad_records_are_accepted_by_configuration(lake, hive, test_resources):
    body, good, reasons = build_upgrad_file()
    land(lake, UPGRAD_HOUR, {"events.2000.jsonl": body})
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
    [check] = result.get_asset_check_evaluations()
    assert result.success and check.passed
    rows = hive.query(f"SELECT customer_id, events, products_viewed, duration_seconds, converted FROM "
                      f"{hive.db('curated')}.sessions WHERE dt = '{HOUR[:10]}' ORDER BY customer_id")
    # Every corpus event is a different customer's single product view.
    assert len(rows) == 40
    assert rows[0] == (1001, 1, 1, 0, False)


def test_sessions_split_on_30_minute_gaps_cross_midnight_and_convert(lake, hive, test_resources):
    day, next_day = "2025-06-05", "2025-06-06"
    hours = {
        f"{day}-10:00": [event_line(1, f"{day}T10:00:00.000+00:00", 7), event_line(2, f"{day}T10:20:00.000+00:00", 7),
                         event_line(3, f"{day}T10:45:00.000+00:00", 7, "product_view", product_id=5),
                         event_line(4, f"{day}T10:50:00.000+00:00", 8, "add_to_cart", product_id=5, quantity=1)],
        f"{day}-11:00": [event_line(5, f"{day}T11:30:00.000+00:00", 7),  # 45 minutes later: a new session
                         event_line(6, f"{day}T11:05:00.000+00:00", 8, "purchase", order_id=99)],
        f"{day}-23:00": [event_line(7, f"{day}T23:50:00.000+00:00", 9)],
        f"{next_day}-00:00": [event_line(8, f"{next_day}T00:10:00.000+00:00", 9),  # continues across midnight
                              event_line(9, f"{next_day}T00:30:00.000+00:00", 10)],
    }
    parsed = _land_and_parse(lake, test_resources, hours, "events.3000.jsonl")
    built = dg.materialize([sessions], resources=test_resources, instance=dg.DagsterInstance.ephemeral(),
                           tags={"dagster/asset_partition_range_start": day,
                                 "dagster/asset_partition_range_end": next_day})
    assert built.success
    # One run each, yet every hour's (and day's) materialization carries its own counts, which the
    # UI plots per partition.
    events = {e.partition: e.materialization.metadata["dagster/row_count"].value
              for e in parsed.get_asset_materialization_events() if e.asset_key == EVENTS_KEY}
    assert events == {hour: len(hours.get(hour, [])) for hour in events}  # the hours between: none
    assert set(hours) < set(events)
    per_day = dict(hive.query(f"SELECT dt, COUNT(*) FROM {hive.db('curated')}.sessions "
                              f"WHERE dt IN ('{day}', '{next_day}') GROUP BY dt"))
    assert per_day[day] >= 4 and per_day[next_day] >= 1
    assert {e.partition: e.materialization.metadata["dagster/row_count"].value
            for e in built.get_asset_materialization_events()} == per_day
    rows = hive.query(f"SELECT dt, customer_id, events, page_views, products_viewed, cart_adds, converted, "
                      f"order_id, duration_seconds FROM {hive.db('curated')}.sessions "
                      f"WHERE dt IN ('{day}', '{next_day}') AND customer_id IN (7, 8, 9) "
                      "ORDER BY dt, customer_id, session_start")
    assert rows == [
        (day, 7, 3, 2, 1, 0, False, None, 45 * 60),
        (day, 7, 1, 1, 0, 0, False, None, 0),
        (day, 8, 2, 0, 0, 1, True, 99, 15 * 60),
        (day, 9, 2, 2, 0, 0, False, None, 20 * 60),  # 23:50 -> 00:10, counted on its start day
    ]


def test_a_killed_parse_leaves_only_orphans_the_next_run_removes(lake, hive, test_resources, monkeypatch):
    hour, good = "2025-06-03-07:00", 5
    land(lake, hour, {"events.4000.jsonl": b"\n".join(
        event_line(400 + n, f"2025-06-03T07:{n:02d}:00.000+00:00", 40 + n) for n in range(good)) + b"\n"})
    dt, hr = bucket_of(hour)
    events_dir, rejects_dir = (partition_dir(t, {"dt": dt, "hr": hr}) for t in (EVENTS, REJECTS))
    first = _parse(test_resources, hour)
    # What the first run left: its version, and the one it replaced if this hour was parsed before.
    baseline = {folder: set(lake.list_dirs(folder)) for folder in (events_dir, rejects_dir)}
    # Leftovers of a run killed long ago, and of one killed now just before publishing (its step raising
    # there, after its staging folder was renamed into its versions and removed).
    old_kill = "v=20250101T000000000000-deadbeef"
    for folder in (f"{events_dir}/_staged-{old_kill}", f"{events_dir}/{old_kill}", f"{rejects_dir}/{old_kill}"):
        lake.write_bytes(f"{folder}/part-00000.parquet", b"not parquet: a half-written file")

    def killed(*_args, **_kwargs):
        raise KeyboardInterrupt("killed before publishing")

    monkeypatch.setattr(parse, "publish_partitions", killed)
    killed_version = new_version("0killed0-run")
    with pytest.raises(KeyboardInterrupt):
        parse.parse_hour(hive, lake, ClickstreamLandingResource(landing_dir=LANDING), hour, killed_version)
    monkeypatch.undo()
    [published] = [d for d in lake.list_dirs(events_dir) if d.endswith(f"-{first.run_id[:8]}")]
    assert set(lake.list_dirs(events_dir)) == baseline[events_dir] | {f"_staged-{old_kill}", old_kill, killed_version}
    assert set(lake.list_dirs(rejects_dir)) == baseline[rejects_dir] | {old_kill, killed_version}
    count = f"SELECT COUNT(*) FROM {hive.db('curated')}.clickstream_events WHERE {_where(hour)}"
    assert hive.query(count)[0][0] == good  # readers still see the published version

    rerun = _parse(test_resources, hour)
    for folder in (events_dir, rejects_dir):
        # Only the new version and the published one it replaced (kept for readers in flight).
        left = {d.rsplit("-", 1)[-1] for d in lake.list_dirs(folder)}
        assert left == {rerun.run_id[:8], first.run_id[:8]}, lake.list_dirs(folder)
    assert hive.query(count)[0][0] == good


def test_a_parse_that_fails_midway_leaves_no_folder_behind(lake, hive, test_resources, monkeypatch):
    hour = "2025-06-03-08:00"
    # A rejected line too: the rejects folder is published (and fails) only for an hour that has some.
    land(lake, hour, {"events.4100.jsonl": event_line(450, "2025-06-03T08:01:00.000+00:00", 45) + b"\nnot json\n"})
    dt, hr = bucket_of(hour)
    folders = [partition_dir(t, {"dt": dt, "hr": hr}) for t in (EVENTS, REJECTS)]
    _parse(test_resources, hour)
    before = {folder: set(lake.list_dirs(folder)) for folder in folders}
    real = type(lake).publish

    def lake_gone_while_publishing_rejects(self, staging, final):
        if "clickstream_rejects" in final:
            raise OSError("HDFS stopped answering during a rename (the test)")
        real(self, staging, final)

    monkeypatch.setattr(type(lake), "publish", lake_gone_while_publishing_rejects)
    with pytest.raises(OSError):
        parse.parse_hour(hive, lake, ClickstreamLandingResource(landing_dir=LANDING), hour, new_version("0failed0-run"))
    # Its staging folder and its events version (renamed out of it) were written, then removed: the
    # hour is as it was.
    assert {folder: set(lake.list_dirs(folder)) for folder in folders} == before


def test_anonymous_visitors_are_sessionized_per_device(lake, hive, test_resources):
    day = "2025-06-07"
    hours = {
        f"{day}-09:00": [event_line(701, f"{day}T09:00:00.000+00:00", None, device="anon-A"),
                         event_line(702, f"{day}T09:05:00.000+00:00", 70, device="anon-A"),  # a customer on it
                         event_line(703, f"{day}T09:10:00.000+00:00", None, "add_to_cart", device="anon-B",
                                    product_id=5, quantity=1),
                         event_line(704, f"{day}T09:20:00.000+00:00", None, "product_view", device="anon-A",
                                    product_id=5)],
        f"{day}-10:00": [event_line(705, f"{day}T10:05:00.000+00:00", None, device="anon-A")],  # 45 min later
    }
    _land_and_parse(lake, test_resources, hours, "events.7000.jsonl")
    anonymous = hive.query(f"SELECT COUNT(*) FROM {hive.db('curated')}.clickstream_events "
                           f"WHERE dt = '{day}' AND customer_id IS NULL")
    assert anonymous[0][0] == 4
    result = dg.materialize([sessions], partition_key=day, resources=test_resources,
                            instance=dg.DagsterInstance.ephemeral())
    checks = result.get_asset_check_evaluations()
    assert result.success and len(checks) == 1 and checks[0].passed
    rows = hive.query(f"SELECT customer_id, device_id, events, page_views, products_viewed, cart_adds, "
                      f"duration_seconds FROM {hive.db('curated')}.sessions WHERE dt = '{day}' "
                      "AND device_id IN ('anon-A', 'anon-B') ORDER BY customer_id, device_id, session_start")
    assert rows == [  # Spark sorts NULL first
        (None, "anon-A", 2, 1, 1, 0, 20 * 60),  # 09:00 and 09:20: one visit; the customer's 09:05 is not in it
        (None, "anon-A", 1, 1, 0, 0, 0),        # 10:05, 45 minutes after: a new visit
        (None, "anon-B", 1, 0, 0, 1, 0),
        (70, "anon-A", 1, 1, 0, 0, 0),          # the signed-in customer's own session, not the device's
    ]
