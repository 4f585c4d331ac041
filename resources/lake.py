"""The data lake: a file system root (HDFS through WebHDFS, or `file://`) with atomic publish."""

from __future__ import annotations

import functools
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlparse

import dagster as dg
import pyarrow.fs as pafs
from pydantic import Field


@dataclass(frozen=True)
class Entry:
    """One file or directory of a listing; `mtime_ms` is the file system's modification time."""
    name: str
    is_dir: bool
    size: int
    mtime_ms: int


class LakeResource(dg.ConfigurableResource):
    """Paths in the lake are relative (`raw/mysql/orders/...`); `uri()` gives what Hive and Spark
    read. Writers write under a staging path and `publish()` renames it into place, so readers
    never see a half-written directory. `hdfs://` roots are reached over WebHDFS (no JNI, no
    Hadoop install on the Python side)."""

    root: str = Field(description="lake root URI: hdfs://namenode:port/path or file:///path")
    webhdfs_url: str | None = Field(default=None, description="NameNode HTTP, e.g. http://127.0.0.1:9870")
    webhdfs_user: str = "dataplatform"
    webhdfs_timeout_seconds: float = Field(default=120.0, description="longest silence of the NameNode or a "
                                           "DataNode within one WebHDFS request before it fails")

    def _webhdfs_base(self) -> str:
        """The NameNode's HTTP address, which every HDFS lake needs."""
        if not self.webhdfs_url:
            raise ValueError(f"lake root {self.root} is on HDFS: set webhdfs_url")
        return self.webhdfs_url

    def _webhdfs(self, relative: str) -> str:
        return f"{self._webhdfs_base()}/webhdfs/v1{self.path(relative)}"

    def _fsspec(self):
        if urlparse(self.root).scheme == "hdfs":
            from fsspec.implementations.webhdfs import WebHDFS

            http = urlparse(self._webhdfs_base())
            fs = WebHDFS(host=http.hostname, port=http.port, user=self.webhdfs_user, use_https=http.scheme == "https")
            # fsspec sends its requests without a timeout: a NameNode or DataNode that stops
            # answering would hang the caller for ever. fsspec reuses one instance per address.
            untimed = getattr(fs.session, "untimed_request", fs.session.request)
            fs.session.untimed_request = untimed
            fs.session.request = functools.partial(untimed, timeout=(10, self.webhdfs_timeout_seconds))
            return fs
        from fsspec.implementations.local import LocalFileSystem

        return LocalFileSystem()

    def filesystem(self) -> tuple[pafs.FileSystem, str]:
        if urlparse(self.root).scheme == "hdfs":
            return pafs.PyFileSystem(pafs.FSSpecHandler(self._fsspec())), self._base_path()
        fs, _ = pafs.FileSystem.from_uri(self.root)
        return fs, self._base_path()

    def list_status(self, relative: str) -> list[Entry]:
        """The entries of a directory with sizes and modification times (empty if it is missing);
        one WebHDFS LISTSTATUS call on HDFS."""
        fs = self._fsspec()
        try:
            infos = fs.ls(self.path(relative), detail=True)
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

    def _base_path(self) -> str:
        return urlparse(self.root).path.rstrip("/")

    def uri(self, relative: str) -> str:
        return f"{self.root.rstrip('/')}/{relative.strip('/')}"

    def path(self, relative: str) -> str:
        """The path of `relative` inside `filesystem()`."""
        return f"{self._base_path()}/{relative.strip('/')}"

    def publish(self, staging: str, final: str) -> None:
        """Atomically move a finished staging directory to its final relative path."""
        fs, _ = self.filesystem()
        parent = self.path(final).rsplit("/", 1)[0]
        fs.create_dir(parent, recursive=True)
        fs.move(self.path(staging), self.path(final))

    def read_bytes(self, relative: str) -> bytes:
        """A file's whole content. On HDFS this asks the DataNode, so a file whose writer died
        still yields everything it flushed (the NameNode's length stops at the last full block)."""
        if urlparse(self.root).scheme == "hdfs":
            import requests

            response = requests.get(self._webhdfs(relative), params={"op": "OPEN", "user.name": self.webhdfs_user},
                                    timeout=300)
            response.raise_for_status()
            return response.content
        fs, _ = self.filesystem()
        with fs.open_input_stream(self.path(relative)) as stream:
            return stream.read()

    def write_bytes(self, relative: str, data: bytes) -> None:
        self._put(relative, data)

    def upload(self, local_file: Path, relative: str) -> None:
        """Copy a local file into the lake, streamed; replaces a file already there."""
        with open(local_file, "rb") as body:
            self._put(relative, body)

    def _put(self, relative: str, body: bytes | BinaryIO) -> None:
        scheme = urlparse(self.root).scheme
        if scheme in ("", "file"):
            target = Path(self.path(relative))
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as out:
                if isinstance(body, bytes):
                    out.write(body)
                else:
                    shutil.copyfileobj(body, out)
            return
        if scheme != "hdfs":
            raise ValueError(f"lake root {self.root}: only hdfs:// and file:// lakes can be written")
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
