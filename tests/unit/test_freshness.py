"""Every table people rely on has a freshness policy the daemon evaluates; sources have none."""

import shutil
from pathlib import Path

import dagster as dg

from dataplatform_assets.definitions import defs
from dataplatform_assets.freshness import DERIVED, IMPORTED, PARSED

GRAPH = defs.resolve_asset_graph()
STACK_DAGSTER_YAML = Path(__file__).resolve().parents[2] / "stack" / "conf" / "dagster.yaml"


def policy(key: str):
    return GRAPH.get(dg.AssetKey(key.split("/"))).freshness_policy


def test_each_layer_has_its_policy():
    assert policy("raw/mysql/orders") == IMPORTED
    assert policy("curated/clickstream_events") == PARSED and policy("curated/sessions") == PARSED
    for key in ("warehouse/dim_customer", "warehouse/fact_orders", "marts/daily_sales", "marts/customer_360",
                "serving/hbase/customer_360"):
        assert policy(key) == DERIVED, key


def test_sources_and_the_quarantine_have_none():
    for key in ("mysql/shop/orders", "raw/clickstream", "quarantine/clickstream_rejects"):
        assert policy(key) is None, key


def test_every_materialized_table_outside_the_quarantine_has_one():
    for key in GRAPH.get_all_asset_keys():
        node = GRAPH.get(key)
        if node.is_materializable and node.group_name != "quarantine":
            assert node.freshness_policy is not None, key.to_user_string()


def test_the_stack_instance_runs_the_freshness_daemon(tmp_path):
    shutil.copy(STACK_DAGSTER_YAML, tmp_path / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert instance.freshness_enabled
