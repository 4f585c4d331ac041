"""Integration tests talk to the real local stack. They use their own schema (`shop_test`), Hive
databases (`test_*`) and lake folder, so they never touch the demo's data; the main job (`demo`)
runs once, as a user runs it, with the stack's own databases and Dagster instance."""

from __future__ import annotations

import pytest
from dagster_pyspark import LazyPySparkResource

from dataplatform.generator.shop import ShopSize, build_shop
from dataplatform.localstack.stack import LocalStack
from dataplatform.paths import sqoop_launcher_path
from dataplatform.settings import load_settings
from dataplatform_assets.ingestion.engine_choice import ImportEngineResource
from dataplatform_assets.ingestion.spark_engine import IMPORT_SPARK_CONFIG
from resources.hive import HiveServer2Resource
from resources.lake import LakeResource, lake_at
from resources.mysql import MySQLResource
from resources.sqoop import SqoopResource

TEST_DATABASE = "shop_test"
TEST_SEED = 7
TEST_SIZE = ShopSize(customers=300, products=60, orders=2_000)
NEEDED = ("mariadb", "namenode", "datanode", "hbase", "hbase-thrift", "hive-hbase", "flume", "thriftserver",
          "dagster-code-server", "dagster-daemon")


@pytest.fixture(scope="session")
def stack() -> LocalStack:
    """The running local stack; a clear failure (never a skip) when it is not up."""
    stack = LocalStack()
    down = [f"{s.name} ({s.state})" for s in stack.status() if s.name in NEEDED and not s.healthy]
    if down:
        pytest.fail("the local stack is not healthy: " + ", ".join(down) + ". Start it with "
                    "`dataplatform stack up`, or run the suite with `./platform test`.", pytrace=False)
    return stack


@pytest.fixture(scope="session")
def demo(stack):
    """The README's main job, once per session, on a small shop; its output. It must use the stack's
    own databases, lake and Dagster instance: the stack's daemon does half its work."""
    out = run_cli("demo", "--scale", "0.002", "--seed", "5", timeout=1500)
    (artifacts_dir("main-job") / "output.txt").write_text(out.stdout + out.stderr)  # its summary: where time went
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return out


@pytest.fixture(scope="session")
def settings(stack):
    return load_settings("local")


@pytest.fixture(scope="session")
def mysql(settings) -> MySQLResource:
    return settings.mysql(database=TEST_DATABASE)


@pytest.fixture(scope="session")
def hive(settings) -> HiveServer2Resource:
    return HiveServer2Resource(host=settings.hive_host, port=settings.hive_port,
                               username=settings.hive_user, database_prefix="test_")


@pytest.fixture(scope="session")
def lake(settings) -> LakeResource:
    return lake_at(f"hdfs://{settings.hdfs_host}:{settings.hdfs_port}/test-lake", settings.webhdfs_url)


@pytest.fixture(scope="session")
def sqoop(stack) -> SqoopResource:
    return SqoopResource(executable=str(sqoop_launcher_path()))


@pytest.fixture(scope="session")
def test_resources(mysql, hive, lake, sqoop) -> dict[str, object]:
    """The import and clickstream assets' resources, on the test schema, databases and lake; the
    `engine` fixture may swap `import_engine` for the test."""
    return {"mysql": mysql, "hive": hive, "lake": lake, "sqoop": sqoop,
            "spark": LazyPySparkResource(spark_config=IMPORT_SPARK_CONFIG),
            "import_engine": ImportEngineResource()}


@pytest.fixture(scope="session")
def shop_tables():
    return build_shop(TEST_SEED, TEST_SIZE)


@pytest.fixture()
def fresh_shop(mysql, shop_tables):
    return load_fresh_shop(mysql, shop_tables)


from tests.integration.helpers import artifacts_dir, import_into_empty_lake, load_fresh_shop, run_cli, use_engine  # noqa: E402
from tests.integration.test_hadoop_services import hbase_restart_row  # noqa: E402,F401 - shared fixture


@pytest.fixture()
def engine(request, monkeypatch, test_resources):
    """The import engine for this test: connectorx, or what `indirect` parametrization asks for."""
    name = getattr(request, "param", "connectorx")
    use_engine(name, test_resources, monkeypatch.setenv)
    yield name
    test_resources["import_engine"] = ImportEngineResource()


@pytest.fixture()
def imported(engine, fresh_shop, lake, test_resources):
    """A fresh shop imported into an empty test lake: the first load of every table is full."""
    return import_into_empty_lake(lake, test_resources)


def pytest_collection_modifyitems(items):
    """The tests of the main job run after the rest, then the tests that restart the stack. The main
    job thus runs on warm JVMs (a restarted Thrift Server spends minutes of CPU compiling Spark's
    code again), and the restarts share one running stack at the end."""
    def order(item) -> int:
        if item.get_closest_marker("restarts_stack") is not None:
            return 2
        return int("demo" in getattr(item, "fixturenames", ()))
    items.sort(key=order)
