"""The README's layout table names every top-level entry of the tree, and nothing that is not there."""

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
IGNORED = {".gitignore", "README.md"}
GENERATED = {".state", ".cache"}  # git-ignored, made by the commands


def test_the_layout_table_matches_the_tree():
    readme = (REPO / "README.md").read_text()
    table = readme[readme.index("## Layout"):]
    named = {re.split(r"[/ ]", cell)[0] for cell in re.findall(r"^\| `([^`]+)`", table, flags=re.M)}
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    top = {line.split("/")[0] for line in tracked.splitlines()} - IGNORED
    assert named - GENERATED == top
