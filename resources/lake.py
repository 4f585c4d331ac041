"""The data lake: a file system root with atomic publish. One abstract `LakeResource` says what a
lake does; `WebHdfsLake` (HDFS over WebHDFS: no JNI, no Hadoop install on the Python side) and
`LocalLake` (`file://`) say how. `lake_at()` picks one from a root URI."""

from __future__ import annotations

import abc
import functools
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlparse

import dagster as dg
import pyarrow.fs as pafs
from fsspec import AbstractFileSystem
from pydantic import Field


@dataclass(frozen=True)
class Entry:
    """One file or directory of a listing; `mtime_ms` is the file system's modification time."""
    name: str
    is_dir: bool
    size: int
    mtime_ms: int


class LakeResource(dg.ConfigurableResource, abc.ABC):
    """Paths in the lake are relative (`raw/mysql/orders/...`); `uri()` gives what Hive and Spark
    read. Writers write under a staging path and `publish()` renames it into place, so readers
    never see a half-written directory. Assets ask for a `LakeResource`; the environment decides
    which kind (environments.py)."""

    root: str = Field(description="lake root URI: hdfs://namenode:port/path or file:///path")

    @abc.abstractmethod
    def files(self) -> AbstractFileSystem:
        """The lake's file system as fsspec sees it (paths from `path()`)."""

    @abc.abstractmethod
    def read_bytes(self, relative: str) -> bytes:
        """A file's whole content."""

    @abc.abstractmethod
    def _put(self, relative: str, body: bytes | BinaryIO) -> None:
        """Write one whole file, replacing one already there."""

    def filesystem(self) -> tuple[pafs.FileSystem, str]:
        """The lake as a pyarrow file system, and the root's path inside it."""
        return pafs.PyFileSystem(pafs.FSSpecHandler(self.files())), self._base_path()

    def _base_path(self) -> str:
        return urlparse(self.root).path.rstrip("/")

    def uri(self, relative: str) -> str:
        return f"{self.root.rstrip('/')}/{relative.strip('/')}"

    def path(self, relative: str) -> str:
        """The path of `relative` inside `filesystem()` and `files()`."""
        return f"{self._base_path()}/{relative.strip('/')}"

    def list_status(self, relative: str) -> list[Entry]:
        """The entries of a directory with sizes and modification times (empty if it is missing);
        one WebHDFS LISTSTATUS call on HDFS."""
        try:
            infos = self.files().ls(self.path(relative), detail=True)
        except FileNotFoundError:
            return []
        entries = []
        for info in infos:
            mtime = info.get("modificationTime")
            if mtime is None:  # local file systems report seconds
                mtime = int(float(info.get("mtime", 0)) * 1000)
            entries.append(Entry(info["name"].rstrip("/").rsplit("/", 1)[-1], info["type"] == "directory",
                                 int(info.get("size") or 0), int(mtime)))
        return sorted(entries, key=lambda e: e.name)

    def publish(self, staging: str, final: str) -> None:
        """Atomically move a finished staging directory to its final relative path."""
        fs, _ = self.filesystem()
        parent = self.path(final).rsplit("/", 1)[0]
        fs.create_dir(parent, recursive=True)
        fs.move(self.path(staging), self.path(final))

    def write_bytes(self, relative: str, data: bytes) -> None:
        self._put(relative, data)

    def upload(self, local_file: Path, relative: str) -> None:
        """Copy a local file into the lake, streamed; replaces a file already there."""
        with open(local_file, "rb") as body:
            self._put(relative, body)

    def list_dirs(self, relative: str) -> list[str]:
        """Names of the sub-directories of `relative` (empty if it does not exist)."""
        fs, _ = self.filesystem()
        infos = fs.get_file_info(pafs.FileSelector(self.path(relative), allow_not_found=True))
        return sorted(i.base_name for i in infos if i.type == pafs.FileType.Directory)

    def delete_dir(self, relative: str) -> None:
        fs, _ = self.filesystem()
        fs.delete_dir(self.path(relative))

    def make_dir(self, relative: str) -> None:
        """An empty directory (and its parents); nothing if it exists."""
        fs, _ = self.filesystem()
        fs.create_dir(self.path(relative), recursive=True)

    def total_bytes(self, relative: str) -> int:
        fs, _ = self.filesystem()
        infos = fs.get_file_info(pafs.FileSelector(self.path(relative), recursive=True))
        return sum(i.size or 0 for i in infos if i.type == pafs.FileType.File)


