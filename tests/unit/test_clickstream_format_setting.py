"""`DATAPLATFORM_CLICKSTREAM_FORMAT` picks the landing's line format where the resources are built."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dataplatform.settings import load_settings
from resources import resources_for
from resources.clickstream import ClickstreamLandingResource

pytestmark = pytest.mark.usefixtures("isolated_home")


def test_the_clickstream_format_defaults_to_our_web_servers_json():
    landing = resources_for(load_settings("local"))["clickstream"]
    assert isinstance(landing, ClickstreamLandingResource) and landing.format == "shop_json"


@pytest.mark.parametrize("profile", ["local", "cluster"])
def test_the_clickstream_format_is_read_from_the_environment(monkeypatch, tmp_path, profile):
    monkeypatch.setenv("DATAPLATFORM_CLICKSTREAM_FORMAT", "upgrad")
    if profile == "cluster":  # every address from the environment, as on a cluster
        password = tmp_path / "mysql.password"
        password.write_text("secret\n")
        for name, value in {"MYSQL_HOST": "db", "MYSQL_USER": "u", "MYSQL_PASSWORD_FILE": str(password),
                            "HIVE_HOST": "hive", "HDFS_HOST": "nn", "WEBHDFS_URL": "http://nn:9870",
                            "HBASE_THRIFT_HOST": "hb", "LAKE_ROOT": "hdfs://nn:8020/lake"}.items():
            monkeypatch.setenv(f"DATAPLATFORM_{name}", value)
    landing = resources_for(load_settings(profile))["clickstream"]
    assert isinstance(landing, ClickstreamLandingResource)
    assert landing.format == "upgrad"


def test_an_unknown_clickstream_format_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("DATAPLATFORM_CLICKSTREAM_FORMAT", "csv")
    with pytest.raises(ValidationError, match=r"unknown clickstream format 'csv'.*DATAPLATFORM_CLICKSTREAM_FORMAT"
                                        r".*known: shop_json, upgrad"):
        resources_for(load_settings("local"))
