"""The sensor that turns files Flume closed into runs of the hours they belong to.

Each tick lists the landing buckets over WebHDFS. A bucket's directory changes its modification
time whenever a file in it is created or renamed (Flume renames a file when it closes it), so
only buckets whose directory changed are listed file by file. The cursor keeps, per bucket, that
directory time and a digest of its closed files (name, size, modification time): a bucket whose
digest changed, even for an hour long past, gets its hour parsed again. No wall-clock time is
involved, so a paused sensor catches up exactly. Every changed hour is also recorded as an
observation of `raw/clickstream` (closed files and bytes in the bucket), so the UI shows what Flume
landed, hour by hour.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import timedelta

import dagster as dg

from dataplatform_assets.clickstream.assets import EVENTS_KEY, RAW_CLICKSTREAM, REJECTS_KEY
from dataplatform_assets.clickstream.landing import ClickstreamLandingResource, hour_buckets, is_closed_file
from dataplatform_assets.clickstream.partitions import HOURLY, KEY_FORMAT, hour_start, partition_of
from resources.lake import Entry, LakeResource

MAX_HOURS_PER_RUN = 24
# New events wait for nothing: the run queue starts these before other queued runs (e.g. sessions).
PRIORITY = {"dagster/priority": "10"}
RANGE_START_TAG, RANGE_END_TAG = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


@dataclass
class LandingCursor:
    buckets: dict[str, tuple[int, str]] = field(default_factory=dict)  # "dt=../hr=.." -> (dir mtime, digest)

    @classmethod
    def parse(cls, text: str | None) -> LandingCursor:
        return cls({k: (v[0], v[1]) for k, v in json.loads(text).items()} if text else {})

    def serialize(self) -> str:
        return json.dumps({k: list(v) for k, v in sorted(self.buckets.items())}, separators=(",", ":"))


def files_digest(closed: list[Entry]) -> str:
    """A bucket's closed files by name, size and modification time ("" for none)."""
    seen = sorted(f"{f.name}:{f.size}:{f.mtime_ms}" for f in closed)
    return hashlib.sha1("\n".join(seen).encode()).hexdigest()[:16] if seen else ""


def scan_landing(lake: LakeResource, landing_dir: str,
                 cursor: LandingCursor) -> tuple[dict[str, list[Entry]], LandingCursor]:
    """Buckets whose closed files changed since `cursor` ({bucket: its closed files}) and the cursor
    after this scan."""
    changed: dict[str, list[Entry]] = {}
    after = LandingCursor(dict(cursor.buckets))
    for bucket, hour in hour_buckets(lake, landing_dir):
        seen_mtime, seen_digest = cursor.buckets.get(bucket, (None, ""))
        if hour.mtime_ms == seen_mtime:
            continue
        closed = [f for f in lake.list_status(f"{landing_dir}/{bucket}") if not f.is_dir and is_closed_file(f.name)]
        digest = files_digest(closed)
        after.buckets[bucket] = (hour.mtime_ms, digest)
        if digest and digest != seen_digest:
            changed[bucket] = closed
    return changed, after


def _dt_hr(bucket: str) -> tuple[str, str]:
    """`dt=2025-06-01/hr=10` -> (`2025-06-01`, `10`)."""
    dt, hr = (part.split("=", 1)[1] for part in bucket.split("/"))
    return dt, hr