class WebHdfsLake(LakeResource):
    """An `hdfs://` lake reached through the NameNode's HTTP interface (or HttpFS). Whole files go
    in one CREATE and come back in one OPEN: the measured fast path (docs/benchmarks)."""

    webhdfs_url: str = Field(description="NameNode (or HttpFS) HTTP address, e.g. http://127.0.0.1:9870")
    webhdfs_user: str = "dataplatform"
    webhdfs_timeout_seconds: float = Field(default=120.0, description="longest silence of the NameNode or a "
                                           "DataNode within one WebHDFS request before it fails")

    def _webhdfs(self, relative: str) -> str:
        if not self.webhdfs_url:
            raise ValueError(f"lake root {self.root} is on HDFS: set webhdfs_url")
        return f"{self.webhdfs_url}/webhdfs/v1{self.path(relative)}"

    def files(self) -> AbstractFileSystem:
        from fsspec.implementations.webhdfs import WebHDFS

        self._webhdfs("")  # the address check
        http = urlparse(self.webhdfs_url)
        fs = WebHDFS(host=http.hostname, port=http.port, user=self.webhdfs_user, use_https=http.scheme == "https")
        # fsspec sends its requests without a timeout: a NameNode or DataNode that stops
        # answering would hang the caller for ever. fsspec reuses one instance per address.
        untimed = getattr(fs.session, "untimed_request", fs.session.request)
        fs.session.untimed_request = untimed
        fs.session.request = functools.partial(untimed, timeout=(10, self.webhdfs_timeout_seconds))
        return fs

    def read_bytes(self, relative: str) -> bytes:
        """Asks the DataNode, so a file whose writer died still yields everything it flushed (the
        NameNode's length stops at the last full block)."""
        import requests

        response = requests.get(self._webhdfs(relative), params={"op": "OPEN", "user.name": self.webhdfs_user},
                                timeout=300)
        response.raise_for_status()
        return response.content

    def _put(self, relative: str, body: bytes | BinaryIO) -> None:
        # One WebHDFS CREATE: the NameNode names a DataNode, which takes the whole body. (A
        # pyarrow/fsspec output stream appends in 5 MB pieces, each a NameNode round trip and a
        # new pipeline: 3.8 s instead of about 0.6 s for a 31 MB Parquet file.)
        import requests

        params = {"op": "CREATE", "overwrite": "true", "user.name": self.webhdfs_user}
        where = requests.put(self._webhdfs(relative), params=params, allow_redirects=False, timeout=60)
        if where.status_code != 307:
            raise OSError(f"WebHDFS CREATE {relative} refused ({where.status_code}): {where.text[:500]}")
        written = requests.put(where.headers["Location"], data=body, timeout=3600,
                               headers={"Content-Type": "application/octet-stream"})  # HttpFS insists
        if written.status_code != 201:
            raise OSError(f"WebHDFS write of {relative} failed ({written.status_code}): {written.text[:500]}")


class LocalLake(LakeResource):
    """A `file://` lake: a folder on this machine (unit tests, a laptop without HDFS)."""

    def files(self) -> AbstractFileSystem:
        from fsspec.implementations.local import LocalFileSystem

        return LocalFileSystem()

    def filesystem(self) -> tuple[pafs.FileSystem, str]:
        return pafs.LocalFileSystem(), self._base_path()

    def read_bytes(self, relative: str) -> bytes:
        return Path(self.path(relative)).read_bytes()

    def _put(self, relative: str, body: bytes | BinaryIO) -> None:
        target = Path(self.path(relative))
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as out:
            if isinstance(body, bytes):
                out.write(body)
            else:
                shutil.copyfileobj(body, out)


def lake_at(root: str, webhdfs_url: str | None = None) -> LakeResource:
    """The lake for a root URI: `hdfs://` over WebHDFS (needs `webhdfs_url`) or `file://`."""
    scheme = urlparse(root).scheme
    if scheme == "hdfs":
        if not webhdfs_url:
            raise ValueError(f"lake root {root} is on HDFS: set webhdfs_url")
        return WebHdfsLake(root=root, webhdfs_url=webhdfs_url)
    if scheme in ("", "file"):
        return LocalLake(root=root)
    raise ValueError(f"lake root {root}: only hdfs:// (over WebHDFS) and file:// lakes are supported")
