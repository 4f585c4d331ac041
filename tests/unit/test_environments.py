"""The code location's resources per environment: one mapping, values read when a run starts."""

# No `from __future__ import annotations`: Dagster reads the asset's resource annotation.
import importlib
import re

import dagster as dg
import pytest

from dataplatform.settings import load_settings
from dataplatform_assets.clickstream.landing import ClickstreamLandingResource
from dataplatform_assets.environments import ENVIRONMENTS, resources_for

pytestmark = pytest.mark.usefixtures("isolated_home")
RESOURCE_KEYS = {"mysql", "lake", "hive", "hive_hbase", "hbase", "clickstream", "sqoop", "spark", "import_engine"}


def env_var_names(resources: dict[str, object]) -> set[str]:
    """The environment variables the resources' fields are bound to."""
    return {str(value.env_var_name) for resource in resources.values() for value in dict(resource).values()
            if hasattr(value, "env_var_name")}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_each_environment_serves_every_resource_the_assets_ask_for(environment):
    from dataplatform_assets import definitions

    assert set(resources_for(environment)) == RESOURCE_KEYS
    dg.Definitions.validate_loadable(dg.Definitions(assets=definitions.defs.assets, sensors=definitions.defs.sensors,
                                                    resources=resources_for(environment)))


def test_an_unknown_environment_is_a_clear_error():
    with pytest.raises(ValueError, match="DATAPLATFORM_ENV must be one of local, cluster, got 'staging'"):
        resources_for("staging")


def test_loading_the_code_location_reads_no_setting_and_writes_no_file(isolated_home, monkeypatch):
    monkeypatch.setenv("DATAPLATFORM_ENV", "cluster")  # nothing else set: no address, no password
    from dataplatform_assets import definitions

    importlib.reload(definitions)
    assert set(definitions.defs.resources) == RESOURCE_KEYS
    assert not isolated_home.exists()


def test_the_cli_hands_the_code_location_every_variable_it_reads():
    given = load_settings("local").code_location_env()
    for environment in ENVIRONMENTS:
        assert env_var_names(resources_for(environment)) <= set(given), environment
    assert env_var_names(resources_for("local")) >= {"DATAPLATFORM_MYSQL_PASSWORD_FILE", "DATAPLATFORM_SQOOP_BIN",
                                                     "DATAPLATFORM_LAKE_ROOT"}


def _run_format() -> str:
    @dg.asset
    def landing_format(clickstream: ClickstreamLandingResource) -> str:
        return clickstream.format

    result = dg.materialize([landing_format], resources={"clickstream": resources_for("local")["clickstream"]})
    return result.output_for_node("landing_format")


def test_the_clickstream_format_is_read_from_the_environment_when_a_run_starts(monkeypatch):
    monkeypatch.setenv("DATAPLATFORM_CLICKSTREAM_FORMAT", "shop_json")
    assert _run_format() == "shop_json"
    monkeypatch.setenv("DATAPLATFORM_CLICKSTREAM_FORMAT", "upgrad")
    assert _run_format() == "upgrad"


def test_an_unknown_clickstream_format_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("DATAPLATFORM_CLICKSTREAM_FORMAT", "csv")
    with pytest.raises(dg.DagsterResourceFunctionError) as failed:
        _run_format()  # the run fails as it starts, naming the variable and the known formats
    assert re.search(r"unknown clickstream format 'csv'.*DATAPLATFORM_CLICKSTREAM_FORMAT.*known: shop_json, upgrad",
                     str(failed.value.__cause__))
