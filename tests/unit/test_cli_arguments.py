"""Values out of range and selections that select nothing are refused up front: exit status 2 and
one line naming the option, never a traceback and never hours of work."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dataplatform.cli import main


@pytest.mark.parametrize("argv,message", [
    (["generate", "shop", "--scale", "-1"], "argument --scale: must be greater than 0, got -1"),
    (["generate", "shop", "--scale", "nan"], "argument --scale: 'nan' is not a finite number"),
    (["generate", "changes", "--batches", "0"], "argument --batches: must be a whole number greater than 0"),
    (["generate", "changes", "--intensity", "1.5"], "argument --intensity: must be between 0 and 1"),
    (["generate", "clickstream", "--hosts", "two"], "argument --hosts: 'two' is not a whole number"),
    (["generate", "clickstream", "--bad-share", "-0.1"], "argument --bad-share: must be between 0 and 1"),
    (["clickstream", "play", "--rate", "0"], "argument --rate: must be greater than 0, got 0"),
    (["clickstream", "play", "--rotate-seconds", "-5"], "argument --rotate-seconds: must be greater than 0"),
    (["clickstream", "play", "--events", "0"], "argument --events: must be a whole number greater than 0"),
    (["demo", "--scale", "0"], "argument --scale: must be greater than 0"),
    (["query", "SELECT 1", "--limit", "-3"], "argument --limit: must be a whole number greater than 0"),
    (["stack", "logs", "hbase", "-n", "0"], "argument -n/--lines: must be a whole number greater than 0"),
])
def test_a_value_out_of_range_is_refused_before_any_work(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("selection,message", [
    ("no_such_asset", "AssetKey(s) ['no_such_asset'] were selected, but no AssetsDefinition"),
    ("group:nope", "selects no asset; groups: group:curated, group:marts"),
    ("group:raw or", "Invalid selection string"),
])
def test_a_selection_that_cannot_run_is_one_line_and_exit_2(selection, message, tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "dataplatform.cli", "materialize", "--select", selection],
                         capture_output=True, text=True, env=env, timeout=180)
    assert out.returncode == 2
    errors = [line for line in out.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith(f"error: --select {selection!r}: ") and message in errors[0]
    assert "Traceback" not in out.stderr and not list(tmp_path.glob("storage/*"))  # no run was started
