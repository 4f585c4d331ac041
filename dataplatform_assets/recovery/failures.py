"""Why a run failed, read from its event log: an outage that heals by waiting, or not."""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg

from resources.faults import is_transient

FAILURE_EVENTS = {dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.RUN_FAILURE}


@dataclass(frozen=True)
class RunFailure:
    transient: bool
    reason: str  # the first line of the error that decided it


def _errors(error) -> list[str]:
    """`Class: message` of an error and of each of its causes, outermost first."""
    parts = []
    while error is not None:
        parts.append(f"{error.cls_name}: {error.message.strip()}")
        error = error.cause or error.context
    return parts


def _reason(errors: list[str]) -> str:
    """The error our code met: the innermost one that is not Dagster's wrapper around it."""
    ours = [e for e in errors if not e.startswith("Dagster")] or errors or [""]
    return (ours[-1].splitlines() or [""])[0][:300]


def run_failure(instance: dg.DagsterInstance, run_id: str) -> RunFailure:
    """A step that raised `dg.Failure` failed on purpose (our code raises it for what waiting cannot
    mend: schema drift, a load that does not match its snapshot, hours that do not reconcile), as
    does a blocking check; any other step error is transient only when it reads like an outage. A
    run that failed with no step failure (its worker was killed) is transient."""
    events = [r.dagster_event for r in instance.all_logs(run_id, of_type=FAILURE_EVENTS) if r.dagster_event]
    step_failures = [e for e in events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    for event in step_failures:
        data = event.step_failure_data
        errors = _errors(data.error)
        text = "\n".join(errors)
        on_purpose = data.user_failure_data is not None or "DagsterAssetCheckFailedError" in text
        if on_purpose or not is_transient(text):
            return RunFailure(False, f"{event.step_key}: {_reason(errors)}")
    if step_failures:
        event = step_failures[0]
        return RunFailure(True, f"{event.step_key}: {_reason(_errors(event.step_failure_data.error))}")
    message = (events[-1].message if events else None) or "the run failed without a step failure"
    return RunFailure(True, message.strip().splitlines()[0][:300])