def hour_ranges(keys: list[str], landed: set[str], max_len: int = MAX_HOURS_PER_RUN) -> list[list[str]]:
    """Sorted partition keys grouped into runs spanning at most `max_len` hours, first to last. A run
    goes on over hours with no landing bucket (not in `landed`): the parse covers them in the same
    pass as empty hours, cheaper than another run. An hour with a bucket that did not change ends it."""
    ranges: list[list[str]] = []
    for key in sorted(keys):  # the key format sorts by time
        if ranges:
            first, last, start = hour_start(ranges[-1][0]), hour_start(ranges[-1][-1]), hour_start(key)
            between = {(last + timedelta(hours=n)).strftime(KEY_FORMAT)
                       for n in range(1, (start - last) // timedelta(hours=1))}
            if start - first < timedelta(hours=max_len) and not between & landed:
                ranges[-1].append(key)
                continue
        ranges.append([key])
    return ranges


def run_requests(changed: dict[str, str], landed: set[str]) -> tuple[list[dg.RunRequest], list[str]]:
    """Runs for the changed buckets (`landed`: the hours of every bucket), and the buckets that are no
    hour of the partitions."""
    by_key, outside = {}, []
    for bucket, digest in changed.items():
        key = partition_of(*_dt_hr(bucket))
        if key is not None and HOURLY.has_partition_key(key):
            by_key[key] = digest
        else:
            outside.append(bucket)
    requests = []
    for hours in hour_ranges(list(by_key), landed):
        digest = hashlib.sha1("".join(by_key[h] for h in hours).encode()).hexdigest()[:16]
        run_key = f"{hours[0]}..{hours[-1]}@{digest}"
        if len(hours) == 1:
            requests.append(dg.RunRequest(run_key=run_key, partition_key=hours[0], tags=PRIORITY))
        else:
            requests.append(dg.RunRequest(run_key=run_key, tags={**PRIORITY, RANGE_START_TAG: hours[0],
                                                                 RANGE_END_TAG: hours[-1]}))
    return requests, outside


def landing_observations(landing_dir: str, changed: dict[str, list[Entry]]) -> list[dg.AssetObservation]:
    """What each changed hour's bucket holds, as the scan listed it: its closed files and their bytes."""
    observations = []
    for bucket, closed in sorted(changed.items()):
        key = partition_of(*_dt_hr(bucket))
        if key is None or not HOURLY.has_partition_key(key):
            continue
        observations.append(dg.AssetObservation(RAW_CLICKSTREAM, partition=key, metadata={
            "files": len(closed), "bytes": sum(e.size for e in closed), "path": f"{landing_dir}/{bucket}"}))
    return observations


def hours_of(run_tags: dict[str, str]) -> set[str]:
    """The hourly partition keys a run covers, from its partition or partition-range tags."""
    if "dagster/partition" in run_tags:
        return {run_tags["dagster/partition"]}
    if RANGE_START_TAG in run_tags:
        return set(HOURLY.get_partition_keys_in_range(
            dg.PartitionKeyRange(run_tags[RANGE_START_TAG], run_tags[RANGE_END_TAG])))
    return set()


def not_yet_queued(requests: list[dg.RunRequest], queued_hours: set[str]) -> list[dg.RunRequest]:
    """Requests whose hours are not all waiting in a queued run already: a queued run lists the
    bucket's files only when it starts, so it will parse the new files too."""
    return [r for r in requests if not hours_of(r.tags | ({"dagster/partition": r.partition_key}
                                                            if r.partition_key else {})) <= queued_hours]


@dg.sensor(
    name="clickstream_landing_sensor",
    target=[EVENTS_KEY, REJECTS_KEY],
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=5,
    description="Lists Flume's landing buckets (WebHDFS) and parses every hour whose closed files changed.",
)
def clickstream_landing_sensor(context: dg.SensorEvaluationContext, lake: LakeResource,
                               clickstream: ClickstreamLandingResource):
    changed, after = scan_landing(lake, clickstream.landing_dir, LandingCursor.parse(context.cursor))
    landed = {partition_of(*_dt_hr(bucket)) for bucket in after.buckets}
    requests, outside = run_requests({bucket: files_digest(files) for bucket, files in changed.items()}, landed)
    last_hour = HOURLY.get_last_partition_key()
    future = [b for b in outside if (partition_of(*_dt_hr(b)) or "") > last_hour]
    for bucket in future:  # an hour still to come (a clock ahead of ours): look again next tick
        after.buckets.pop(bucket, None)
    never = sorted(set(outside) - set(future))
    if never:
        context.log.warning(f"landing buckets that are no hour since {HOURLY.start:%Y-%m-%d}, not parsed: "
                            f"{', '.join(never[:10])}")
    if requests:
        queued = context.instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus.QUEUED],
                                                         tags={"dagster/sensor_name": context.sensor_name}))
        requests = not_yet_queued(requests, set().union(*(hours_of(r.tags) for r in queued)))
    observations = landing_observations(clickstream.landing_dir, changed)
    context.update_cursor(after.serialize())
    if not requests and not observations:
        return dg.SkipReason(f"no new closed files in {len(after.buckets)} landing buckets")
    return dg.SensorResult(run_requests=requests, asset_events=observations)
