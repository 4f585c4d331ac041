"""How supervisord runs one service: `python -m dataplatform.localstack.launch <spec.json>`.

`stack up` writes the spec (command line, environment, working folder) after preparing the service,
so the first start only replaces this process with the service's command. A restart after the
service died prepares it again first (the service's `prepare()`, e.g. Flume making the files a
killed agent left open visible), exactly as `stack up` would.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path


def write_private(path: Path, text: str) -> None:
    """Replace the file in one step (a reader never sees it half written, even with several writers),
    readable by its owner only: generated configuration and specs can hold passwords."""
    fd, staged = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    with os.fdopen(fd, "w") as out:
        out.write(text)
    os.replace(staged, path)


def write_spec(spec_file: Path, spec: dict) -> None:
    """Replace the spec in one step; the environment in it can hold passwords: the owner's only."""
    write_private(spec_file, json.dumps(spec))


def main(spec_path: str) -> None:
    spec_file = Path(spec_path)
    spec = json.loads(spec_file.read_text())
    if spec["prepared"]:  # `stack up` prepared this start; the next one (a restart) prepares itself
        write_spec(spec_file, spec | {"prepared": False})
    elif spec["prepare_restarts"]:
        print(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} restarted by supervisord: preparing", flush=True)
        os.environ.clear()
        os.environ.update(spec["env"])
        from dataplatform.localstack.stack import LocalStack

        LocalStack(root=Path(spec["root"])).service(spec["name"]).prepare()
    command = spec["command"]
    print(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} starting: {command[0]}", flush=True)
    os.chdir(spec["cwd"])
    os.execvpe(command[0], command, spec["env"])


if __name__ == "__main__":
    main(sys.argv[1])
