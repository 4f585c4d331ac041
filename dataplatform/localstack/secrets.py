"""The local stack's passwords (and the access-log format's visitor salt): generated once, when the
stack first starts, into private files."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from dataplatform.settings import local_secret_file

LOCAL_SECRETS = ("mysql_root", "mysql_metastore", "mysql_dataplatform", "visitor_salt")


def ensure_local_secret(name: str) -> Path:
    """The file holding the local stack's password `name`, generated if missing (mode 0600)."""
    path = local_secret_file(name)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(24))
    return path


def ensure_local_secrets() -> None:
    for name in LOCAL_SECRETS:
        ensure_local_secret(name)
