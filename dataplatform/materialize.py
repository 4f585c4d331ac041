"""Materialize assets from the command line into the persistent Dagster instance (runs show in the UI)."""

from __future__ import annotations

import os
import shutil
import sys

from dataplatform.paths import STACK_CONF_DIR, dagster_home


def _selection_problem(defs, selection: str) -> str | None:
    """Why `selection` cannot run (malformed, unknown asset, selects nothing), or None."""
    import dagster as dg

    if selection == "*":
        return None
    graph = defs.resolve_asset_graph()
    try:
        chosen = dg.AssetSelection.from_string(selection).resolve(graph)
    except dg.DagsterError as exc:
        return str(exc).splitlines()[0][:300]
    if chosen:
        return None
    groups = sorted({graph.get(key).group_name for key in graph.get_all_asset_keys()} - {None})
    return "selects no asset; groups: " + ", ".join(f"group:{g}" for g in groups)


def materialize_selection(selection: str = "group:raw") -> int:
    home = dagster_home()
    os.environ["DAGSTER_HOME"] = str(home)
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(STACK_CONF_DIR / "dagster.yaml", home / "dagster.yaml")  # the project's, always current

    from dataplatform.settings import load_settings

    settings = load_settings()
    os.environ.update(settings.code_location_env())  # what the code location's resources read
    if settings.profile == "local" and "SPARK_CONF_DIR" not in os.environ:
        # The Spark import engine starts its session here: the stack's Spark conf, JDK and driver.
        from dataplatform.localstack.thriftserver import spark_env
        from dataplatform.paths import state_dir

        os.environ.update(spark_env(state_dir() / "conf" / "spark"))

    import dagster as dg

    from dataplatform_assets.definitions import defs

    problem = _selection_problem(defs, selection)
    if problem:
        print(f"error: --select {selection!r}: {problem}", file=sys.stderr)
        return 2
    assets = list(defs.assets or [])
    with dg.DagsterInstance.get() as instance:
        result = dg.materialize(assets, instance=instance, resources=defs.resources,
                                selection=None if selection == "*" else selection,
                                raise_on_error=False,
                                run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
                                tags={"launched_by": "dataplatform materialize"})
    materialized = [e.asset_key.to_user_string() for e in result.get_asset_materialization_events()]
    failed_checks = [e for e in result.get_asset_check_evaluations() if not e.passed]
    print(f"materialized {len(materialized)} assets: {', '.join(sorted(materialized))}")
    for check in failed_checks:
        print(f"check failed: {check.asset_key.to_user_string()} {check.check_name}")
    if not result.success:
        print(f"run {result.run_id} failed; see the run in the Dagster UI")
        return 1
    return 1 if failed_checks else 0
