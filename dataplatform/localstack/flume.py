"""The Flume agent `clickstream` (flume_conf/clickstream.properties): spool folder -> file channel -> HDFS."""

from __future__ import annotations

import shutil
from pathlib import Path

from dataplatform.localstack.jvm import java_command, java_env
from dataplatform.localstack.service import JavaService
from dataplatform.paths import REPO_ROOT, STACK_CONF_DIR
from dataplatform.settings import Settings

AGENT = "clickstream"
AGENT_CONF = REPO_ROOT / "flume_conf" / "clickstream.properties"
APPLICATION_CLASS = "org.apache.flume.node.Application"
STARTED_MARKERS = ("Component type: SOURCE, name: spool started",
                   "Component type: SINK, name: lake started",
                   "Component type: CHANNEL, name: durable started")


def spool_dir(state: Path) -> Path:
    """Where web servers (and `dataplatform clickstream play`) drop finished log files."""
    return state / "clickstream" / "spool"


def landing_uri(settings: Settings) -> str:
    from dataplatform_assets.clickstream.landing import LANDING_DIR

    return f"{settings.lake_root}/{LANDING_DIR}"


class FlumeAgent(JavaService):
    name = "flume"

    def __init__(self, settings: Settings, root: Path, hadoop_conf: Path, log_file: Path):
        super().__init__(settings, root, root / "conf")
        self.hadoop_conf, self.log_file = hadoop_conf, log_file

    @property
    def address(self) -> str:
        return str(spool_dir(self.root.parent))

    def prepare(self) -> None:
        from dataplatform_assets.clickstream.landing import LANDING_DIR, recover_open_files

        spool_dir(self.root.parent).mkdir(parents=True, exist_ok=True)
        # No agent runs now: files a killed one left open would otherwise stay hidden for good.
        lake = self.settings.lake()
        for path in recover_open_files(lake, LANDING_DIR):
            print(f"flume: recovered {path}, left open by an agent that was killed")
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(STACK_CONF_DIR / "flume-log4j2.properties", self.conf_dir / "log4j2.properties")

    def command(self) -> list[str]:
        return java_command(
            "flume", APPLICATION_CLASS, heap="256m", conf_dir=self.hadoop_conf,
            system_properties={
                "propertiesImplementation": "org.apache.flume.node.EnvVarResolverProperties",
                "log4j2.configurationFile": str(self.conf_dir / "log4j2.properties"),
                # Access-log times name their month (`10/Oct/2025`): Joda reads month names in the
                # JVM's locale, so an agent in another locale would fail on them and stop its source.
                "user.language": "en", "user.country": "US",
            },
            args=["-n", AGENT, "-f", str(AGENT_CONF), "--no-reload-conf"])

    def env(self) -> dict[str, str]:
        env = java_env()
        env["DATAPLATFORM_SPOOL_DIR"] = str(spool_dir(self.root.parent))
        env["DATAPLATFORM_FLUME_STATE_DIR"] = str(self.root)
        env["DATAPLATFORM_LANDING_URI"] = landing_uri(self.settings)
        return env

    def healthy(self) -> bool:
        """The agent's source, channel and sink all reported `started` since its latest start."""
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError:
            return False
        latest = text[text.rfind("=== "):]
        # A component that hit an uncaught error logs FATAL and stops while the JVM lives on.
        return all(marker in latest for marker in STARTED_MARKERS) and "FATAL" not in latest
