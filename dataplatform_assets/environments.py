"""The resources of each environment, in one mapping: `local` (the stack `dataplatform stack up`
runs) or `cluster` (existing services).

Every address and credential is a `dg.EnvVar`, read when a run starts, never when this module is
imported: the local stack hands its Dagster services the values of its settings, the command line
sets them before it loads the code location, and on a cluster the deployment sets them (see
docs/configuration.md). The two environments differ in how work is run: Sqoop's jobs on its own
JVM (`local`) or on YARN (`cluster`).
"""

from __future__ import annotations

import os
from collections.abc import Callable

import dagster as dg
from dagster_pyspark import LazyPySparkResource

from dataplatform_assets.clickstream.landing import ClickstreamLandingResource
from dataplatform_assets.ingestion.engine_choice import ImportEngineResource
from dataplatform_assets.ingestion.spark_engine import IMPORT_SPARK_CONFIG
from resources.hbase import HBaseResource
from resources.hive import HiveServer2Resource
from resources.lake import WebHdfsLake
from resources.mysql import MySQLResource
from resources.sqoop import SqoopResource


def _hive_auth() -> dict[str, dg.EnvVar]:
    """Both HiveServer2s authenticate the same way (the password from its file, read at connection)."""
    return {"auth": dg.EnvVar("DATAPLATFORM_HIVE_AUTH"), "password_file": dg.EnvVar("DATAPLATFORM_HIVE_PASSWORD_FILE"),
            "kerberos_service_name": dg.EnvVar("DATAPLATFORM_HIVE_KERBEROS_SERVICE_NAME")}


def _resources(sqoop_framework: str) -> dict[str, object]:
    return {
        "mysql": MySQLResource(host=dg.EnvVar("DATAPLATFORM_MYSQL_HOST"),
                               port=dg.EnvVar.int("DATAPLATFORM_MYSQL_PORT"),
                               database=dg.EnvVar("DATAPLATFORM_MYSQL_DATABASE"),
                               user=dg.EnvVar("DATAPLATFORM_MYSQL_USER"),
                               password_file=dg.EnvVar("DATAPLATFORM_MYSQL_PASSWORD_FILE")),
        "lake": WebHdfsLake(root=dg.EnvVar("DATAPLATFORM_LAKE_ROOT"),
                            webhdfs_url=dg.EnvVar("DATAPLATFORM_WEBHDFS_URL")),
        "hive": HiveServer2Resource(host=dg.EnvVar("DATAPLATFORM_HIVE_HOST"),
                                    port=dg.EnvVar.int("DATAPLATFORM_HIVE_PORT"),
                                    username=dg.EnvVar("DATAPLATFORM_HIVE_USER"),
                                    database_prefix=dg.EnvVar("DATAPLATFORM_HIVE_DATABASE_PREFIX"),
                                    metastore_db=dg.EnvVar("DATAPLATFORM_HIVE_METASTORE_DB"), **_hive_auth()),
        # Apache Hive 4.1: the HiveServer2 that reads HBase-backed tables (the Spark one cannot).
        "hive_hbase": HiveServer2Resource(host=dg.EnvVar("DATAPLATFORM_HIVE_HBASE_HOST"),
                                          port=dg.EnvVar.int("DATAPLATFORM_HIVE_HBASE_PORT"),
                                          username=dg.EnvVar("DATAPLATFORM_HIVE_USER"),
                                          database_prefix=dg.EnvVar("DATAPLATFORM_HIVE_DATABASE_PREFIX"),
                                          **_hive_auth()),
        "hbase": HBaseResource(host=dg.EnvVar("DATAPLATFORM_HBASE_THRIFT_HOST"),
                               port=dg.EnvVar.int("DATAPLATFORM_HBASE_THRIFT_PORT"),
                               transport=dg.EnvVar("DATAPLATFORM_HBASE_THRIFT_TRANSPORT"),
                               protocol=dg.EnvVar("DATAPLATFORM_HBASE_THRIFT_PROTOCOL"),
                               table_prefix=dg.EnvVar("DATAPLATFORM_HBASE_TABLE_PREFIX"),
                               create_table_command=dg.EnvVar("DATAPLATFORM_HBASE_CREATE_TABLE_BIN")),
        # The access-log settings are optional, so read as the definitions load.
        "clickstream": ClickstreamLandingResource(
            format=dg.EnvVar("DATAPLATFORM_CLICKSTREAM_FORMAT"),
            access_log_config=os.environ.get("DATAPLATFORM_ACCESS_LOG_CONFIG", ""),
            visitor_salt_file=os.environ.get("DATAPLATFORM_VISITOR_SALT_FILE", "")),
        "sqoop": SqoopResource(executable=dg.EnvVar("DATAPLATFORM_SQOOP_BIN"), framework=sqoop_framework),
        # Lazy: only a run that imports with Spark starts a JVM. Where it runs (spark.master) comes
        # from the Spark conf dir of the environment (SPARK_CONF_DIR).
        "spark": LazyPySparkResource(spark_config=IMPORT_SPARK_CONFIG),
        "import_engine": ImportEngineResource(),
    }


RESOURCES_BY_ENVIRONMENT: dict[str, Callable[[], dict[str, object]]] = {
    "local": lambda: _resources(sqoop_framework="local"),
    "cluster": lambda: _resources(sqoop_framework="yarn"),
}
ENVIRONMENTS = tuple(RESOURCES_BY_ENVIRONMENT)


def resources_for(environment: str) -> dict[str, object]:
    if environment not in RESOURCES_BY_ENVIRONMENT:
        raise ValueError(f"DATAPLATFORM_ENV must be one of {', '.join(ENVIRONMENTS)}, got {environment!r}")
    return RESOURCES_BY_ENVIRONMENT[environment]()
