"""The lake on a local file system (`file://` root): uploads and writes land whole and replace."""

from resources.lake import LakeResource


def test_local_upload_creates_folders_and_replaces(tmp_path):
    lake = LakeResource(root=(tmp_path / "lake").as_uri())
    source = tmp_path / "part.parquet"
    source.write_bytes(b"x" * 100_000)
    lake.upload(source, "raw/mysql/t/_staging/load_id=1/part.parquet")
    assert lake.read_bytes("raw/mysql/t/_staging/load_id=1/part.parquet") == b"x" * 100_000
    lake.write_bytes("raw/mysql/t/_staging/load_id=1/part.parquet", b"short")
    assert lake.read_bytes("raw/mysql/t/_staging/load_id=1/part.parquet") == b"short"
