"""What each published load remembers for the next run, stored inside the load (`_state.json`).

Keeping it in the load directory makes it part of the atomic publish: the state the next run
starts from always describes exactly the loads readers can see.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from resources.lake import LakeResource

STATE_FILE = "_state.json"


@dataclass
class LoadState:
    load_id: str
    mode: str  # what this load did: "full" or the incremental mode
    base_load_id: str  # the full load the current chain of loads starts from
    loads_since_full: int
    high_watermark: str | None  # the check column's upper bound, as text
    columns: list[list[str]]  # [name, MySQL column type] at the time of the load
    chunks: dict[str, list[int]] = field(default_factory=dict)  # chunk -> [rows, content hash]
    # When the load's snapshot was taken, by the source's clock (ISO 8601, UTC). Loads written
    # before it was recorded have none: their load id (the import's start) stands in.
    snapshot_at: str | None = None
    binlog: list | None = None  # [file, position] of the snapshot, when the table's capture is binlog
    source_rows: int | None = None  # rows the source held for the contract's selection at the snapshot

    @property
    def snapshot_time(self) -> str:
        """The load's snapshot time as `YYYY-MM-DD HH:MM:SS.ffffff` (UTC)."""
        if self.snapshot_at:
            return self.snapshot_at.replace("T", " ").removesuffix("Z")
        lid = self.load_id  # 20250101T120000123Z
        return f"{lid[0:4]}-{lid[4:6]}-{lid[6:8]} {lid[9:11]}:{lid[11:13]}:{lid[13:15]}.{lid[15:18]}000"


def table_dir(table: str) -> str:
    return f"raw/mysql/{table}"


def published_loads(lake: LakeResource, table: str) -> list[str]:
    """Load ids of the published loads, oldest first."""
    return [d.removeprefix("load_id=") for d in lake.list_dirs(table_dir(table)) if d.startswith("load_id=")]


def loads_since(lake: LakeResource, table: str, base_load_id: str) -> list[str]:
    """The published loads of the chain that starts at the full load `base_load_id`, oldest first."""
    return [lid for lid in published_loads(lake, table) if lid >= base_load_id]


def write_state(lake: LakeResource, directory: str, state: LoadState) -> None:
    lake.write_bytes(f"{directory}/{STATE_FILE}", json.dumps(asdict(state)).encode())


def read_state(lake: LakeResource, table: str, load_id: str) -> LoadState | None:
    fs, _ = lake.filesystem()
    path = lake.path(f"{table_dir(table)}/load_id={load_id}/{STATE_FILE}")
    try:
        with fs.open_input_stream(path) as src:
            return LoadState(**json.loads(src.read()))
    except FileNotFoundError:
        return None


def latest_state(lake: LakeResource, table: str) -> LoadState | None:
    loads = published_loads(lake, table)
    return read_state(lake, table, loads[-1]) if loads else None
