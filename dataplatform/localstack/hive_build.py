"""The two jars of the Hive 4 HiveServer2 (hive4.py) that Maven Central does not serve, built once
into `.cache/hive/` (each with a stamp of its inputs, so the next call is a no-op):

- `hive-service` 4.1.0, HiveServer2 itself (Central stops at 4.0.1): taken back out of the JDBC
  driver's standalone jar, which carries it shaded, by the shade plugin with the driver's
  relocations reversed (`stack/java/hive-service/repackage-pom.xml`).
- `hive-hbase-handler` for Hive 4 (Central stops at 3.1.3): Central's 3.1.3 sources jar (fetched
  by Maven), our change `stack/java/hive/hbase-handler.patch` applied by `patch`,
  compiled by the JDK's javac against the Hive 4.1.0 and HBase 2.6.1 class path of
  `stack/java/hive/pom.xml`. The unchanged 3.1.3 jar fails on Hive 4 ("oi is null" on CREATE
  TABLE, "rowObjectInspector is null" on SELECT). The sources are never committed.

Each build works in a `build/` folder beside its jar, moves the jar into place and writes the
stamp last, so an interrupted build is redone by the next call.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import zipfile
from pathlib import Path

from dataplatform.localstack import jars
from dataplatform.localstack.java import find_java_home
from dataplatform.localstack.process import ServiceError

HIVE_VERSION = "4.1.0"
SERVICE_POM = jars.JAVA_DIR / "hive-service" / "repackage-pom.xml"
HANDLER_SOURCES = "org.apache.hive:hive-hbase-handler:3.1.3:jar:sources"
HANDLER_PATCH = jars.JAVA_DIR / "hive" / "hbase-handler.patch"
STAMP = ".inputs-sha256"


def build_root() -> Path:
    return jars.cache_dir() / "hive"


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def _fresh(folder: Path, digest: str, jar: Path) -> bool:
    stamp = folder / STAMP
    return jar.exists() and stamp.exists() and stamp.read_text() == digest


def _mvn() -> str:
    mvn = shutil.which("mvn")
    if not mvn:
        raise ServiceError("Maven (mvn) is needed to build Hive's jars; install Debian's maven package "
                           "(`./platform setup` does it)")
    return mvn


def _run(cmd: list[str], what: str, cwd: Path | None = None) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    if result.returncode != 0:
        lines = result.stdout.splitlines() + result.stderr.splitlines()
        errors = [ln for ln in lines if "ERROR" in ln or "error:" in ln or "FAILED" in ln] or lines[-10:]
        raise ServiceError(f"{what} failed (exit {result.returncode}): {' | '.join(errors[:6])[:1200]}")


def hive_service_jar(report=print) -> Path:
    """hive-service-4.1.0.jar, repackaged from hive-jdbc-4.1.0-standalone.jar on first call."""
    folder = build_root() / "hive-service"
    jar = folder / f"hive-service-{HIVE_VERSION}.jar"
    digest = _digest(SERVICE_POM.read_bytes())
    if _fresh(folder, digest, jar):
        return jar
    report(f"building hive-service {HIVE_VERSION} from the JDBC standalone jar (first time only)")
    if folder.exists():
        shutil.rmtree(folder)
    work = folder / "build"
    work.mkdir(parents=True)
    tmp = folder / f".{jar.name}.tmp"
    _run([_mvn(), "-q", "-B", "-f", str(SERVICE_POM), "package",
          f"-Dmaven.repo.local={jars.cache_dir() / 'm2'}",
          f"-Drepackage.dir={work}", f"-Drepackage.jar={tmp}"],
         f"repackaging hive-service from {SERVICE_POM.name}")
    tmp.replace(jar)
    shutil.rmtree(work)
    (folder / STAMP).write_text(digest)
    return jar


def _fetch_handler_sources(dest: Path) -> Path:
    """Central's hive-hbase-handler 3.1.3 sources jar, through Maven (and its cache in .cache/m2)."""
    _run([_mvn(), "-q", "-B", "-f", str(jars.JAVA_DIR / "hive" / "pom.xml"), "dependency:copy",
          f"-Dartifact={HANDLER_SOURCES}", f"-DoutputDirectory={dest}",
          f"-Dmaven.repo.local={jars.cache_dir() / 'm2'}"],
         f"fetching {HANDLER_SOURCES}")
    found = sorted(dest.glob("hive-hbase-handler-*-sources.jar"))
    if not found:
        raise ServiceError(f"fetching {HANDLER_SOURCES} left no sources jar in {dest}")
    return found[0]


def _apply_patch(src: Path) -> None:
    patch = shutil.which("patch")
    if not patch:
        raise ServiceError("`patch` is needed to build hive-hbase-handler; install Debian's patch "
                           "package (`./platform setup` does it)")
    _run([patch, "-p1", "--batch", "--forward", "--no-backup-if-mismatch", "-d", str(src),
          "-i", str(HANDLER_PATCH)], f"applying {HANDLER_PATCH.name}")


def hbase_handler_jar(report=print) -> Path:
    """hive-hbase-handler for Hive 4.1.0, compiled from the patched 3.1.3 sources on first call."""
    folder = build_root() / "hbase-handler"
    jar = folder / f"hive-hbase-handler-3.1.3-hive{HIVE_VERSION}.jar"
    hive_pom = jars.JAVA_DIR / "hive" / "pom.xml"
    digest = _digest(HANDLER_SOURCES.encode(), HANDLER_PATCH.read_bytes(), hive_pom.read_bytes())
    if _fresh(folder, digest, jar):
        return jar
    classpath = jars.classpath("hive")  # resolves the Hive class path first if needed
    report(f"building hive-hbase-handler for Hive {HIVE_VERSION} from {HANDLER_SOURCES} (first time only)")
    if folder.exists():
        shutil.rmtree(folder)
    work = folder / "build"
    src, classes = work / "src", work / "classes"
    for d in (src, classes):
        d.mkdir(parents=True)
    with zipfile.ZipFile(_fetch_handler_sources(work)) as zf:
        zf.extractall(src, [n for n in zf.namelist() if n.endswith(".java")])
    _apply_patch(src)
    sources = sorted(str(p.relative_to(src)) for p in src.rglob("*.java"))
    (work / "sources.txt").write_text("\n".join(sources) + "\n")
    java_home = find_java_home()
    _run([str(java_home / "bin" / "javac"), "-nowarn", "-proc:none", "-encoding", "UTF-8",
          "--release", "17", "-d", str(classes), "-cp", classpath, f"@{work / 'sources.txt'}"],
         "compiling hive-hbase-handler", cwd=src)
    tmp = folder / f".{jar.name}.tmp"
    _run([str(java_home / "bin" / "jar"), "--create", "--file", str(tmp), "-C", str(classes), "."],
         "packaging hive-hbase-handler")
    tmp.replace(jar)
    shutil.rmtree(work)
    (folder / STAMP).write_text(digest)
    return jar


def ensure_jars(report=print) -> list[Path]:
    """Everything HiveServer2 4.1.0 runs from: the Maven class path and the two built jars."""
    jars.resolve("hive", report=report)
    return [hive_service_jar(report), hbase_handler_jar(report)]
