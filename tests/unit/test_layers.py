"""The floor plan holds: resources -> code location -> command -> bench/tests, each importing only
what lies below it (pyproject's import-linter contract; docs/architecture.md)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("resources", "dataplatform_assets", "dataplatform", "bench", "tests")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(cwd))  # this tree's packages, before the installed ones
    return subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_layers_contract_is_kept():
    out = lint_imports(REPO)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "1 kept, 0 broken" in out.stdout


def test_an_import_that_breaks_the_layers_fails_the_contract(tmp_path):
    for package in PACKAGES:
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    lake = tmp_path / "resources" / "lake.py"
    lake.write_text(lake.read_text() + "\nfrom dataplatform.paths import state_dir  # noqa: E402,F401\n")
    out = lint_imports(tmp_path)
    assert out.returncode != 0
    assert "resources is not allowed to import dataplatform" in out.stdout
    assert "resources.lake -> dataplatform.paths" in out.stdout
