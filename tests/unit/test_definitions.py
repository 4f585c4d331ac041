import os
import subprocess
import sys

import dagster as dg

from dataplatform_assets.definitions import defs

EXPECTED_ASSETS = {
    ("raw", "mysql", "customers"), ("raw", "mysql", "products"),
    ("raw", "mysql", "orders"), ("raw", "mysql", "order_items"),
    ("mysql", "shop", "customers"), ("mysql", "shop", "products"),
    ("mysql", "shop", "orders"), ("mysql", "shop", "order_items"),
    ("raw", "clickstream"), ("curated", "clickstream_events"), ("quarantine", "clickstream_rejects"),
    ("curated", "sessions"), ("warehouse", "dim_customer"), ("warehouse", "dim_product"),
    ("warehouse", "fact_orders"), ("warehouse", "fact_order_items"),
    ("marts", "daily_sales"), ("marts", "funnel_daily"), ("marts", "product_performance"),
    ("marts", "customer_segments"), ("marts", "customer_360"), ("serving", "hbase", "customer_360"),
}


def test_definitions_load_and_validate():
    dg.Definitions.validate_loadable(defs)


def test_asset_keys_are_pinned():
    graph = defs.resolve_asset_graph()
    assert {tuple(k.path) for k in graph.get_all_asset_keys()} == EXPECTED_ASSETS


def test_every_import_asset_has_a_group_kinds_description_and_a_check():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        if key.path[:2] != ["raw", "mysql"]:
            continue
        node = graph.get(key)
        assert node.group_name == "raw"
        assert dg.AssetKey(["mysql", "shop", key.path[-1]]) in node.parent_keys  # lineage starts at the source
        assert {"mysql", "parquet", "hive"} <= set(node.kinds)
        assert node.description and "raw.mysql_" in node.description
        assert graph.get_check_keys_for_assets([key]), key


def test_resources_are_typed_and_carry_no_password_literal():
    resources = defs.resources
    assert set(resources) == {"mysql", "lake", "hive", "hive_hbase", "hbase", "clickstream", "sqoop", "spark",
                              "import_engine"}
    assert resources["mysql"].password is None
    assert resources["mysql"].password_file == dg.EnvVar("DATAPLATFORM_MYSQL_PASSWORD_FILE")


def test_workspace_yaml_validates_with_the_dagster_cli():
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    dagster = Path(sys.executable).parent / "dagster"
    out = subprocess.run([str(dagster), "definitions", "validate", "-w", "workspace.yaml"], cwd=repo,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "All code locations passed validation" in out.stdout + out.stderr


def test_clickstream_assets_are_hourly_like_flume_and_sessions_follow_them():
    graph = defs.resolve_asset_graph()
    events = graph.get(dg.AssetKey(["curated", "clickstream_events"]))
    assert events.group_name == "curated" and events.partitions_def.get_partition_keys()[0] == "2025-01-01-00:00"
    assert dg.AssetKey(["raw", "clickstream"]) in events.parent_keys
    assert graph.get_check_keys_for_assets([events.key])
    sessions = graph.get(dg.AssetKey(["curated", "sessions"]))
    assert events.key in sessions.parent_keys and sessions.automation_condition is not None


def test_sensors_are_running_by_default():
    sensors = {s.name: s for s in defs.sensors}
    assert set(sensors) == {"clickstream_landing_sensor", "refresh_on_change", "failed_run_retry_sensor"}
    assert all(s.default_status == dg.DefaultSensorStatus.RUNNING for s in sensors.values())


def test_groups_are_stages_and_every_asset_has_an_owner():
    graph = defs.resolve_asset_graph()
    groups = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        groups.setdefault(node.group_name, set()).add(key.to_user_string())
        assert node.owners, key
    assert groups == {
        "source": {f"mysql/shop/{t}" for t in ("customers", "products", "orders", "order_items")},
        "raw": {f"raw/mysql/{t}" for t in ("customers", "products", "orders", "order_items")} | {"raw/clickstream"},
        "curated": {"curated/clickstream_events", "curated/sessions"},
        "quarantine": {"quarantine/clickstream_rejects"},
        "warehouse": {"warehouse/dim_customer", "warehouse/dim_product", "warehouse/fact_orders",
                      "warehouse/fact_order_items"},
        "marts": {f"marts/{m}" for m in ("daily_sales", "funnel_daily", "product_performance", "customer_segments")},
        "serving": {"serving/hbase/customer_360", "marts/customer_360"},
    }


def _first_partitions(start: str | None) -> subprocess.CompletedProcess:
    """The first hourly and daily partition keys of the code loaded with DATAPLATFORM_CLICKSTREAM_START."""
    env = {k: v for k, v in os.environ.items() if k != "DATAPLATFORM_CLICKSTREAM_START"}
    if start is not None:
        env["DATAPLATFORM_CLICKSTREAM_START"] = start
    code = ("from dataplatform_assets.clickstream.partitions import HOURLY, DAILY\n"
            "print(HOURLY.get_first_partition_key(), DAILY.get_first_partition_key())")
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)


def test_the_clickstream_partitions_start_on_the_configured_first_day_of_logs():
    assert _first_partitions(None).stdout.split() == ["2025-01-01-00:00", "2025-01-01"]
    assert _first_partitions("2026-11-30").stdout.split() == ["2026-11-30-00:00", "2026-11-30"]
    for wrong in ("2026-02-30", "30.11.2026", ""):
        out = _first_partitions(wrong)
        assert out.returncode != 0 and "the first day of web logs must be a date, YYYY-MM-DD" in out.stderr, wrong
