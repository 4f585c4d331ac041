"""The main job's progress: numbered steps, a live status line while it waits, a summary table.

On a terminal the status line redraws in place (rich); in a log (CI, a pipe) each new status is a
line of its own, printed only when it changes, so a log stays short and readable.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table


@dataclass
class Step:
    name: str  # short, for the summary
    seconds: float = 0.0
    outcome: str = ""


@dataclass
class Progress:
    total: int
    console: Console = field(default_factory=lambda: Console(highlight=False, soft_wrap=True))
    steps: list[Step] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    @contextmanager
    def step(self, name: str, detail: str = "") -> Iterator[Step]:
        """A numbered step: its header now (name and what it does), its time (and outcome, set by
        the caller) in the summary."""
        step = Step(name)
        self.steps.append(step)
        header = f"\n[bold]== {len(self.steps)}/{self.total} {name}[/bold]"
        self.console.print(header + (f": {detail}" if detail else ""))
        t0 = time.monotonic()
        try:
            yield step
        finally:
            step.seconds = time.monotonic() - t0

    @contextmanager
    def status(self, first: str) -> Iterator[callable]:
        """A status line for a wait; yields `update(text)`. Elapsed seconds are added to each text."""
        t0, last = time.monotonic(), [""]
        if self.console.is_terminal:
            with self.console.status(first) as live:
                yield lambda text: live.update(f"{text} · {time.monotonic() - t0:.0f}s")
            return

        def update(text: str) -> None:
            if text != last[0]:
                last[0] = text
                self.console.print(f"  … {text} · {time.monotonic() - t0:.0f}s")
        update(first)
        yield update

    def summary(self) -> Table:
        table = Table(title=f"main job: {time.monotonic() - self.started:.0f}s in all", title_justify="left")
        table.add_column("step")
        table.add_column("seconds", justify="right")
        table.add_column("outcome")
        for n, step in enumerate(self.steps, 1):
            table.add_row(f"{n}. {step.name}", f"{step.seconds:.0f}", step.outcome)
        return table
