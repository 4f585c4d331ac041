"""Dagster resources: typed wrappers around the real clients (MySQL, the lake, HiveServer2, the clickstream landing)."""

from __future__ import annotations

from dataplatform.settings import Settings
from resources.clickstream import ClickstreamLandingResource
from resources.hive import HiveServer2Resource
from resources.lake import LakeResource
from resources.mysql import MySQLResource


def resources_for(settings: Settings) -> dict[str, object]:
    """The resources of one environment (`local` stack or `cluster`), keyed as assets ask for them."""
    return {
        "mysql": MySQLResource.from_settings(settings),
        "lake": LakeResource(root=settings.lake_root, webhdfs_url=settings.webhdfs_url),
        "hive": HiveServer2Resource(host=settings.hive_host, port=settings.hive_port,
                                    username=settings.hive_user,
                                    database_prefix=settings.hive_database_prefix),
        "clickstream": ClickstreamLandingResource(format=settings.clickstream_format),
    }
