"""Finding a JDK that Hadoop-era JVMs run on (17 to 21; 23+ breaks Hadoop's UGI, HADOOP-19212)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from dataplatform.localstack.process import ServiceError

SUPPORTED = range(17, 22)
_CANDIDATES = ("/usr/lib/jvm/java-17-openjdk-amd64", "/usr/lib/jvm/java-17-openjdk-arm64",
               "/usr/lib/jvm/java-21-openjdk-amd64", "/usr/lib/jvm/java-21-openjdk-arm64")


def java_major(java_home: Path) -> int | None:
    try:
        out = subprocess.run([str(java_home / "bin" / "java"), "-version"], capture_output=True,
                             text=True, timeout=30).stderr
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)', out)
    return int(match.group(1)) if match else None


def find_java_home() -> Path:
    """JAVA_HOME when it is a supported JDK, else a Debian JDK 17/21; a clear error otherwise."""
    tried = []
    for candidate in [os.environ.get("JAVA_HOME"), *_CANDIDATES]:
        if not candidate:
            continue
        home = Path(candidate)
        major = java_major(home)
        tried.append(f"{home} ({'Java ' + str(major) if major else 'no java'})")
        if major in SUPPORTED and (home / "bin" / "javac").exists():
            return home
    raise ServiceError(
        "no JDK 17-21 found (Spark, Hadoop and HBase need one; JDK 23+ breaks Hadoop). "
        "Install it with `apt-get install openjdk-17-jdk-headless` or set JAVA_HOME. Tried: "
        + ", ".join(tried)
    )
