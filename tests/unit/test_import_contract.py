import pytest

from dataplatform_assets.ingestion.source_schema import map_column
from dataplatform_assets.ingestion.table_import import SchemaDrift, check_drift
from dataplatform_assets.ingestion.tables import SHOP_TABLES, ContractError, SourceTable


def col(name, column_type="int(11)", nullable=True):
    return map_column("t", name, column_type.split("(")[0], column_type, 10, 0, nullable)


def test_shop_tables_use_incremental_modes_with_their_check_columns():
    modes = {t.name: (t.mode, t.check_column) for t in SHOP_TABLES}
    assert modes == {"customers": ("lastmodified", "updated_at"), "products": ("lastmodified", "updated_at"),
                     "orders": ("lastmodified", "updated_at"), "order_items": ("append", "order_item_id")}


@pytest.mark.parametrize("kwargs,message", [
    ({"mode": "append"}, "needs a check_column"),
    ({"mode": "lastmodified", "check_column": "updated_at"}, "needs a merge_key"),
    ({"mode": "sometimes"}, "mode must be one of"),
    ({"columns": ("name",)}, "must include the primary key"),
    ({"chunk_rows": 0}, "must be positive"),
    ({"capture": "triggers"}, "capture must be one of"),
])
def test_impossible_contracts_are_refused(kwargs, message):
    with pytest.raises(ContractError, match=message):
        SourceTable("t", ("id",), "a table", **kwargs)


def test_new_nullable_columns_are_accepted():
    before = [["id", "int(11)"]]
    assert check_drift("t", before, [col("id"), col("note", "varchar(20)")]) == ["note"]


@pytest.mark.parametrize("now,message", [
    ([col("other")], r"t\.id was dropped"),
    ([col("id", "bigint(20)")], r"t\.id changed type from int\(11\) to bigint\(20\)"),
    ([col("id"), col("must", "int(11)", nullable=False)], r"t\.must is a new NOT NULL column"),
])
def test_dropped_retyped_or_not_null_columns_stop_the_import(now, message):
    with pytest.raises(SchemaDrift, match=message):
        check_drift("t", [["id", "int(11)"]], now)


def test_engine_is_part_of_the_contract_and_defaults_to_connectorx():
    assert {t.engine for t in SHOP_TABLES} == {"connectorx"}
    assert SourceTable("t", ("id",), "a table", engine="pymysql").engine == "pymysql"


def test_capture_is_part_of_the_contract_and_the_resource_can_override_it():
    from dataplatform_assets.ingestion.engine_choice import ImportEngineResource

    assert {t.capture for t in SHOP_TABLES} == {"checksums"}
    spec = SourceTable("t", ("id",), "a table", capture="binlog")
    assert ImportEngineResource().capture_for(spec) == "binlog"
    assert ImportEngineResource(capture="checksums").capture_for(spec) == "checksums"
    with pytest.raises(ValueError, match="unknown change capture 'wal'"):
        ImportEngineResource(capture="wal")


def test_connectorx_reads_a_key_range_in_bounded_spans_that_cover_it_once():
    from dataplatform_assets.ingestion.connectorx_engine import key_batches

    assert key_batches(1, 10, span=4) == [(1, 5), (5, 9), (9, 11)]
    assert key_batches(7, 7, span=4) == [(7, 8)]
    batches = key_batches(3, 1_000_003)
    assert batches[0][0] == 3 and batches[-1][1] == 1_000_004
    assert all(high - low <= 250_000 and high == following[0] for (low, high), following in zip(batches, batches[1:]))


def test_four_engines_sit_behind_the_contract():
    from typing import get_args, get_type_hints

    from dataplatform_assets.ingestion.engine_choice import ENGINES

    assert set(ENGINES) == {"pymysql", "connectorx", "spark", "sqoop"}
    assert set(get_args(get_type_hints(SourceTable)["engine"])) == set(ENGINES)


def test_every_engine_is_built_by_name_behind_one_signature_and_says_whether_it_is_exact():
    import inspect

    from dagster_pyspark import LazyPySparkResource

    from dataplatform_assets.ingestion.engine_choice import ENGINES, ImportEngineResource, engine_named
    from dataplatform_assets.ingestion.engines import EngineRead, EngineRows
    from resources.sqoop import SqoopResource

    clients = {"sqoop": SqoopResource(executable="sqoop"), "spark": LazyPySparkResource(spark_config={})}
    engines = {name: engine_named(name, **clients) for name in ENGINES}
    assert {name: e.name for name, e in engines.items()} == {name: name for name in ENGINES}
    # Only pymysql reads inside the snapshot; the importer checks its count exactly.
    assert {name for name, e in engines.items() if e.in_snapshot} == {"pymysql"}
    for engine in engines.values():
        hints = inspect.signature(engine.read)
        assert list(hints.parameters) == ["job"], engine.name
        assert hints.return_annotation in (EngineRows, "EngineRows")
        assert inspect.signature(type(engine).read).parameters["job"].annotation in (EngineRead, "EngineRead")
    with pytest.raises(ValueError, match="sqoop engine needs a SqoopResource"):
        engine_named("sqoop")
    with pytest.raises(ValueError, match="spark engine needs a Spark resource"):
        engine_named("spark")
    with pytest.raises(ValueError, match="unknown import engine 'odbc'"):
        engine_named("odbc")
    spec = SourceTable("t", ("id",), "a table", engine="pymysql")
    assert ImportEngineResource().engine_for(spec, **clients).name == "pymysql"
    assert ImportEngineResource(engine="sqoop").engine_for(spec, **clients).name == "sqoop"


def test_sqoop_gets_the_bounded_selection_and_a_password_file_never_the_password(tmp_path):
    from dataplatform_assets.ingestion.sqoop_engine import sqoop_import_args
    from resources.mysql import MySQLResource

    secret = tmp_path / "pw"
    secret.write_text("s3cret-value")
    mysql = MySQLResource(host="db", port=3306, database="shop", user="etl", password_file=str(secret))
    spec = SourceTable("orders", ("order_id",), "orders", num_partitions=4)
    args = sqoop_import_args(mysql, "SELECT `order_id` FROM `orders` WHERE (`updated_at` <= '2025-01-01')",
                             spec, "hdfs://nn/lake/raw/mysql/orders/_staging/x/_sqoop", secret.as_uri())
    assert "s3cret-value" not in " ".join(args)
    assert args[args.index("--password-file") + 1] == secret.as_uri()
    assert args[args.index("--query") + 1].endswith("<= '2025-01-01') AND $CONDITIONS")
    assert args[args.index("--split-by") + 1] == "order_id" and args[args.index("-m") + 1] == "4"
    assert args[args.index("--connect") + 1] == "jdbc:mariadb://db:3306/shop"
