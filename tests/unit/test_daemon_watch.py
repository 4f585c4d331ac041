"""How the main job decides the daemon has caught up: every automated table built after the inputs it
follows were written, and the wanted clickstream partitions materialized since the start."""

from __future__ import annotations

import time

import dagster as dg

from dataplatform.daemon_watch import lag

DAYS = dg.DailyPartitionsDefinition(start_date="2025-01-01")


@dg.asset(key=["raw", "orders"], group_name="raw")
def orders():
    return None


@dg.asset(key=["curated", "events"], group_name="curated", partitions_def=DAYS)
def events():
    return None


@dg.asset(key=["warehouse", "fact"], group_name="warehouse", deps=[orders])
def fact():
    return None


@dg.asset(key=["marts", "funnel"], group_name="marts", deps=[events])
def funnel():
    return None


GRAPH = dg.Definitions(assets=[orders, events, fact, funnel]).resolve_asset_graph()


def _built(instance, key: list[str], partition: str | None = None) -> None:
    instance.report_runless_asset_event(dg.AssetMaterialization(key, partition=partition))
    time.sleep(0.01)  # distinct timestamps


def test_tables_never_built_are_behind():
    with dg.DagsterInstance.ephemeral() as instance:
        state = lag(instance, GRAPH, time.time(), {})
        assert state.behind == ["marts/funnel", "warehouse/fact"] and not state.caught_up
        assert (state.refreshed, state.automated) == (0, 2)


def test_a_change_upstream_puts_only_its_readers_behind_and_a_rebuild_catches_up():
    with dg.DagsterInstance.ephemeral() as instance:
        for key in (["raw", "orders"], ["warehouse", "fact"], ["marts", "funnel"]):
            _built(instance, key)
        since = time.time()
        assert lag(instance, GRAPH, since, {}).caught_up
        _built(instance, ["raw", "orders"])
        assert lag(instance, GRAPH, since, {}).behind == ["warehouse/fact"]
        _built(instance, ["warehouse", "fact"])
        state = lag(instance, GRAPH, since, {})
        # The mart of events read nothing that changed: current, though older than the start.
        assert state.caught_up and state.refreshed == 1


def test_wanted_partitions_count_only_when_materialized_after_the_start():
    with dg.DagsterInstance.ephemeral() as instance:
        _built(instance, ["curated", "events"], "2025-01-02")
        since = time.time()
        wanted = {dg.AssetKey(["curated", "events"]): {"2025-01-02", "2025-01-03"}}
        missing = lag(instance, GRAPH, since, wanted).partitions_missing
        assert missing == {"curated/events": ["2025-01-02", "2025-01-03"]}
        _built(instance, ["curated", "events"], "2025-01-03")
        assert lag(instance, GRAPH, since, wanted).partitions_missing == {"curated/events": ["2025-01-02"]}
