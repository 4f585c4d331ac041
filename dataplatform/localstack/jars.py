"""Java class paths of the stack's services, resolved from the poms in `stack/java/<name>/`.

`mvn dependency:copy-dependencies` copies each service's jars into `.cache/jars/<name>/` (Maven's
own repository lives in `.cache/m2`); a stamp with the pom's hash makes the next call a no-op.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from dataplatform.localstack.process import ServiceError
from dataplatform.paths import REPO_ROOT

JAVA_DIR = REPO_ROOT / "stack" / "java"


def cache_dir() -> Path:
    return Path(os.environ.get("DATAPLATFORM_CACHE", REPO_ROOT / ".cache")).resolve()


def classpaths() -> list[str]:
    return sorted(p.name for p in JAVA_DIR.iterdir() if (p / "pom.xml").exists())


def resolve(name: str, report=print) -> Path:
    """The folder holding every jar of class path `name`, downloading what is missing."""
    pom = JAVA_DIR / name / "pom.xml"
    target = cache_dir() / "jars" / name
    stamp = target / ".pom-sha256"
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return target
    mvn = shutil.which("mvn")
    if not mvn:
        raise ServiceError("Maven (mvn) is needed to fetch the Java services' jars; install Debian's "
                           "maven package (`./platform setup` does it)")
    report(f"resolving the {name} class path from {pom.relative_to(REPO_ROOT)} (first time only)")
    if target.exists():
        shutil.rmtree(target)
    cmd = [mvn, "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
           f"-DoutputDirectory={target}", f"-Dmaven.repo.local={cache_dir() / 'm2'}",
           "-DincludeScope=runtime"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        errors = [ln for ln in result.stdout.splitlines() + result.stderr.splitlines() if "ERROR" in ln]
        raise ServiceError(f"resolving {name} jars failed: {' '.join(errors[:2])[:600]}")
    stamp.write_text(digest)
    return target


def classpath(name: str, *extra: Path) -> str:
    return os.pathsep.join([*(str(p) for p in extra), str(resolve(name) / "*")])
