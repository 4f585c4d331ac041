"""The landing sensor's scan and cursor, on a local lake that behaves like HDFS here: a
directory's modification time moves when a file in it is created or renamed."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import dagster as dg
from dagster._core.test_utils import freeze_time

from dataplatform_assets.clickstream.landing import ClickstreamLandingResource, recover_open_files, recovered_name
from dataplatform_assets.clickstream.landing_sensor import (
    MAX_HOURS_PER_RUN,
    RANGE_END_TAG,
    RANGE_START_TAG,
    LandingCursor,
    clickstream_landing_sensor,
    hour_ranges,
    hours_of,
    not_yet_queued,
    run_requests,
    scan_landing,
)
from resources.lake import LakeResource, LocalLake

LANDING = "raw/clickstream"


def _lake(tmp_path) -> LakeResource:
    return LocalLake(root=f"file://{tmp_path}")


def _write(tmp_path, bucket: str, name: str, body: bytes = b"{}\n", mtime: float | None = None) -> None:
    folder = tmp_path / LANDING / bucket
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(body)
    if mtime is not None:  # a distinct time, since a test runs within one clock tick
        os.utime(folder, (mtime, mtime))


def test_new_closed_files_are_reported_once_and_open_files_never(tmp_path):
    lake = _lake(tmp_path)
    _write(tmp_path, "dt=2025-06-01/hr=10", "events.1.jsonl", mtime=1000)
    _write(tmp_path, "dt=2025-06-01/hr=11", "_events.2.jsonl.tmp", mtime=1000)
    changed, cursor = scan_landing(lake, LANDING, LandingCursor())
    assert list(changed) == ["dt=2025-06-01/hr=10"]
    again, cursor = scan_landing(lake, LANDING, LandingCursor.parse(cursor.serialize()))
    assert again == {}


def test_a_late_file_for_an_old_hour_triggers_that_hour_again(tmp_path):
    lake = _lake(tmp_path)
    _write(tmp_path, "dt=2025-06-01/hr=10", "events.1.jsonl", mtime=1000)
    _, cursor = scan_landing(lake, LANDING, LandingCursor())
    _write(tmp_path, "dt=2025-06-01/hr=10", "events.9.jsonl", mtime=2000)
    changed, _ = scan_landing(lake, LANDING, cursor)
    assert list(changed) == ["dt=2025-06-01/hr=10"]


def test_a_file_closing_under_its_final_name_is_seen(tmp_path):
    lake = _lake(tmp_path)
    _write(tmp_path, "dt=2025-06-01/hr=10", "_events.1.jsonl.tmp", mtime=1000)
    changed, cursor = scan_landing(lake, LANDING, LandingCursor())
    assert changed == {}
    folder = tmp_path / LANDING / "dt=2025-06-01/hr=10"
    os.rename(folder / "_events.1.jsonl.tmp", folder / "events.1.jsonl")
    os.utime(folder, (2000, 2000))
    changed, _ = scan_landing(lake, LANDING, cursor)
    assert list(changed) == ["dt=2025-06-01/hr=10"]


def test_unchanged_directory_time_skips_listing_its_files(tmp_path):
    lake = _lake(tmp_path)
    _write(tmp_path, "dt=2025-06-01/hr=10", "events.1.jsonl", mtime=1000)
    _, cursor = scan_landing(lake, LANDING, LandingCursor())
    calls = []
    original = LakeResource.list_status

    def counting(self, relative):
        calls.append(relative)
        return original(self, relative)

    LakeResource.list_status = counting
    try:
        scan_landing(lake, LANDING, cursor)
    finally:
        LakeResource.list_status = original
    assert calls == [LANDING, f"{LANDING}/dt=2025-06-01"]


def test_consecutive_hours_share_a_run_and_only_unchanged_landed_hours_split_runs():
    keys = ["2025-06-01-10:00", "2025-06-01-11:00", "2025-06-01-13:00"]
    # 12:00 landed before and did not change: parsing it again would be waste, so two runs.
    assert hour_ranges(keys, landed={*keys, "2025-06-01-12:00"}) == [keys[:2], keys[2:]]
    # Nothing landed for 12:00: one run, which parses it as an empty hour.
    assert hour_ranges(keys, landed=set(keys)) == [keys]
    day = [f"2025-06-01-{h:02d}:00" for h in range(24)]
    assert [len(r) for r in hour_ranges(day, landed=set(day), max_len=10)] == [10, 10, 4]
    # A run spans at most max_len hours, gaps included.
    assert hour_ranges([day[0], day[9], day[10]], landed=set(day[::9]), max_len=10) == [[day[0], day[9]], [day[10]]]


def test_run_requests_use_partition_keys_and_ranges_and_skip_foreign_buckets():
    changed = {"dt=2025-06-01/hr=10": "a", "dt=2025-06-01/hr=11": "b", "dt=2025-06-02/hr=00": "c",
               "dt=1970-01-01/hr=00": "d"}
    requests, outside = run_requests(changed, landed={"2025-06-01-10:00", "2025-06-01-11:00", "2025-06-01-23:00",
                                                      "2025-06-02-00:00"})
    assert outside == ["dt=1970-01-01/hr=00"]
    assert requests[0].tags["dagster/asset_partition_range_start"] == "2025-06-01-10:00"
    assert requests[0].tags["dagster/asset_partition_range_end"] == "2025-06-01-11:00"
    assert requests[1].partition_key == "2025-06-02-00:00"
    # The same files give the same run keys: a re-evaluated tick launches nothing new.
    assert [r.run_key for r in run_requests(changed, landed={"2025-06-01-23:00"})[0]] == [r.run_key for r in requests]
    assert isinstance(requests[0], dg.RunRequest)
    assert all(r.tags["dagster/priority"] == "10" for r in requests)  # ahead of queued session runs


def test_files_left_open_by_a_killed_agent_are_renamed_visible(tmp_path):
    lake = _lake(tmp_path)
    _write(tmp_path, "dt=2025-06-01/hr=10", "_events.17.jsonl.tmp", b'{"a":1}\n{"b":')
    _write(tmp_path, "dt=2025-06-01/hr=10", "events.16.jsonl")
    assert recovered_name("_events.17.jsonl.tmp") == "events.17.recovered.jsonl"
    assert recover_open_files(lake, LANDING) == [f"{LANDING}/dt=2025-06-01/hr=10/events.17.recovered.jsonl"]
    names = sorted(p.name for p in (tmp_path / LANDING / "dt=2025-06-01/hr=10").iterdir())
    assert names == ["events.16.jsonl", "events.17.recovered.jsonl"]
    assert recover_open_files(lake, LANDING) == []


def test_hours_already_waiting_in_a_queued_run_are_not_requested_again():
    requests, _ = run_requests({"dt=2025-06-01/hr=10": "a", "dt=2025-06-01/hr=11": "b", "dt=2025-06-03/hr=00": "c"},
                               landed={"2025-06-02-00:00"})
    queued = hours_of({"dagster/asset_partition_range_start": "2025-06-01-09:00",
                       "dagster/asset_partition_range_end": "2025-06-01-12:00"})
    assert len(queued) == 4
    left = not_yet_queued(requests, queued)
    assert [r.partition_key for r in left] == ["2025-06-03-00:00"]


# --- the sensor as the daemon evaluates it: one tick = one evaluation, the cursor carried over ---------------------


def _evaluate(lake: LakeResource, cursor: str | None) -> tuple[dg.SensorResult | dg.SkipReason, str | None]:
    """One evaluation of the real sensor on `lake`, as the daemon runs it; (its result, the cursor it leaves)."""
    with (dg.DagsterInstance.ephemeral() as instance,
          dg.build_sensor_context(cursor=cursor, instance=instance, sensor_name=clickstream_landing_sensor.name,
                                  resources={"lake": lake, "clickstream": ClickstreamLandingResource()}) as context):
        return clickstream_landing_sensor(context), context.cursor


def _tick(lake: LakeResource, cursor: str | None) -> tuple[list[dg.RunRequest], str | None]:
    """(the run requests of one evaluation, the cursor it leaves)."""
    result, after = _evaluate(lake, cursor)
    return ([] if isinstance(result, dg.SkipReason) else list(result.run_requests or [])), after


def _hours_requested(requests: list[dg.RunRequest]) -> list[str]:
    """Every hour the requests cover, in request order (a repeated hour shows twice)."""
    return [h for r in requests
            for h in sorted(hours_of(r.tags | ({"dagster/partition": r.partition_key} if r.partition_key else {})))]


def test_a_future_hour_bucket_is_looked_at_again_each_tick_until_its_hour_exists(tmp_path):
    lake = _lake(tmp_path)
    # A writer whose clock is two hours ahead of ours lands a file in hour 14 while it is 12:30.
    _write(tmp_path, "dt=2025-06-01/hr=14", "events.1.jsonl", mtime=1000)
    with freeze_time(datetime(2025, 6, 1, 12, 30, tzinfo=timezone.utc)):
        requests, cursor = _tick(lake, None)
        assert requests == []
        assert "dt=2025-06-01/hr=14" not in LandingCursor.parse(cursor).buckets  # not remembered
        requests, cursor = _tick(lake, cursor)  # next tick, still before 14:00: looked at again, nothing yet
        assert requests == []
    with freeze_time(datetime(2025, 6, 1, 14, 0, 5, tzinfo=timezone.utc)):  # hour 14 is now a partition
        requests, cursor = _tick(lake, cursor)
        assert _hours_requested(requests) == ["2025-06-01-14:00"]
        assert "dt=2025-06-01/hr=14" in LandingCursor.parse(cursor).buckets
        assert _tick(lake, cursor)[0] == []  # requested once


def test_one_sensor_run_covers_at_most_24_hours(tmp_path):
    lake = _lake(tmp_path)
    first = datetime(2025, 6, 1, 3)
    hours = [first + timedelta(hours=n) for n in range(30)]  # 30 consecutive hours, across midnight
    for hour in hours:
        _write(tmp_path, f"dt={hour:%Y-%m-%d}/hr={hour:%H}", "events.1.jsonl", mtime=1000)
    requests, _ = _tick(lake, None)
    keys = [f"{h:%Y-%m-%d-%H}:00" for h in hours]
    assert [(r.tags.get(RANGE_START_TAG), r.tags.get(RANGE_END_TAG)) for r in requests] == [
        (keys[0], keys[23]), (keys[24], keys[29])]
    assert [len(hours_of(r.tags)) for r in requests] == [24, 6]
    assert MAX_HOURS_PER_RUN == 24  # the documented default


def test_a_paused_sensor_catches_up_exactly(tmp_path):
    lake = _lake(tmp_path)
    _write(tmp_path, "dt=2025-06-01/hr=10", "events.1.jsonl", mtime=1000)
    _write(tmp_path, "dt=2025-06-01/hr=11", "events.2.jsonl", mtime=1000)
    requests, paused_at = _tick(lake, None)
    assert _hours_requested(requests) == ["2025-06-01-10:00", "2025-06-01-11:00"]
    # Paused: many ticks' worth of landing, with no evaluation in between. Each step moves the folder's time.
    clock = iter(range(2000, 100_000, 1000))
    landed: set[str] = set()

    def land(bucket: str, name: str, body: bytes = b"{}\n") -> None:
        _write(tmp_path, bucket, name, body, mtime=next(clock))
        if not name.startswith("_"):
            landed.add(bucket)

    land("dt=2025-06-01/hr=10", "events.3.jsonl")            # a late file for an hour already parsed
    land("dt=2025-06-01/hr=12", "_events.4.jsonl.tmp")        # opened, then closed two ticks later
    land("dt=2025-06-01/hr=13", "events.5.jsonl")
    folder = tmp_path / LANDING / "dt=2025-06-01/hr=12"
    os.rename(folder / "_events.4.jsonl.tmp", folder / "events.4.jsonl")
    os.utime(folder, (next(clock),) * 2)
    landed.add("dt=2025-06-01/hr=12")
    land("dt=2025-06-01/hr=13", "events.6.jsonl")            # the same hour changes again: still one request
    land("dt=2025-06-02/hr=00", "events.7.jsonl")
    land("dt=2025-06-01/hr=11", "_events.8.jsonl.tmp")        # only an open file: nothing to parse yet
    for day in range(3, 8):                                   # days of ticks later
        land(f"dt=2025-06-{day:02d}/hr=05", f"events.{day}0.jsonl")
    requests, after = _tick(lake, paused_at)
    expected = {f"{b[3:13]}-{b[-2:]}:00" for b in landed}
    requested = _hours_requested(requests)
    assert len(requested) == len(set(requested)) and expected <= set(requested)  # every changed hour, once
    # Besides them, only hours between them with no bucket at all (empty hours of the same pass):
    # never 11:00, whose bucket holds nothing new.
    buckets = {f"{d.name[3:]}-{h.name[3:]}:00" for d in (tmp_path / LANDING).iterdir() for h in d.iterdir()}
    assert "2025-06-01-11:00" in buckets and not (set(requested) - expected) & buckets
    # 10:00 alone (11:00 is in the way); 12:00 to 00:00 the next day in one run; the days later a
    # run each (more than 24 hours apart).
    assert len(requests) == 7
    assert _tick(lake, after)[0] == []  # the next tick requests nothing


def test_each_changed_hour_is_observed_with_its_closed_files_and_bytes(tmp_path):
    lake = _lake(tmp_path)
    _write(tmp_path, "dt=2025-06-01/hr=10", "events.1.jsonl", b"a" * 100, mtime=1000)
    _write(tmp_path, "dt=2025-06-01/hr=10", "events.2.jsonl", b"b" * 50, mtime=1000)
    _write(tmp_path, "dt=2025-06-01/hr=10", "_events.3.jsonl.tmp", b"c" * 999, mtime=1000)  # open: not counted
    _write(tmp_path, "dt=2025-06-01/hr=11", "events.4.jsonl", b"d" * 7, mtime=1000)
    result, cursor = _evaluate(lake, None)
    observed = {e.partition: {k: v.value for k, v in e.metadata.items()} for e in result.asset_events}
    assert {e.asset_key for e in result.asset_events} == {dg.AssetKey(["raw", "clickstream"])}
    assert observed == {
        "2025-06-01-10:00": {"files": 2, "bytes": 150, "path": f"{LANDING}/dt=2025-06-01/hr=10"},
        "2025-06-01-11:00": {"files": 1, "bytes": 7, "path": f"{LANDING}/dt=2025-06-01/hr=11"},
    }
    again, _ = _evaluate(lake, cursor)  # nothing new: nothing observed, the tick skips
    assert isinstance(again, dg.SkipReason)
