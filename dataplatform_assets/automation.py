"""What refreshes itself, and when: one sensor evaluates every declarative automation condition.

The curated clickstream follows the landing sensor (sessions rebuild the days whose hours were
re-parsed: `clickstream/assets.py`). The warehouse, the marts and the 360° table are rebuilt once
something they read changed: an import (the hourly schedule), a dimension or fact, a parsed hour.
Tables that read each other are requested in the same tick and run in one run, in order. The
partitioned clickstream is different: a table waits until the hours (or days) it reads have
finished, so one parsed hour costs one rebuild, not one while it is parsed and one after.

Dagster's conditions see events: an input "newly updated" since the last tick. Between the tick that
requests a table and the next one (which resets the request) an update can land after the run read
the input, and be reset with it. So each table also compares state: an input written by another
run after the table's latest build started (`inputs_newer_than_build`) asks for a rebuild whatever
events were seen, unless that build failed (then it is the retry sensor's work).

An import run writes its tables one after the other: the tables wait until the whole run has ended,
so one import run (the hourly one, or a change batch's) costs one rebuild, not one per table.
"""

from __future__ import annotations

import weakref

import dagster as dg

from dataplatform_assets.clickstream.assets import EVENTS_KEY, REJECTS_KEY, SESSIONS_KEY
from dataplatform_assets.ingestion.assets import import_assets

AUTOMATION_SENSOR = "refresh_on_change"
AUTOMATED_GROUPS = ("warehouse", "marts", "serving")
CLICKSTREAM = dg.AssetSelection.assets(EVENTS_KEY, SESSIONS_KEY)
IMPORT_KEYS = frozenset(asset.key for asset in import_assets)
UNFINISHED = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
              dg.DagsterRunStatus.STARTED]


def watched_inputs(deps: set[dg.AssetKey]) -> frozenset[dg.AssetKey]:
    """What a table is rebuilt after. Of the clickstream, a table that reads the sessions follows them
    alone: sessions follow every parsed hour, so following the events too would rebuild it twice."""
    follows = SESSIONS_KEY if SESSIONS_KEY in deps else EVENTS_KEY
    return frozenset(dep for dep in deps if dep not in (EVENTS_KEY, SESSIONS_KEY) or dep == follows)


def latest_materialization(instance: dg.DagsterInstance, key: dg.AssetKey) -> dg.EventLogRecord | None:
    records = instance.fetch_materializations(key, limit=1).records  # of any partition
    return records[0] if records else None


def inputs_newer_than_build(instance: dg.DagsterInstance, key: dg.AssetKey,
                            inputs: frozenset[dg.AssetKey]) -> list[dg.AssetKey]:
    """The inputs written by another run after the latest build of `key` started (its run may have
    read them before): that build is out of date. Of a table never built, every input written."""
    build = latest_materialization(instance, key)
    started, build_run = float("-inf"), None
    if build is not None:
        started, build_run = build.timestamp, build.run_id or None  # a runless report has no run
        run = instance.get_run_record_by_id(build_run) if build_run else None
        if run is not None and run.start_time is not None:
            started = run.start_time
    newer = []
    for dep in sorted(inputs, key=lambda k: k.to_user_string()):
        written = latest_materialization(instance, dep)
        if written is not None and written.timestamp > started and (build_run is None or written.run_id != build_run):
            newer.append(dep)
    return newer


class InstanceCondition(dg.AutomationCondition):
    """A condition that reads the instance's state, true for every candidate or for none. Evaluated in
    the code location (the sensor's `use_user_code_server`)."""

    label: str
    text: str

    @property
    def name(self) -> str:
        return self.label

    @property
    def description(self) -> str:
        return self.text

    @property
    def requires_cursor(self) -> bool:
        return False

    def holds(self, context: dg.AutomationContext) -> bool:
        raise NotImplementedError

    def evaluate(self, context: dg.AutomationContext) -> dg.AutomationResult:
        held = self.holds(context)
        return dg.AutomationResult(context, context.candidate_subset if held else context.get_empty_subset())


