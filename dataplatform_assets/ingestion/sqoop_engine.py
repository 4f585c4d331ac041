"""The Sqoop engine: the real Apache Sqoop 1.4.7 CLI, for sites that run Sqoop.

The importer's bounded selection goes to `sqoop import --query` (split on the contract's key over
`num_partitions` mappers); Sqoop writes delimited text into a work folder of the load's staging
directory, which is then converted to Parquet with the lake's types and removed, so a Sqoop load
looks exactly like any other. The password reaches Sqoop only as `--password-file`. Text, not
Sqoop's own Avro/Parquet writers (stale in 1.4.7); fields are separated by \\x01 and escaped with
a backslash, so delimiters and line breaks inside values survive; NULL is written as \\x02.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.csv as pacsv

from dataplatform_assets.ingestion.engines import EngineRead, EngineRows
from dataplatform_assets.ingestion.tables import SourceTable
from resources.mysql import MySQLResource
from resources.sqoop import SqoopFailed, SqoopResource

FIELD, ESCAPE, NULL = "\x01", "\\", "\x02"


def _text_type(arrow_type: pa.DataType) -> pa.DataType:
    """How a column reads from Sqoop's text: times come without a zone (they are UTC, like the JVM)."""
    if pa.types.is_timestamp(arrow_type) and arrow_type.tz is not None:
        return pa.timestamp(arrow_type.unit)
    return arrow_type


def sqoop_import_args(mysql: MySQLResource, query: str, spec: SourceTable, target_uri: str,
                      password_file_uri: str) -> list[str]:
    """`sqoop import` for the importer's bounded selection; the password only as a file URI."""
    return ["import",
            "--connect", mysql.jdbc_url("mariadb"),
            "--username", mysql.user, "--password-file", password_file_uri,
            "--query", f"{query} AND $CONDITIONS", "--target-dir", target_uri, "--delete-target-dir",
            "--split-by", spec.key, "-m", str(spec.num_partitions), "--fetch-size", str(spec.fetch_size),
            "--fields-terminated-by", FIELD, "--lines-terminated-by", "\n", "--escaped-by", ESCAPE,
            "--null-string", NULL, "--null-non-string", NULL]


@dataclass(frozen=True)
class SqoopEngine:
    sqoop: SqoopResource
    name: str = "sqoop"
    in_snapshot: bool = False

    def read(self, job: EngineRead) -> EngineRows:
        """Import the selection with Sqoop and append it to the load's Parquet writer."""
        spec, lake = job.spec, job.lake
        target = f"{job.staging}/_sqoop"
        with self.sqoop.work_dir() as work:
            # Sqoop takes a password file byte for byte (a trailing newline would be part of the
            # password): hand it the password as the platform reads it, in a private file.
            password_uri = self.sqoop.write_password_file(work, job.mysql.read_password())
            try:
                self.sqoop.run(sqoop_import_args(job.mysql, job.query, spec, lake.uri(target), password_uri), work)
            except SqoopFailed as exc:
                raise SqoopFailed(f"{spec.name}: {exc}") from None
        written, seen = 0, set()
        fs, _ = lake.filesystem()
        options = (pacsv.ReadOptions(column_names=[c.name for c in job.columns]),
                   pacsv.ParseOptions(delimiter=FIELD, quote_char=False, escape_char=ESCAPE,
                                      newlines_in_values=True),
                   pacsv.ConvertOptions(column_types={c.name: _text_type(c.arrow_type) for c in job.columns},
                                        null_values=[NULL],
                                        strings_can_be_null=True, quoted_strings_can_be_null=False))
        for entry in lake.list_status(target):
            if entry.is_dir or not entry.name.startswith("part-"):
                continue
            with fs.open_input_stream(lake.path(f"{target}/{entry.name}")) as stream:
                data = pacsv.read_csv(stream, *options) if entry.size else None
            if data is None or data.num_rows == 0:
                continue
            data = data.append_column("_deleted", pa.array([False] * data.num_rows, pa.bool_()))
            job.writer.write_table(data.cast(job.writer.schema))
            written += data.num_rows
            seen |= job.seen_keys(data[spec.key].to_pylist()) if job.tracks_keys else set()
        lake.delete_dir(target)
        job.progress(written)
        return EngineRows(written, seen)
