"""Flume's landing area in the lake: closing files a killed agent left open.

Flume's HDFS sink writes `_events.<n>.jsonl.tmp` and renames it to `events.<n>.jsonl` when it rolls
the file. An agent killed mid-write never renames, and its successor does not look back: the
events already taken from the channel into that file would stay hidden (readers skip `_` names)
for good. Worse, the file stays "under construction": the NameNode reports its length only up to
the last full block, so Spark, which plans reads by that length, would see little or nothing.
Before an agent starts, every such file is therefore copied whole (read from the DataNode, which
serves everything the agent flushed) into a closed file under a visible `.recovered.jsonl` name,
then deleted. Its events reach the parser; a line cut off by the kill is quarantined, and the
events Flume re-delivers after the restart are deduplicated on their id.
"""

from __future__ import annotations

from resources.lake import LakeResource

OPEN_PREFIX, OPEN_SUFFIX = "_", ".tmp"


def recovered_name(open_name: str) -> str:
    """`_events.17.jsonl.tmp` -> `events.17.recovered.jsonl`."""
    stem = open_name[len(OPEN_PREFIX):-len(OPEN_SUFFIX)]
    base, dot, ext = stem.rpartition(".")
    return f"{base}.recovered.{ext}" if dot else f"{stem}.recovered"


def recover_open_files(lake: LakeResource, landing_dir: str) -> list[str]:
    """Close every file left open in the landing buckets; returns their new lake-relative paths.
    Only safe while no agent writes to the landing (e.g. just before one starts)."""
    fs, _ = lake.filesystem()
    recovered = []
    for day in lake.list_status(landing_dir):
        if not day.is_dir:
            continue
        for hour in lake.list_status(f"{landing_dir}/{day.name}"):
            if not hour.is_dir:
                continue
            bucket = f"{landing_dir}/{day.name}/{hour.name}"
            for entry in lake.list_status(bucket):
                if not entry.is_dir and entry.name.startswith(OPEN_PREFIX) and entry.name.endswith(OPEN_SUFFIX):
                    source, target = f"{bucket}/{entry.name}", f"{bucket}/{recovered_name(entry.name)}"
                    if not any(e.name == recovered_name(entry.name) for e in lake.list_status(bucket)):
                        staging = f"{bucket}/.{recovered_name(entry.name)}.copying"  # hidden until complete
                        lake.write_bytes(staging, lake.read_bytes(source))
                        fs.move(lake.path(staging), lake.path(target))
                    # else: an earlier recovery copied it whole and stopped before this delete
                    fs.delete_file(lake.path(source))
                    recovered.append(target)
    return recovered
