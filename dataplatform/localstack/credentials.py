"""The metastore password in a Hadoop credential provider, not in hive-site.xml.

Hive's metastore client asks Hadoop's `Configuration.getPassword` for
`javax.jdo.option.ConnectionPassword`, which looks in the keystores named by
`hadoop.security.credential.provider.path` before the plain configuration. The stack stores the
password in such a keystore (JCEKS, mode 0600, beside the Spark conf) with our
`stack/java/spark/tools/StoreCredential.java`, compiled against the Spark distribution's own Hadoop
client and given the password on its standard input, never as an argument. hive-site.xml names the
keystore and holds no password. The keystore is sealed with Hadoop's default keystore password
(a site can set `HADOOP_CREDSTORE_PASSWORD` for the Thrift Server), so its mode is what keeps it
private; what this buys is that no configuration file holds the password in plain text.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pyspark

from dataplatform.localstack import jars
from dataplatform.localstack.java import find_java_home
from dataplatform.localstack.jvm import SHORT_LIVED_OPTIONS, compile_tool
from dataplatform.localstack.process import ServiceError
from dataplatform.settings import read_password_file

METASTORE_PASSWORD = "javax.jdo.option.ConnectionPassword"
TOOL = jars.JAVA_DIR / "spark" / "tools" / "StoreCredential.java"


def provider_uri(keystore: Path) -> str:
    """A keystore file as Hadoop's local JCEKS credential provider."""
    return f"localjceks://file{keystore}"


def store_credential(keystore: Path, alias: str, secret_file: Path) -> str:
    """The provider URI of `keystore`, holding `secret_file`'s secret under `alias`: written unless
    the keystore is newer than the secret file, into a staged file first (several services may
    render the conf at once) and then renamed into place."""
    if keystore.exists() and keystore.stat().st_mtime >= secret_file.stat().st_mtime:
        return provider_uri(keystore)
    spark_jars = str(Path(pyspark.__file__).parent / "jars" / "*")
    classes = compile_tool(TOOL, spark_jars)
    staged = keystore.with_name(f".{keystore.name}.{os.getpid()}")
    staged.unlink(missing_ok=True)
    java = str(find_java_home() / "bin" / "java")
    result = subprocess.run(
        [java, *SHORT_LIVED_OPTIONS, "-cp", os.pathsep.join([str(classes), spark_jars]), "StoreCredential",
         provider_uri(staged), alias],
        input=read_password_file(str(secret_file)), capture_output=True, text=True, timeout=120)
    if result.returncode != 0 or not staged.exists():
        staged.unlink(missing_ok=True)
        raise ServiceError(f"storing {alias} in {keystore} failed (exit {result.returncode}): {result.stderr[-800:]}")
    os.chmod(staged, 0o600)
    os.replace(staged, keystore)
    return provider_uri(keystore)
