import argparse
import re
import subprocess
import sys

import pytest

from dataplatform.cli import build_parser


def _command_paths(parser: argparse.ArgumentParser, words: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command the parser knows, found by walking its subparsers: a new command is covered
    without editing this list."""
    paths = [words]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                paths += _command_paths(child, (*words, name))
    return paths


def _stack_actions() -> list[str]:
    stack = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices["stack"]
    return list(next(a for a in stack._actions if a.dest == "action").choices)


COMMANDS = _command_paths(build_parser()) + [("stack", action) for action in _stack_actions()]


def _readme_commands() -> set[tuple[str, ...]]:
    """The commands README.md's command table lists: each row's leading lower-case words."""
    from dataplatform.paths import REPO_ROOT

    readme = (REPO_ROOT / "README.md").read_text()
    table = readme.split("## The `dataplatform` command", 1)[1].split("\n## ", 1)[0]
    commands = set()
    for row in re.findall(r"^\| `([^`]+)`", table, flags=re.MULTILINE):
        words = []
        for word in row.split():
            if not re.fullmatch(r"[a-z][a-z-]*", word):
                break
            words.append(word)
        commands.add(tuple(words))
    return commands


def test_every_command_the_readme_documents_exists_and_is_walked():
    documented = _readme_commands()
    assert ("stack", "up") in documented and ("clickstream", "recover-landing") in documented
    assert documented <= set(COMMANDS), sorted(documented - set(COMMANDS))


@pytest.mark.parametrize("words", COMMANDS, ids=lambda w: " ".join(w) or "top")
def test_every_command_has_help(words, capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([*words, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: dataplatform" + "".join(f" {w}" for w in words if w not in _stack_actions()))


def test_console_script_runs():
    out = subprocess.run([sys.executable, "-m", "dataplatform.cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "stack" in out.stdout and "generate" in out.stdout


def test_unknown_service_is_a_clear_error(capsys, monkeypatch, tmp_path):
    from dataplatform.cli import main
    monkeypatch.setenv("DATAPLATFORM_HOME", str(tmp_path))
    assert main(["stack", "logs", "nosuch"]) == 1
    assert "no service named 'nosuch'" in capsys.readouterr().err
