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

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
from pydantic import Field, field_validator

from dataplatform_assets.clickstream.formats import FORMATS
from resources.lake import Entry, LakeResource

LANDING_DIR = "raw/clickstream"  # lake-relative; Flume buckets it into dt=YYYY-MM-DD/hr=HH
OPEN_PREFIX, OPEN_SUFFIX = "_", ".tmp"


def is_open_file(name: str) -> bool:
    """Flume's file still being written: `_events.<n>.jsonl.tmp`."""
    return name.startswith(OPEN_PREFIX) and name.endswith(OPEN_SUFFIX)


def is_closed_file(name: str) -> bool:
    """A landed file readers may take: not open, and not hidden (`_`/`.` names, e.g. copies in progress)."""
    return not name.startswith((OPEN_PREFIX, ".")) and not name.endswith(OPEN_SUFFIX)


def hour_buckets(lake: LakeResource, landing_dir: str) -> Iterator[tuple[str, Entry]]:
    """Every `dt=YYYY-MM-DD/hr=HH` bucket of the landing (relative to it) with its folder's entry."""
    for day in lake.list_status(landing_dir):
        if day.is_dir and day.name.startswith("dt="):
            for hour in lake.list_status(f"{landing_dir}/{day.name}"):
                if hour.is_dir and hour.name.startswith("hr="):
                    yield f"{day.name}/{hour.name}", hour


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
    for relative, _hour in hour_buckets(lake, landing_dir):
        bucket = f"{landing_dir}/{relative}"
        entries = lake.list_status(bucket)
        present = {e.name for e in entries}
        for entry in entries:
            if entry.is_dir or not is_open_file(entry.name):
                continue
            source, target = f"{bucket}/{entry.name}", f"{bucket}/{recovered_name(entry.name)}"
            if recovered_name(entry.name) not in present:
                staging = f"{bucket}/.{recovered_name(entry.name)}.copying"  # hidden until complete
                lake.write_bytes(staging, lake.read_bytes(source))
                fs.move(lake.path(staging), lake.path(target))
            # else: an earlier recovery copied it whole and stopped before this delete
            fs.delete_file(lake.path(source))
            recovered.append(target)
    return recovered


class ClickstreamLandingResource(dg.ConfigurableResource):
    """Where Flume lands the clickstream in the lake, and in which line format."""

    landing_dir: str = Field(default=LANDING_DIR,
                             description="lake-relative folder of Flume's dt=YYYY-MM-DD/hr=HH buckets")
    format: str = Field(default="shop_json",
                        description="line format, a key of dataplatform_assets.clickstream.formats.FORMATS")
    max_reject_share: float = Field(default=0.05, ge=0.0, le=1.0,
                                    description="share of an hour's lines that may be rejected before the "
                                                "reject_share_within_limit check warns")
    access_log_config: str = Field(default="", description="the access-log format's routes file "
                                   "(DATAPLATFORM_ACCESS_LOG_CONFIG); empty: the packaged access_log.toml")
    visitor_salt_file: str = Field(default="", description="file holding the salt of anonymous visitors' "
                                   "device ids in the access-log format (DATAPLATFORM_VISITOR_SALT_FILE)")

    def visitor_salt(self) -> str:
        """The salt hashed with an anonymous visitor's address and user agent: a secret, read when needed."""
        if not self.visitor_salt_file:
            raise ValueError("the access-log format needs a salt for anonymous visitors' ids: set "
                             "DATAPLATFORM_VISITOR_SALT_FILE to a file holding one (the local stack writes it)")
        try:
            salt = Path(self.visitor_salt_file).read_text().strip()
        except OSError as exc:
            raise ValueError(f"cannot read the visitor salt file {self.visitor_salt_file}: {exc.strerror}") from None
        if len(salt) < 16:
            raise ValueError(f"the visitor salt in {self.visitor_salt_file} is too short (16 characters at least)")
        return salt

    @field_validator("format", mode="before")
    @classmethod
    def _known_format(cls, name: str) -> str:
        """An unknown format (e.g. a typo in DATAPLATFORM_CLICKSTREAM_FORMAT) fails when the resource is
        built, before the first parse hours later (bound to an environment variable: when a run starts)."""
        if name not in FORMATS and not isinstance(name, dg.EnvVar):
            raise ValueError(f"unknown clickstream format {name!r} (DATAPLATFORM_CLICKSTREAM_FORMAT); "
                             f"known: {', '.join(FORMATS)}")
        return name
