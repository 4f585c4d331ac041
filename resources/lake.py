"""The data lake: a file system root (local `file://` now; HDFS on clusters) with atomic publish."""

from __future__ import annotations

import pyarrow.fs as pafs

import dagster as dg


class LakeResource(dg.ConfigurableResource):
    """Paths in the lake are relative (`raw/mysql/orders/...`); `uri()` gives what Hive and Spark
    read. Writers write under a staging path and `publish()` renames it into place, so readers
    never see a half-written directory."""

    root: str

    def filesystem(self) -> tuple[pafs.FileSystem, str]:
        fs, base = pafs.FileSystem.from_uri(self.root)
        return fs, base.rstrip("/")

    def uri(self, relative: str) -> str:
        return f"{self.root.rstrip('/')}/{relative.strip('/')}"

    def path(self, relative: str) -> str:
        """The path of `relative` inside `filesystem()`."""
        return f"{self.filesystem()[1]}/{relative.strip('/')}"

    def publish(self, staging: str, final: str) -> None:
        """Atomically move a finished staging directory to its final relative path."""
        fs, _ = self.filesystem()
        parent = self.path(final).rsplit("/", 1)[0]
        fs.create_dir(parent, recursive=True)
        fs.move(self.path(staging), self.path(final))

    def list_dirs(self, relative: str) -> list[str]:
        """Names of the sub-directories of `relative` (empty if it does not exist)."""
        fs, _ = self.filesystem()
        infos = fs.get_file_info(pafs.FileSelector(self.path(relative), allow_not_found=True))
        return sorted(i.base_name for i in infos if i.type == pafs.FileType.Directory)

    def delete_dir(self, relative: str) -> None:
        fs, _ = self.filesystem()
        fs.delete_dir(self.path(relative))

    def total_bytes(self, relative: str) -> int:
        fs, _ = self.filesystem()
        infos = fs.get_file_info(pafs.FileSelector(self.path(relative), recursive=True))
        return sum(i.size or 0 for i in infos if i.type == pafs.FileType.File)
