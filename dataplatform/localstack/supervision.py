"""The stack's services as programs of one supervisord (from PyPI): a service that dies is started
again on its own, its log is rotated, and `stack status` reads restarts and last exits from it.

supervisord's own rules apply: a service that exits while running is started again at once; a
start that ends within START_SECONDS counts as failed and is retried after 1, 2, 3... seconds, and
after START_RETRIES failed starts in a row the service is given up (FATAL) until the next
`stack up`. Health checks and start waves stay ours (stack.py): supervisord only runs processes.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import xmlrpc.client
from dataclasses import dataclass
from pathlib import Path

from dataplatform.localstack.launch import write_spec
from dataplatform.localstack.process import ServiceError, pid_alive
from dataplatform.paths import venv_script

START_SECONDS = 10
START_RETRIES = 5
STOP_SECONDS = 30
LOG_BYTES = "50MB"
LOG_BACKUPS = 3
ACTIVE = {"STARTING", "RUNNING", "BACKOFF"}  # supervisord is running it, or about to run it again
_EXIT_LINE = re.compile(r"^(\S+ \S+?),\d+ \w+ (exited|gave up): (\S+) (.*)$")


@dataclass(frozen=True)
class ProgramState:
    state: str  # supervisord's name for it: RUNNING, STARTING, BACKOFF, FATAL, EXITED, STOPPED...
    pid: int | None
    restarts: int  # unexpected exits since supervisord started, each followed by a restart
    last_exit: str | None  # e.g. "2026-12-02 12:31:05 terminated by SIGKILL; not expected"


class Supervisor:
    def __init__(self, root: Path, programs: list[str], log_file, start_seconds: int = START_SECONDS):
        self.root = root
        self.start_seconds = start_seconds
        self.programs = programs
        self.log_file = log_file  # name -> the service's log path
        self.config = root / "supervisor" / "supervisord.conf"
        self.socket = root / "run" / "supervisor.sock"
        self.log = root / "logs" / "supervisord.log"

    def spec_file(self, name: str) -> Path:
        return self.root / "run" / f"{name}.launch.json"

    # -- supervisord itself ---------------------------------------------------------------------

    def running(self) -> bool:
        if not self.socket.exists():
            return False
        try:
            self._rpc().supervisor.getState()
            return True
        except (OSError, xmlrpc.client.Error):
            return False

    def ensure_running(self) -> None:
        """Start supervisord when it is not running; apply a changed program list when it is."""
        text = self._render()
        changed = not self.config.exists() or self.config.read_text() != text
        self.config.parent.mkdir(parents=True, exist_ok=True)
        self.socket.parent.mkdir(parents=True, exist_ok=True)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        if changed:
            self.config.write_text(text)
        if self.running():
            if changed:
                self._reload()
            return
        result = subprocess.run([venv_script("supervisord"), "-c", str(self.config)], capture_output=True, text=True)
        if result.returncode != 0:
            raise ServiceError(f"supervisord did not start: {(result.stderr or result.stdout).strip()[-800:]}\n"
                               f"  log: {self.log}")
        deadline = time.monotonic() + 30
        while not self.running():
            if time.monotonic() > deadline:
                raise ServiceError(f"supervisord does not answer on {self.socket} after 30 s\n  log: {self.log}")
            time.sleep(0.2)

    def shutdown(self) -> None:
        if not self.running():
            return
        pid = self._rpc().supervisor.getPID()
        self._rpc().supervisor.shutdown()
        deadline = time.monotonic() + STOP_SECONDS
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)

    def _reload(self) -> None:
        added, changed, removed = self._rpc().supervisor.reloadConfig()[0]
        for name in changed + removed:
            self.stop(name)
            self._rpc().supervisor.removeProcessGroup(name)
        for name in changed + added:
            self._rpc().supervisor.addProcessGroup(name)

    def _rpc(self):
        from supervisor.xmlrpc import SupervisorTransport

        return xmlrpc.client.ServerProxy("http://localhost", transport=SupervisorTransport(
            None, None, f"unix://{self.socket}"))

    def _render(self) -> str:
        def value(path: Path | str) -> str:  # supervisord expands %(name)s in values
            return str(path).replace("%", "%%")

        lines = [
            "; Written by `dataplatform stack up` (dataplatform/localstack/supervision.py); do not edit.",
            "[unix_http_server]", f"file={value(self.socket)}", "chmod=0700", "",
            "[supervisord]", f"logfile={value(self.log)}", f"logfile_maxbytes={LOG_BYTES}",
            f"logfile_backups={LOG_BACKUPS}", f"pidfile={value(self.root / 'run' / 'supervisord.pid')}",
            f"childlogdir={value(self.log.parent)}", f"directory={value(self.root)}", "",
            "[rpcinterface:supervisor]",
            "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface", "",
            "[supervisorctl]", f"serverurl=unix://{value(self.socket)}", "",
        ]
        for name in self.programs:
            lines += [
                f"[program:{name}]",
                f"command={value(sys.executable)} -m dataplatform.localstack.launch {value(self.spec_file(name))}",
                "autostart=false", "autorestart=true",
                f"startsecs={self.start_seconds}", f"startretries={START_RETRIES}",
                "stopasgroup=true", "killasgroup=true", f"stopwaitsecs={STOP_SECONDS}",
                "redirect_stderr=true", f"stdout_logfile={value(self.log_file(name))}",
                f"stdout_logfile_maxbytes={LOG_BYTES}", f"stdout_logfile_backups={LOG_BACKUPS}", "",
            ]
        return "\n".join(lines)

    # -- programs -------------------------------------------------------------------------------

    def start(self, name: str, command: list[str], env: dict[str, str], cwd: Path, *,
              prepare_restarts: bool = True) -> None:
        """Start `name` with this command line and environment; its restarts reuse them, after the
        stack's `prepare()` of the service named `name` when `prepare_restarts`."""
        write_spec(self.spec_file(name), {"name": name, "command": command, "env": env, "cwd": str(cwd),
                                          "root": str(self.root), "prepared": True,
                                          "prepare_restarts": prepare_restarts})
        try:
            self._rpc().supervisor.startProcess(name, False)
        except xmlrpc.client.Fault as fault:
            if "ALREADY_STARTED" not in fault.faultString:
                raise ServiceError(f"{name}: supervisord cannot start it: {fault.faultString}") from None

    def stop(self, name: str) -> bool:
        """Stop `name` (SIGTERM to its process group, SIGKILL after STOP_SECONDS); False if it was not running."""
        if self.process(name)[0] not in ACTIVE:
            return False
        try:
            self._rpc().supervisor.stopProcess(name, True)
        except xmlrpc.client.Fault as fault:
            if "NOT_RUNNING" not in fault.faultString:
                raise
            return False
        return True

    def process(self, name: str) -> tuple[str, int | None]:
        """(supervisord's state of `name`, its pid while it runs)."""
        if not self.running():
            return "STOPPED", None
        try:
            info = self._rpc().supervisor.getProcessInfo(name)
        except xmlrpc.client.Fault:  # not (yet) a program of this supervisord
            return "STOPPED", None
        return info["statename"], info["pid"] or None

    def state(self, name: str) -> ProgramState:
        """The process, with its restarts and last exit read from supervisord's log."""
        return self.states([name])[name]

    def states(self, names: list[str]) -> dict[str, ProgramState]:
        """`state` of each of `names`, reading supervisord's log once."""
        exits = self._exits()
        return {name: ProgramState(*self.process(name), *exits.get(name, (0, None))) for name in names}

    def _exits(self) -> dict[str, tuple[int, str | None]]:
        """Per program: unexpected exits since supervisord started, and the last exit, from its log."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return {}
        text = text[text.rfind("supervisord started with pid"):]
        exits: dict[str, tuple[int, str | None]] = {}
        for line in text.splitlines():
            match = _EXIT_LINE.match(line)
            if match:
                detail = match.group(4).strip("()")
                restarts = exits.get(match.group(3), (0, None))[0]
                exits[match.group(3)] = (restarts + (match.group(2) == "exited" and "not expected" in detail),
                                         f"{match.group(1)} {detail}")
        return exits