class InputNewerThanBuild(InstanceCondition):
    """True for a table with an input written by another run after its latest build started."""

    label = "input_newer_than_build"
    text = "An input was written by another run after this table's latest build started"

    def __init__(self, inputs: frozenset[dg.AssetKey]):
        self.inputs = inputs

    def holds(self, context: dg.AutomationContext) -> bool:
        return bool(inputs_newer_than_build(context.asset_graph_view.instance, context.key, self.inputs))


def import_running(instance: dg.DagsterInstance) -> bool:
    """Whether a run that imports a shop table has not finished yet: the latest run planned to import
    one (a run plans its assets when it is created, in-process runs too)."""
    for key in IMPORT_KEYS:
        planned = instance.get_latest_planned_materialization_info(key)
        run = instance.get_run_by_id(planned.run_id) if planned is not None else None
        if run is not None and run.status in UNFINISHED:
            return True
    return False


# Each tick's answer, by the tick's view of the asset graph (one per tick); an entry goes with its view.
_IMPORT_RUNNING_BY_TICK: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class ImportRunning(InstanceCondition):
    """True for every table while an import run is unfinished. Asked once per tick, not once per
    table: eight storage reads for each table were half of the conditions' time (sampled with py-spy)."""

    label, text = "import_running", "A run importing shop tables has not finished"

    def holds(self, context: dg.AutomationContext) -> bool:
        view = context.asset_graph_view
        if view not in _IMPORT_RUNNING_BY_TICK:
            _IMPORT_RUNNING_BY_TICK[view] = import_running(view.instance)
        return _IMPORT_RUNNING_BY_TICK[view]


def refresh_on_change(deps: set[dg.AssetKey]) -> dg.AutomationCondition:
    """Rebuild once an input changed (an update seen, or an out-of-date build found), no input is
    missing or still running, no import run is unfinished, and no rebuild runs.

    An update is pending from the tick it is seen until the table is requested, so one that lands
    while the table builds is acted on after that run. Updates made by a run that also builds the
    table (a cascade: the dimensions, then the facts that read them) are not updates to act on."""
    watched = watched_inputs(deps)
    tables = dg.AutomationCondition.any_deps_updated().ignore(CLICKSTREAM)
    parsed = dg.AutomationCondition.any_deps_match(dg.AutomationCondition.newly_updated()).allow(
        dg.AssetSelection.assets(*(watched & {EVENTS_KEY, SESSIONS_KEY})))
    seen = (tables | parsed).since(dg.AutomationCondition.newly_requested()
                                   | dg.AutomationCondition.initial_evaluation())
    out_of_date = InputNewerThanBuild(watched) & ~dg.AutomationCondition.execution_failed()
    return (
        (seen.with_label("input_updated") | out_of_date.with_label("out_of_date"))
        # An hour with no data is a missing partition; the tables read whatever hours exist.
        & ~dg.AutomationCondition.any_deps_missing().ignore(CLICKSTREAM)
        & ~dg.AutomationCondition.any_deps_in_progress()
        & ~ImportRunning()
        & ~dg.AutomationCondition.in_progress()
    ).with_label("inputs_changed")


def with_automation(spec: dg.AssetSpec) -> dg.AssetSpec:
    """The spec with `refresh_on_change` if its layer is automated this way."""
    if spec.group_name not in AUTOMATED_GROUPS:
        return spec
    return spec.replace_attributes(automation_condition=refresh_on_change({dep.asset_key for dep in spec.deps}))


automation_sensor = dg.AutomationConditionSensorDefinition(
    AUTOMATION_SENSOR,
    target=(dg.AssetSelection.assets(EVENTS_KEY, REJECTS_KEY, SESSIONS_KEY)
            | dg.AssetSelection.groups(*AUTOMATED_GROUPS)),
    # Each layer waits for a tick after the one below it finished: 15 s halves that wait at every
    # layer from events to the 360° table, for a tick that evaluates conditions only.
    default_status=dg.DefaultSensorStatus.RUNNING, minimum_interval_seconds=15,
    use_user_code_server=True,  # InputNewerThanBuild is Python of ours
    description="Rebuilds the sessions of every day whose events were re-parsed, and the warehouse, marts "
                "and 360° table once what they read changed.")
