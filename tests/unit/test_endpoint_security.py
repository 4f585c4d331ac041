"""How the platform authenticates to HiveServer2 and which Thrift transport and protocol it speaks
to HBase, from configuration: PyHive's mechanisms (LDAP and CUSTOM with a password read from a
file at connection time, KERBEROS with its service name), happybase's transports and protocols;
anything else is refused with the variable's name before a connection is tried."""

from __future__ import annotations

import happybase
import pytest

from dataplatform.settings import SettingsError, load_settings
from resources.hbase import HBaseError, HBaseResource
from resources.hive import HiveError, HiveServer2Resource

pytestmark = pytest.mark.usefixtures("isolated_home")
PASSWORD = "s3cret-for-the-ldap-test"


def test_ldap_reads_its_password_from_the_file_and_shows_only_the_path(monkeypatch, tmp_path):
    secret = tmp_path / "hive.password"
    secret.write_text(PASSWORD + "\n")
    monkeypatch.setenv("DATAPLATFORM_HIVE_AUTH", "LDAP")
    monkeypatch.setenv("DATAPLATFORM_HIVE_PASSWORD_FILE", str(secret))
    settings = load_settings()
    hive = settings.hive()
    assert hive.connect_args() == {"host": "127.0.0.1", "port": 10000, "username": "dataplatform", "auth": "LDAP",
                                   "password": PASSWORD}
    # What the code location, the UI and the run config see: the file's path, never the password.
    assert PASSWORD not in repr(settings) and PASSWORD not in str(settings.code_location_env())
    assert PASSWORD not in str(hive.model_dump())
    assert settings.code_location_env()["DATAPLATFORM_HIVE_AUTH"] == "LDAP"


def test_ldap_without_a_password_file_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("DATAPLATFORM_HIVE_AUTH", "LDAP")
    with pytest.raises(SettingsError, match="DATAPLATFORM_HIVE_PASSWORD_FILE"):
        load_settings()
    with pytest.raises(HiveError, match="DATAPLATFORM_HIVE_PASSWORD_FILE"):
        HiveServer2Resource(port=1, auth="CUSTOM").connect_args()
    with pytest.raises(HiveError, match="cannot read password file /no/such/file"):
        HiveServer2Resource(port=1, auth="LDAP", password_file="/no/such/file").connect_args()


def test_kerberos_names_the_servers_service_and_sends_no_password(monkeypatch):
    monkeypatch.setenv("DATAPLATFORM_HIVE_AUTH", "KERBEROS")
    monkeypatch.setenv("DATAPLATFORM_HIVE_KERBEROS_SERVICE_NAME", "hive2")
    args = load_settings().hive().connect_args()
    assert args["auth"] == "KERBEROS" and args["kerberos_service_name"] == "hive2" and "password" not in args


def test_the_default_is_the_local_stacks_plain_sasl():
    args = load_settings().hive().connect_args()
    assert args["auth"] == "NONE" and "password" not in args and "kerberos_service_name" not in args


def test_an_unknown_mechanism_is_refused_before_connecting(monkeypatch):
    monkeypatch.setenv("DATAPLATFORM_HIVE_AUTH", "BASIC")
    with pytest.raises(SettingsError, match="DATAPLATFORM_HIVE_AUTH must be one of NONE, NOSASL, LDAP"):
        load_settings()
    with pytest.raises(HiveError, match="DATAPLATFORM_HIVE_AUTH"):  # nothing listens on port 1
        with HiveServer2Resource(port=1, auth="BASIC").cursor():
            pass


@pytest.mark.parametrize(("transport", "protocol", "classes"), [
    ("buffered", "binary", ("BufferedTransport", "BinaryProtocol")),
    ("framed", "compact", ("FramedTransport", "CompactProtocol")),
])
def test_hbase_speaks_the_configured_transport_and_protocol(monkeypatch, transport, protocol, classes):
    monkeypatch.setenv("DATAPLATFORM_HBASE_THRIFT_TRANSPORT", transport)
    monkeypatch.setenv("DATAPLATFORM_HBASE_THRIFT_PROTOCOL", protocol)
    settings = load_settings()
    assert settings.code_location_env()["DATAPLATFORM_HBASE_THRIFT_TRANSPORT"] == transport
    # What the resource hands happybase's pool, then a connection built from it (not opened: no server).
    handed = {}
    monkeypatch.setattr(happybase, "ConnectionPool", lambda size, **kwargs: handed.update(kwargs))
    settings.hbase()._connection_pool()
    connection = happybase.Connection(**{k: v for k, v in handed.items() if k != "autoconnect"}, autoconnect=False)
    # thriftpy2's classes (its Cython ones where built: TCyFramedTransport)
    transport_class, protocol_class = connection._transport_class.__name__, connection._protocol_class.__name__
    assert transport_class.endswith(classes[0]) and protocol_class.endswith(classes[1])


def test_an_unknown_hbase_transport_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("DATAPLATFORM_HBASE_THRIFT_TRANSPORT", "http")
    with pytest.raises(SettingsError, match="DATAPLATFORM_HBASE_THRIFT_TRANSPORT must be one of buffered, framed"):
        load_settings()
    with pytest.raises(HBaseError, match="DATAPLATFORM_HBASE_THRIFT_PROTOCOL"):
        HBaseResource(port=1, protocol="json").tables()
