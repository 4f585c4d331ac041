"""Fixtures the unit tests share."""

import os

import pytest


@pytest.fixture()
def isolated_home(tmp_path, monkeypatch):
    """A state folder of the test's own and no DATAPLATFORM_* setting from the caller's shell."""
    monkeypatch.setenv("DATAPLATFORM_HOME", str(tmp_path / "state"))
    for name in list(os.environ):
        if name.startswith("DATAPLATFORM_") and name != "DATAPLATFORM_HOME":
            monkeypatch.delenv(name)
    return tmp_path / "state"
