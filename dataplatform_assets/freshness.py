"""How fresh the tables people rely on must be. The Dagster daemon evaluates these policies
(`freshness: enabled` in stack/conf/dagster.yaml) and the UI marks a table that is late: warned,
then failed. The windows follow what refreshes each layer: the hourly import schedule, Flume's
hourly buckets, and the automation that rebuilds the warehouse, marts and 360° table after their
inputs changed (automation.py)."""

from datetime import timedelta

import dagster as dg

# Imports run every hour at :05; one missed run warns, two fail.
IMPORTED = dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=2), warn_window=timedelta(minutes=75))
# The landing sensor parses an hour once Flume has closed its files (a few minutes past the hour).
PARSED = dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=2), warn_window=timedelta(minutes=75))
# Rebuilt after what they read changed (an import or a parsed hour), with time for the layers between.
DERIVED = dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=3), warn_window=timedelta(hours=2))

POLICIES = {"raw": IMPORTED, "curated": PARSED, "warehouse": DERIVED, "marts": DERIVED, "serving": DERIVED}


def with_freshness(spec: dg.AssetSpec) -> dg.AssetSpec:
    """The spec with its layer's policy (the quarantine has none: rejects may rightly stop)."""
    policy = POLICIES.get(spec.group_name or "")
    return dg.apply_freshness_policy(spec, policy) if policy else spec
