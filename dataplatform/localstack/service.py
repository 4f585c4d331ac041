"""What every service of the local stack shares; each module fills in command and health check."""

from __future__ import annotations

import os
from pathlib import Path

from dataplatform.localstack.jvm import java_env
from dataplatform.settings import Settings


class Service:
    """A long-running process of the stack. Subclasses set `name` and implement `address`,
    `command()` and `healthy()`; `prepare()` runs before each start, `after_start()` once healthy."""

    name: str

    def __init__(self, settings: Settings, root: Path, conf_dir: Path):
        self.settings = settings
        self.root = root  # the service's data folder under the state folder
        self.conf_dir = conf_dir

    @property
    def address(self) -> str:
        raise NotImplementedError

    def prepare(self) -> None:
        pass

    def command(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        return dict(os.environ)

    def healthy(self) -> bool:
        raise NotImplementedError

    def after_start(self) -> None:
        pass


class JavaService(Service):
    """A JVM service: runs on a supported JDK."""

    def env(self) -> dict[str, str]:
        return java_env()
