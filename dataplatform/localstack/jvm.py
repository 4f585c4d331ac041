"""Java services launched straight from their Maven-resolved jars (no distribution tarballs)."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from dataplatform.localstack import jars
from dataplatform.localstack.java import find_java_home
from dataplatform.localstack.process import ServiceError
from dataplatform.paths import STACK_CONF_DIR

# For a command that lives seconds (a Sqoop run, a table tool): the quick compiler only and the
# serial collector. Such a JVM ends before the optimizing compiler pays off; a Sqoop import of the
# test shop took 20% less time and a third less CPU with these (docs/local-stack.md).
SHORT_LIVED_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")


def java_command(classpath_name: str, main_class: str, *, heap: str, conf_dir: Path | None,
                 system_properties: dict[str, str] | None = None, args: list[str] | None = None,
                 short_lived: bool = False) -> list[str]:
    """`java @java17.args -Xmx.. -cp conf:jars/* main args`, on a supported JDK."""
    java = str(find_java_home() / "bin" / "java")
    props = [f"-D{k}={v}" for k, v in (system_properties or {}).items()]
    extra = [conf_dir] if conf_dir else []
    tuning = list(SHORT_LIVED_OPTIONS) if short_lived else []
    return [java, f"@{STACK_CONF_DIR / 'java17.args'}", f"-Xmx{heap}", *tuning, *props,
            "-cp", jars.classpath(classpath_name, *extra), main_class, *(args or [])]


def java_env() -> dict[str, str]:
    env = dict(os.environ)
    env["JAVA_HOME"] = str(find_java_home())
    return env


def run_once(cmd: list[str], what: str, log_file: Path, timeout: float = 300) -> None:
    """A one-off Java step (e.g. formatting the NameNode), its output appended to the service log."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        result = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, env=java_env(), timeout=timeout)
    if result.returncode != 0:
        raise ServiceError(f"{what} failed (exit {result.returncode}); log: {log_file}")


def compile_tool(source: Path, classpath: str) -> Path:
    """The folder holding the classes of our one-file Java tool `source` (stack/java/*/tools),
    compiled by javac against `classpath`, again only when the source changes."""
    text = source.read_bytes()
    classes = jars.cache_dir() / "classes" / source.stem
    stamp = classes / ".source-sha256"
    digest = hashlib.sha256(text).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return classes
    classes.mkdir(parents=True, exist_ok=True)
    javac = find_java_home() / "bin" / "javac"
    result = subprocess.run([str(javac), "-nowarn", "-d", str(classes), "-cp", classpath, str(source)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise ServiceError(f"compiling {source.name} failed: {result.stderr[-800:]}")
    stamp.write_text(digest)
    return classes
