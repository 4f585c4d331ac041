"""A throwaway Kerberos realm for the tests: MIT's KDC (Debian's krb5-kdc and krb5-admin-server,
which `./platform test` installs) run in the foreground from a temporary folder on a free
loopback port, with keytabs for the principals asked for. Nothing outside the folder is touched:
the KDC and every client find the realm through KRB5_CONFIG / KRB5_KDC_PROFILE (Java through
-Djava.security.krb5.conf)."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dataplatform.localstack.process import serving
from tests.integration.helpers import free_loopback_port

REALM = "TEST.LOCAL"

# No DNS anywhere: a service principal keeps the host it was asked for (hive/127.0.0.1), and the
# KDC is found at its address; TCP only (udp_preference_limit 1), as the KDC listens on one port.
KRB5_CONF = """[libdefaults]
 default_realm = {realm}
 dns_lookup_kdc = false
 dns_lookup_realm = false
 dns_canonicalize_hostname = false
 rdns = false
 udp_preference_limit = 1
[realms]
 {realm} = {{
  kdc = 127.0.0.1:{port}
 }}
"""
KDC_CONF = """[kdcdefaults]
 kdc_listen = 127.0.0.1:{port}
 kdc_tcp_listen = 127.0.0.1:{port}
[realms]
 {realm} = {{
  database_name = {root}/principal
  key_stash_file = {root}/stash
  acl_file = {root}/kadm5.acl
  kdc_listen = 127.0.0.1:{port}
  kdc_tcp_listen = 127.0.0.1:{port}
 }}
[logging]
 kdc = FILE:{root}/kdc.log
"""


@dataclass(frozen=True)
class Realm:
    root: Path
    port: int

    @property
    def krb5_conf(self) -> Path:
        return self.root / "krb5.conf"

    def env(self) -> dict[str, str]:
        """What a process needs to use this realm (and no other); its tickets go to the credential
        cache KRB5CCNAME names."""
        return {"KRB5_CONFIG": str(self.krb5_conf), "KRB5_KDC_PROFILE": str(self.root / "kdc.conf"),
                "KRB5RCACHEDIR": str(self.root)}

    def keytab(self, principal: str) -> Path:
        return self.root / f"{principal.split('@')[0].replace('/', '_')}.keytab"

    def _admin(self, query: str) -> None:
        subprocess.run(["kadmin.local", "-q", query], env=os.environ | self.env(), check=True,
                       capture_output=True, text=True)

    def add_principal(self, principal: str) -> Path:
        """The principal (random key) and its keytab; once per principal (ktadd makes a new key)."""
        self._admin(f"addprinc -randkey {principal}@{REALM}")
        self._admin(f"ktadd -k {self.keytab(principal)} {principal}@{REALM}")
        return self.keytab(principal)

    def kinit(self, principal: str) -> None:
        """A ticket for `principal` from its keytab, into the credential cache KRB5CCNAME names."""
        subprocess.run(["kinit", "-k", "-t", str(self.keytab(principal)), f"{principal}@{REALM}"],
                       env=os.environ | self.env(), check=True, capture_output=True, text=True)


@contextmanager
def kerberos_realm(root: Path) -> Iterator[Realm]:
    """A KDC for REALM serving from `root` until the block ends."""
    missing = [tool for tool in ("kdb5_util", "kadmin.local", "krb5kdc", "kinit") if not shutil.which(tool)]
    if missing:
        raise RuntimeError(f"{', '.join(missing)} not found: `./platform test` installs Debian's krb5-kdc, "
                           "krb5-admin-server and krb5-user")
    realm = Realm(root, free_loopback_port())
    values = {"realm": REALM, "port": realm.port, "root": root}
    realm.krb5_conf.write_text(KRB5_CONF.format(**values))
    (root / "kdc.conf").write_text(KDC_CONF.format(**values))
    (root / "kadm5.acl").write_text("")
    env = os.environ | realm.env()
    subprocess.run(["kdb5_util", "create", "-s", "-W", "-r", REALM, "-P", secrets.token_urlsafe(16)],
                   env=env, check=True, capture_output=True, text=True)
    with serving(["krb5kdc", "-n", "-r", REALM], env=env, cwd=root, log_file=root / "krb5kdc.out", port=realm.port,
                 what="the test KDC", timeout=30):
        yield realm
