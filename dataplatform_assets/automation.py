"""What refreshes itself, and when: one sensor evaluates every declarative automation condition.

The curated clickstream follows the landing sensor (sessions rebuild the days whose hours were
re-parsed: `clickstream/assets.py`). The warehouse, the marts and the 360° table are rebuilt once
something they read changed: an import (the hourly schedule), a dimension or fact, a parsed hour.
Tables that read each other are requested in the same tick and run in one run, in order. The
partitioned clickstream is different: a table waits until the hours (or days) it reads have
finished, so one parsed hour costs one rebuild, not one while it is parsed and one after.
"""

import dagster as dg

from dataplatform_assets.clickstream.assets import EVENTS_KEY, REJECTS_KEY, SESSIONS_KEY

AUTOMATION_SENSOR = "refresh_on_change"
AUTOMATED_GROUPS = ("warehouse", "marts", "serving")
CLICKSTREAM = dg.AssetSelection.assets(EVENTS_KEY, SESSIONS_KEY)


def refresh_on_change(deps: set[dg.AssetKey]) -> dg.AutomationCondition:
    """Rebuild once an input changed, no input is missing or still running, and no rebuild runs.

    Of the clickstream, a table that reads the sessions follows them alone: sessions follow every
    parsed hour, so following the events too would rebuild it twice."""
    updated = dg.AutomationCondition.newly_updated()
    tables = dg.AutomationCondition.any_deps_match(updated | dg.AutomationCondition.will_be_requested())
    follows = SESSIONS_KEY if SESSIONS_KEY in deps else EVENTS_KEY
    parsed = dg.AutomationCondition.any_deps_match(updated).allow(dg.AssetSelection.assets(follows))
    return (
        (tables.ignore(CLICKSTREAM) | parsed).since_last_handled()
        # An hour with no data is a missing partition; the tables read whatever hours exist.
        & ~dg.AutomationCondition.any_deps_missing().ignore(CLICKSTREAM)
        & ~dg.AutomationCondition.any_deps_in_progress()
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
    default_status=dg.DefaultSensorStatus.RUNNING, minimum_interval_seconds=30,
    description="Rebuilds the sessions of every day whose events were re-parsed, and the warehouse, marts "
                "and 360° table once what they read changed.")
