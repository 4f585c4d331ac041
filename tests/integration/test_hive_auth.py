"""HiveServer2 with authentication: real Spark Thrift Servers of the stack's configuration started
with `hive.server2.authentication=CUSTOM` (a small provider, tests/integration/java/, that checks
the password against a file; PyHive sends LDAP's and CUSTOM's logins alike, SASL PLAIN) and with
`KERBEROS` (a throwaway MIT KDC, tests/integration/kdc.py; SASL GSSAPI). The resource logs in with
the password from its file, or with a Kerberos ticket as the ticket's principal; a wrong password,
a login without one and a login without a ticket are refused with an error that says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataplatform.localstack import process
from dataplatform.localstack.jvm import SHORT_LIVED_OPTIONS, compile_tool
from dataplatform.localstack.thriftserver import MARIADB_JDBC_JAR, spark_env, thrift_server_command
from resources.hive import HiveError, HiveServer2Resource
from tests.integration.kdc import REALM, kerberos_realm

PORT, UI_PORT = 10003, 4043
KERBEROS_PORT, KERBEROS_UI_PORT = 10004, 4044
SERVICE_PRINCIPAL = "hive/127.0.0.1"  # the host as clients name it: no DNS in the test realm
# These servers answer a few statements: UTC as spark-defaults says, C1 only and the serial collector.
QUICK_JVM = ("-Duser.timezone=UTC", *SHORT_LIVED_OPTIONS)
PROVIDER = Path(__file__).parent / "java" / "FilePasswordAuthenticator.java"


@pytest.fixture(scope="module")
def password_server(stack, tmp_path_factory):
    """The Thrift Server on PORT, requiring the password in its file; (port, that file)."""
    import pyspark

    work = tmp_path_factory.mktemp("hive-auth")
    jars = Path(pyspark.__file__).parent / "jars"
    classes = compile_tool(PROVIDER, str(next(jars.glob("spark-hive-thriftserver_*.jar"))))
    secret = work / "hive.password"
    secret.write_text("a-password-for-the-auth-test\n")
    secret.chmod(0o600)
    # The driver's class path and Java options replace spark-defaults' (the metastore's JDBC driver,
    # UTC): theirs and ours, then. The provider's class is read from a HiveConf of its own, which
    # sees system properties, not Spark's Hadoop settings.
    options = ["--driver-class-path", f"{classes}:{MARIADB_JDBC_JAR}",
               "--driver-java-options", " ".join([*QUICK_JVM, "-Dhive.server2.authentication=CUSTOM",
                                                  "-Dhive.server2.custom.authentication.class=FilePasswordAuthenticator"]),
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


@pytest.fixture(scope="module")
def kerberos_server(stack, tmp_path_factory):
    """The Thrift Server on KERBEROS_PORT, logged in from its keytab as SERVICE_PRINCIPAL and
    accepting Kerberos logins of a test realm's principals; the realm (principal `analyst` in it)."""
    work = tmp_path_factory.mktemp("hive-kerberos")
    with kerberos_realm(work) as realm:
        keytab = realm.add_principal(SERVICE_PRINCIPAL)
        realm.add_principal("analyst")
        hive_settings = {"hive.server2.authentication": "KERBEROS",
                         "hive.server2.authentication.kerberos.principal": f"{SERVICE_PRINCIPAL}@{REALM}",
                         "hive.server2.authentication.kerberos.keytab": str(keytab)}
        # Hadoop security on, so the server logs in from its keytab; this HDFS is the stack's
        # (simple authentication), which a secure client may then fall back to.
        hadoop_settings = {**hive_settings, "hadoop.security.authentication": "kerberos",
                           "ipc.client.fallback-to-simple-auth-allowed": "true"}
        # As for the password server: HiveServer2's own HiveConf reads system properties.
        java_options = " ".join([*QUICK_JVM, f"-Djava.security.krb5.conf={realm.krb5_conf}",
                                 *(f"-D{k}={v}" for k, v in hive_settings.items())])
        options = ["--driver-java-options", java_options,
                   *(x for k, v in hadoop_settings.items() for x in ("--conf", f"spark.hadoop.{k}={v}"))]
        command = thrift_server_command("thriftserver-kerberos-test", KERBEROS_UI_PORT, port=KERBEROS_PORT,
                                        master="local[1]", options=options)
        env = spark_env(stack.service("thriftserver").conf_dir) | realm.env()
        with process.serving(command, env=env, cwd=work, log_file=work / "thriftserver.log", port=KERBEROS_PORT,
                             what="a Thrift Server with Kerberos logins"):
            yield realm


@pytest.fixture()
def kerberos_client(kerberos_server, monkeypatch, tmp_path):
    """This process a client of the test realm, with a credential cache of its own, empty."""
    for variable, value in kerberos_server.env().items():
        monkeypatch.setenv(variable, value)
    monkeypatch.setenv("KRB5CCNAME", f"FILE:{tmp_path}/ccache")
    return kerberos_server


def test_a_kerberos_ticket_logs_in_as_its_principal(kerberos_client):
    kerberos_client.kinit("analyst")
    hive = HiveServer2Resource(port=KERBEROS_PORT, username="ignored-under-kerberos", auth="KERBEROS",
                               kerberos_service_name="hive")
    assert hive.query("SELECT current_user()") == [("analyst",)]
    assert ("default",) in hive.query("SHOW DATABASES")  # and the metastore behind it answers


def test_a_kerberos_login_without_a_ticket_is_refused_with_what_to_do(kerberos_client):
    hive = HiveServer2Resource(port=KERBEROS_PORT, auth="KERBEROS", kerberos_service_name="hive")
    with pytest.raises(HiveError, match=f"127.0.0.1:{KERBEROS_PORT}: Kerberos could not log in to service 'hive' "
                                        r"\(.+\); is there a ticket \(kinit"):
        hive.query("SELECT 1")
