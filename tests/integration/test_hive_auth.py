"""HiveServer2 with password authentication: a real Spark Thrift Server of the stack's configuration
started with `hive.server2.authentication=CUSTOM` (a small provider, tests/integration/java/, that
checks the password against a file; PyHive sends LDAP's and CUSTOM's logins alike, SASL PLAIN).
The resource logs in with the password from its file; a wrong password and a login without one
are refused with an error that says so."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from dataplatform.localstack import process
from dataplatform.localstack.java import find_java_home
from dataplatform.localstack.thriftserver import MARIADB_JDBC_JAR, spark_env, thrift_server_command
from resources.hive import HiveError, HiveServer2Resource

PORT, UI_PORT = 10003, 4043
PROVIDER = Path(__file__).parent / "java" / "FilePasswordAuthenticator.java"


@pytest.fixture(scope="module")
def password_server(stack, tmp_path_factory):
    """The Thrift Server on PORT, requiring the password in its file; (port, that file)."""
    import pyspark

    work = tmp_path_factory.mktemp("hive-auth")
    classes = work / "classes"
    jars = Path(pyspark.__file__).parent / "jars"
    subprocess.run([str(find_java_home() / "bin" / "javac"), "-nowarn", "-d", str(classes), "-cp",
                    str(next(jars.glob("spark-hive-thriftserver_*.jar"))), str(PROVIDER)], check=True)
    secret = work / "hive.password"
    secret.write_text("a-password-for-the-auth-test\n")
    secret.chmod(0o600)
    # The driver's class path and Java options replace spark-defaults' (the metastore's JDBC driver,
    # UTC): theirs and ours, then. The provider's class is read from a HiveConf of its own, which
    # sees system properties, not Spark's Hadoop settings.
    options = ["--driver-class-path", f"{classes}:{MARIADB_JDBC_JAR}",
               "--driver-java-options", "-Duser.timezone=UTC -Dhive.server2.authentication=CUSTOM "
               "-Dhive.server2.custom.authentication.class=FilePasswordAuthenticator",
               "--conf", "spark.hadoop.hive.server2.authentication=CUSTOM"]
    command = thrift_server_command("thriftserver-auth-test", UI_PORT, port=PORT, master="local[1]", options=options)
    env = spark_env(stack.service("thriftserver").conf_dir) | {"DATAPLATFORM_TEST_HIVE_PASSWORD_FILE": str(secret)}
    with process.serving(command, env=env, cwd=work, log_file=work / "thriftserver.log", port=PORT,
                         what="a Thrift Server with password logins"):
        yield PORT, secret


def test_the_password_from_its_file_logs_in(password_server):
    port, secret = password_server
    hive = HiveServer2Resource(port=port, username="analyst", auth="CUSTOM", password_file=str(secret))
    assert hive.query("SELECT 40 + 2") == [(42,)]


def test_a_wrong_password_is_refused_as_a_login_not_an_outage(password_server, tmp_path):
    port, _ = password_server
    wrong = tmp_path / "wrong.password"
    wrong.write_text("not-the-password\n")
    hive = HiveServer2Resource(port=port, username="analyst", auth="LDAP", password_file=str(wrong))
    with pytest.raises(HiveError, match=f"127.0.0.1:{port} refused the login of 'analyst' \\(auth LDAP\\)"):
        hive.query("SELECT 1")


def test_a_login_without_a_password_is_refused(password_server):
    port, _ = password_server
    with pytest.raises(HiveError, match="refused the login"):
        HiveServer2Resource(port=port, username="analyst").query("SELECT 1")
