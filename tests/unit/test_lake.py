"""The lake on a local file system (`file://` root): uploads and writes land whole and replace."""

from resources.lake import LocalLake, WebHdfsLake, lake_at


def test_local_upload_creates_folders_and_replaces(tmp_path):
    lake = LocalLake(root=(tmp_path / "lake").as_uri())
    source = tmp_path / "part.parquet"
    source.write_bytes(b"x" * 100_000)
    lake.upload(source, "raw/mysql/t/_staging/load_id=1/part.parquet")
    assert lake.read_bytes("raw/mysql/t/_staging/load_id=1/part.parquet") == b"x" * 100_000
    lake.write_bytes("raw/mysql/t/_staging/load_id=1/part.parquet", b"short")
    assert lake.read_bytes("raw/mysql/t/_staging/load_id=1/part.parquet") == b"short"


class _Answer:
    def __init__(self, status: int, headers: dict | None = None, text: str = ""):
        self.status_code, self.headers, self.text = status, headers or {}, text


def test_hdfs_write_is_one_create_then_one_put_to_the_datanode(monkeypatch):
    import requests

    calls = []

    def put(url, params=None, allow_redirects=True, timeout=None, data=None, headers=None):
        calls.append((url, params, allow_redirects, data, headers))
        if params:  # the NameNode names the DataNode
            return _Answer(307, {"Location": "http://127.0.0.1:9864/webhdfs/v1/lake/a/b.parquet?op=CREATE"})
        return _Answer(201)

    monkeypatch.setattr(requests, "put", put)
    lake = WebHdfsLake(root="hdfs://127.0.0.1:9000/lake", webhdfs_url="http://127.0.0.1:9870")
    lake.write_bytes("a/b.parquet", b"payload")
    (nn_url, params, redirects, _, _), (dn_url, _, _, data, headers) = calls
    assert nn_url == "http://127.0.0.1:9870/webhdfs/v1/lake/a/b.parquet"
    assert params["op"] == "CREATE" and params["overwrite"] == "true" and redirects is False
    assert dn_url.startswith("http://127.0.0.1:9864/") and data == b"payload"
    assert headers["Content-Type"] == "application/octet-stream"


def test_hdfs_write_failures_name_the_file(monkeypatch):
    import pytest
    import requests

    answers = iter([_Answer(307, {"Location": "http://dn/x"}), _Answer(403, text="ParentNotDirectoryException")])
    monkeypatch.setattr(requests, "put", lambda *a, **k: next(answers))
    lake = WebHdfsLake(root="hdfs://127.0.0.1:9000/lake", webhdfs_url="http://127.0.0.1:9870")
    with pytest.raises(OSError, match=r"a/b.parquet failed \(403\): ParentNotDirectory"):
        lake.write_bytes("a/b.parquet", b"x")
    monkeypatch.setattr(requests, "put", lambda *a, **k: _Answer(403, text="AccessControlException"))
    with pytest.raises(OSError, match=r"CREATE a/b.parquet refused \(403\): AccessControl"):
        lake.write_bytes("a/b.parquet", b"x")


def test_a_webhdfs_server_that_never_answers_fails_the_call_instead_of_hanging():
    """A listening socket that accepts and then says nothing, as a stalled NameNode would."""
    import socket
    import time

    import pytest
    import requests

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        port = silent.getsockname()[1]
        lake = WebHdfsLake(root="hdfs://127.0.0.1:9000/lake", webhdfs_url=f"http://127.0.0.1:{port}",
                            webhdfs_timeout_seconds=1)
        started = time.monotonic()
        with pytest.raises(requests.exceptions.Timeout):
            lake.list_status("raw/clickstream")
        assert time.monotonic() - started < 10
    finally:
        silent.close()


def test_lake_at_picks_the_lake_for_the_root_and_refuses_others():
    import pytest

    assert isinstance(lake_at("file:///tmp/lake"), LocalLake)
    hdfs = lake_at("hdfs://127.0.0.1:9000/lake", "http://127.0.0.1:9870")
    assert isinstance(hdfs, WebHdfsLake) and hdfs.webhdfs_url == "http://127.0.0.1:9870"
    with pytest.raises(ValueError, match="set webhdfs_url"):
        lake_at("hdfs://127.0.0.1:9000/lake")
    with pytest.raises(ValueError, match="only hdfs:// .* and file://"):
        lake_at("s3://bucket/lake")


def test_the_abstract_lake_cannot_be_configured_on_its_own():
    import pytest

    from resources.lake import LakeResource

    with pytest.raises(TypeError, match="abstract"):
        LakeResource(root="file:///tmp/lake")
