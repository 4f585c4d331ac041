"""Wall time and peak memory of a child process tree, for the benchmarks."""

from __future__ import annotations

import os
import subprocess
import threading
import time

from dataplatform.paths import REPO_ROOT


def _tree_rss_kb(root: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                parts = fh.read().rsplit(")", 1)[1].split()
            ppid, pages = int(parts[1]), int(parts[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE") // 1024
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def measure(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run `cmd`; wall seconds, peak MB of its process tree, its stdout."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=REPO_ROOT)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.monotonic() - started
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[:3]} failed ({proc.returncode}): {err[-2000:]}")
    return seconds, peak / 1024, out


def keep_sections(previous: str, skipped: list[str]) -> list[str]:
    """The `## ` sections of an earlier report whose headings start with one of `skipped`: what a
    run that skips a part keeps from the last run that measured it."""
    kept, keeping = [], False
    for line in previous.splitlines():
        if line.startswith("## "):
            keeping = any(line[3:].startswith(prefix) for prefix in skipped)
        if keeping:
            kept.append(line)
    return kept


def publish_results(path, text: str) -> None:
    """Print a benchmark's report and write it to its results file under docs/benchmarks/."""
    print(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    print(f"written to {path.relative_to(REPO_ROOT)}")
