"""The warehouse, marts and 360° table follow their inputs without a click: the code location's own
automation conditions, evaluated by Dagster against materializations reported to an instance."""

from __future__ import annotations

from collections.abc import Callable

import dagster as dg
import pytest

from dataplatform_assets import automation
from dataplatform_assets.clickstream.assets import EVENTS_KEY, REJECTS_KEY, SESSIONS_KEY
from dataplatform_assets.definitions import defs

RAW = [dg.AssetKey(["raw", "mysql", t]) for t in ("customers", "products", "orders", "order_items")]
DIMENSIONS = [dg.AssetKey(["warehouse", "dim_customer"]), dg.AssetKey(["warehouse", "dim_product"])]
FACTS = [dg.AssetKey(["warehouse", "fact_orders"]), dg.AssetKey(["warehouse", "fact_order_items"])]
MARTS = {name: dg.AssetKey(["marts", name])
         for name in ("daily_sales", "funnel_daily", "product_performance", "customer_segments")}
SERVING = [dg.AssetKey(["serving", "hbase", "customer_360"]), dg.AssetKey(["marts", "customer_360"])]
HOUR, DAY = "2025-06-09-10:00", "2025-06-09"


class Daemon:
    """Ticks of the automation sensor's conditions, and the runs that build what a tick requested:
    in-process runs into the same instance, of stand-ins with the real assets' keys and partitions."""

    def __init__(self, instance: dg.DagsterInstance):
        self.instance, self.cursor, self.graph = instance, None, defs.resolve_asset_graph()
        self.during: dict[dg.AssetKey, Callable[[], None]] = {}  # what happens while a run builds a key

    def tick(self) -> dict[dg.AssetKey, set[str | None]]:
        result = dg.evaluate_automation_conditions(defs=defs, instance=self.instance, cursor=self.cursor)
        self.cursor = result.cursor
        return {r.key: {p for p in r.true_subset.expensively_compute_partition_keys()} if r.true_subset.is_partitioned
                else {None} for r in result.results if r.true_subset.size}

    def done(self, *keys: dg.AssetKey, partition: str | None = None) -> None:
        """What others write (an import, a parsed hour), reported as it lands."""
        for key in keys:
            self.instance.report_runless_asset_event(dg.AssetMaterialization(key, partition=partition))

    def build(self, keys: list[dg.AssetKey], partition: str | None = None) -> bool:
        """One run building `keys` in order; whether it succeeded."""
        def stand_in(key: dg.AssetKey) -> dg.AssetsDefinition:
            node = self.graph.get(key)

            @dg.asset(key=key, deps=sorted(node.parent_keys & set(keys)), partitions_def=node.partitions_def)
            def _build() -> None:
                self.during.pop(key, lambda: None)()
            return _build

        result = dg.materialize([stand_in(key) for key in keys], instance=self.instance, partition_key=partition,
                                selection=keys, raise_on_error=False)
        return result.success

    def run(self, requested: dict[dg.AssetKey, set[str | None]]) -> dict[dg.AssetKey, set[str | None]]:
        """Build what a tick requested as the daemon's runs would (the unpartitioned tables in one run,
        a run per partition); the next tick's requests."""
        self.build([key for key, partitions in requested.items() if partitions == {None}])
        for key, partitions in requested.items():
            for partition in partitions - {None}:
                self.build([key], partition)
        return self.tick()


@pytest.fixture()
def daemon():
    with dg.DagsterInstance.ephemeral() as instance:
        daemon = Daemon(instance)
        assert daemon.tick() == {}  # a first evaluation requests nothing
        yield daemon


def test_an_import_rebuilds_the_warehouse_marts_and_360_table_in_one_tick(daemon):
    daemon.done(*RAW)
    requested = daemon.tick()
    # Tables that read each other are requested together (one run, in order); the funnel reads only
    # the sessions, which did not change.
    assert set(requested) == {*DIMENSIONS, *FACTS, *SERVING} | (set(MARTS.values()) - {MARTS["funnel_daily"]})
    assert daemon.run(requested) == {}  # handled: nothing again until an input changes


