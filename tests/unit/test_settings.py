import stat

import pytest

from dataplatform.localstack.secrets import ensure_local_secret
from dataplatform.settings import SettingsError, load_settings

pytestmark = pytest.mark.usefixtures("isolated_home")


def test_local_profile_points_at_loopback_and_writes_nothing(isolated_home):
    settings = load_settings()
    assert settings.profile == "local"
    assert (settings.mysql_host, settings.mysql_port, settings.hive_port) == ("127.0.0.1", 3306, 10000)
    assert settings.lake_root == "hdfs://127.0.0.1:9000/lake"
    assert settings.webhdfs_url == "http://127.0.0.1:9870"
    assert settings.sqoop_bin == str(isolated_home / "bin" / "sqoop")
    assert not isolated_home.exists()  # the stack creates the password when it starts
    with pytest.raises(SettingsError, match=r"mysql_dataplatform.password.*dataplatform stack up"):
        settings.mysql_password()


def test_the_stack_generates_a_private_password_once(isolated_home):
    settings = load_settings()
    password_file = ensure_local_secret("mysql_dataplatform")
    assert str(password_file) == settings.mysql_password_file
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert len(settings.mysql_password()) >= 24
    assert ensure_local_secret("mysql_dataplatform") == password_file
    assert load_settings().mysql_password() == settings.mysql_password()  # generated once


def test_environment_overrides_the_local_defaults(monkeypatch):
    monkeypatch.setenv("DATAPLATFORM_MYSQL_PORT", "3307")
    monkeypatch.setenv("DATAPLATFORM_LAKE_ROOT", "hdfs://namenode:8020/lake/")
    settings = load_settings()
    assert settings.mysql_port == 3307
    assert settings.lake_root == "hdfs://namenode:8020/lake"


def test_cluster_profile_names_the_missing_variable(monkeypatch):
    monkeypatch.setenv("DATAPLATFORM_ENV", "cluster")
    with pytest.raises(SettingsError, match="DATAPLATFORM_MYSQL_HOST"):
        load_settings()


def test_cluster_profile_reads_everything_from_the_environment(monkeypatch, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("s3cret\n")
    env = {"ENV": "cluster", "MYSQL_HOST": "db.internal", "MYSQL_USER": "etl",
           "MYSQL_PASSWORD_FILE": str(secret), "HIVE_HOST": "hs2.internal", "HIVE_HBASE_HOST": "hive4.internal",
           "HDFS_HOST": "nn", "WEBHDFS_URL": "http://nn:9870", "LAKE_ROOT": "hdfs://nn:8020/lake",
           "HBASE_THRIFT_HOST": "hbase.internal"}
    for key, value in env.items():
        monkeypatch.setenv(f"DATAPLATFORM_{key}", value)
    settings = load_settings()
    assert (settings.mysql_host, settings.mysql_user, settings.hive_host) == ("db.internal", "etl", "hs2.internal")
    assert settings.mysql_password() == "s3cret"


def test_bad_values_are_clear_errors(monkeypatch):
    monkeypatch.setenv("DATAPLATFORM_MYSQL_PORT", "three")
    with pytest.raises(SettingsError, match="DATAPLATFORM_MYSQL_PORT must be a whole number"):
        load_settings()
    monkeypatch.setenv("DATAPLATFORM_ENV", "staging")
    with pytest.raises(SettingsError, match="local, cluster"):
        load_settings()


INJECTION = "orders; DROP TABLE customers"


@pytest.mark.parametrize("variable", ["MYSQL_DATABASE", "HIVE_DATABASE_PREFIX", "HBASE_TABLE_PREFIX"])
def test_a_name_that_is_not_a_name_is_refused_before_any_sql(monkeypatch, variable):
    monkeypatch.setenv(f"DATAPLATFORM_{variable}", INJECTION)
    with pytest.raises(SettingsError, match=f"DATAPLATFORM_{variable} must be .* got 'orders; DROP TABLE customers'"):
        load_settings()


def test_the_code_locations_resources_refuse_such_names_before_connecting():
    """The code location reads the same variables through dg.EnvVar, without load_settings: each
    resource checks the name before it builds a statement, a URL or a connection. Nothing listens
    on port 1, so getting the name error (not a connection error) shows nothing was attempted."""
    from resources.hbase import HBaseError, HBaseResource
    from resources.hive import HiveServer2Resource
    from resources.mysql import MySQLError, MySQLResource
    from resources.sql import SqlError

    mysql = MySQLResource(port=1, database=INJECTION, password="unused")
    for attempt in (mysql.connect, mysql.ensure_database, mysql.connectorx_url, mysql.jdbc_url):
        with pytest.raises(MySQLError, match="DATAPLATFORM_MYSQL_DATABASE"):
            attempt()
    with pytest.raises(SqlError, match="not an identifier"):
        HiveServer2Resource(port=1, database_prefix=INJECTION).db("raw")
    with pytest.raises(HBaseError, match="DATAPLATFORM_HBASE_TABLE_PREFIX"):
        HBaseResource(port=1, table_prefix=INJECTION).name("customer_360")


def test_mariadbs_tools_get_the_password_in_a_private_options_file_only(tmp_path):
    import stat

    from resources.mysql import MySQLResource

    password_file = tmp_path / "password"
    password_file.write_text("s3cret\n")
    options = MySQLResource(host="db.example", port=3307, user="importer",
                            password_file=str(password_file)).client_options_file(tmp_path)
    assert stat.S_IMODE(options.stat().st_mode) == 0o600
    assert options.read_text().splitlines() == ["[client]", "host=db.example", "port=3307", "user=importer",
                                                "password=s3cret"]
