import subprocess
import sys

import pytest

from dataplatform.cli import build_parser

COMMANDS = [[], ["stack"], ["generate"], ["generate", "shop"], ["generate", "changes"],
            ["generate", "clickstream"], ["demo"], ["materialize"], ["query"]]


@pytest.mark.parametrize("words", COMMANDS, ids=lambda w: " ".join(w) or "top")
def test_every_command_has_help(words, capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([*words, "--help"])
    assert exit_info.value.code == 0
    assert "usage: dataplatform" in capsys.readouterr().out


def test_console_script_runs():
    out = subprocess.run([sys.executable, "-m", "dataplatform.cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "stack" in out.stdout and "generate" in out.stdout


def test_unknown_service_is_a_clear_error(capsys, monkeypatch, tmp_path):
    from dataplatform.cli import main
    monkeypatch.setenv("DATAPLATFORM_HOME", str(tmp_path))
    assert main(["stack", "logs", "nosuch"]) == 1
    assert "no service named 'nosuch'" in capsys.readouterr().err