def test_tables_wait_for_the_whole_import_run_then_rebuild_once(daemon):
    """The customers land first in an import run of four tables: a tick before the run ends must not
    start the dimension that reads them alone (it would be built again once the orders land)."""
    mid_run = {}
    daemon.during[RAW[-1]] = lambda: mid_run.update(daemon.tick())
    assert daemon.build(RAW)
    assert mid_run == {}
    requested = daemon.tick()
    assert set(requested) == {*DIMENSIONS, *FACTS, *SERVING} | (set(MARTS.values()) - {MARTS["funnel_daily"]})
    assert daemon.run(requested) == {}


def test_whether_an_import_runs_is_read_once_per_tick_not_once_per_table(daemon, monkeypatch):
    calls = []
    real = automation.import_running
    monkeypatch.setattr(automation, "import_running", lambda instance: calls.append(instance) or real(instance))
    daemon.done(*RAW)
    requested = daemon.tick()
    assert len(requested) > 1 and len(calls) == 1
    daemon.tick()
    assert len(calls) == 2


def test_a_parsed_hour_rebuilds_what_reads_it_after_the_sessions_follow(daemon):
    daemon.done(*RAW)
    assert daemon.run(daemon.tick()) == {}
    daemon.done(EVENTS_KEY, partition=HOUR)
    requested = daemon.tick()
    # The sessions of the hour's days; of the tables, those reading the events alone. What reads the
    # sessions waits for them, so one parsed hour rebuilds it once.
    assert requested == {SESSIONS_KEY: {"2025-06-08", "2025-06-09", "2025-06-10"},
                         MARTS["product_performance"]: {None}}
    assert set(daemon.run(requested)) == {MARTS["funnel_daily"], *SERVING}


def test_nothing_is_built_on_a_missing_input(daemon):
    daemon.done(EVENTS_KEY, partition=HOUR)
    daemon.done(SESSIONS_KEY, partition=DAY)
    requested = daemon.tick()
    # What reads the warehouse (never built) waits for it; the funnel reads only the sessions.
    assert MARTS["funnel_daily"] in requested and not set(requested) & ({*MARTS.values(), *SERVING}
                                                                          - {MARTS["funnel_daily"]})
    daemon.done(RAW[1], RAW[2], RAW[3])  # the customers never imported
    requested = daemon.tick()
    assert DIMENSIONS[1] in requested and DIMENSIONS[0] not in requested
    assert not set(requested) & {MARTS["customer_segments"], *SERVING}


@pytest.mark.parametrize("tick_first", [True, False], ids=["tick-then-import", "import-then-tick"])
def test_an_import_that_lands_while_its_reader_builds_is_read_again(daemon, tick_first):
    daemon.done(*RAW)
    requested = daemon.tick()
    mid_run = []

    def import_lands() -> None:
        # The hourly import of customers lands while their dimension builds (maybe after it read
        # them), before or after the daemon's next tick, which sees the run in progress.
        if tick_first:
            mid_run.append(daemon.tick())
        daemon.done(RAW[0])
        if not tick_first:
            mid_run.append(daemon.tick())
    daemon.during[DIMENSIONS[0]] = import_lands
    again = daemon.run(requested)
    assert mid_run == [{}]  # nothing is requested while its rebuild runs
    # The dimension again and what reads it (in one run); not the products' dimension.
    assert DIMENSIONS[0] in again and DIMENSIONS[1] not in again and set(FACTS) <= set(again)
    assert daemon.run(again) == {}


def test_a_failed_rebuild_is_left_to_the_retry_sensor_not_requested_every_tick(daemon):
    daemon.done(*RAW)
    requested = daemon.tick()

    def outage() -> None:
        raise RuntimeError("HiveServer2 is down")
    daemon.during[DIMENSIONS[0]] = outage
    assert DIMENSIONS[0] not in daemon.run(requested)
    assert daemon.tick() == {}
    daemon.done(RAW[0])  # a new import is a new reason to try
    assert DIMENSIONS[0] in daemon.tick()


def test_every_derived_table_is_in_the_automation_sensors_target():
    graph = defs.resolve_asset_graph()
    sensor = defs.get_sensor_def("refresh_on_change")
    targeted = sensor.asset_selection.resolve(graph)
    assert {*DIMENSIONS, *FACTS, *MARTS.values(), *SERVING, SESSIONS_KEY} <= targeted
    assert all(graph.get(key).automation_condition is not None for key in targeted - {EVENTS_KEY, REJECTS_KEY})
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
