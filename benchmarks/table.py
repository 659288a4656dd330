"""The table every benchmark row goes into: a figure, its baseline, their ratio."""

from __future__ import annotations

import resource
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

UNITS = {"s": 1.0, "ms": 1e3, "us": 1e6}


@dataclass
class Row:
    """One job timed in taskscheme and in its baseline, in seconds; or a note saying why
    the row has no figures on this machine."""

    name: str
    ours: float | None = None
    baseline_name: str = ""
    baseline: float | None = None
    goal: str = ""
    unit: str = "ms"
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.ours is None or not self.baseline:
            return None
        return self.ours / self.baseline


def best(
    action: Callable[[], object], repeats: int, clock: Callable[[], float] = time.process_time
) -> float:
    """The fastest of `repeats` runs, in seconds. CPU time by default: on a shared
    machine, wall-clock time mostly measures the neighbours (pass `time.perf_counter`
    where waiting is part of the job)."""
    times = []
    for _ in range(repeats):
        start = clock()
        action()
        times.append(clock() - start)
    return min(times)


def best_at_depths(action: Callable[[], object], depths: int = 12) -> float:
    """The fastest run of `action` started at each of `depths` Python stack depths.

    CPython 3.11 keeps frames in chunks and frees a chunk as soon as recursion returns
    below it, so a recursive program whose calls keep crossing a chunk's edge runs up to
    3x slower than the same program started a few frames deeper or shallower. Timing it
    at several depths shows its speed rather than where its stack happened to start."""

    def at(depth: int) -> float:
        return best(action, 1) if depth == 0 else at(depth - 1)

    return min(at(depth) for depth in range(0, depths * 3, 3))


def interleaved_best(
    commands: list[list[str]], runs: int, env: dict, cwd: str | None = None
) -> list[float]:
    """The least CPU time (user + system) of `runs` runs of each command, the commands
    taking turns; one warm-up run each writes byte-code caches. Start-up is all CPU work
    (the files are cached), so on a quiet machine this is its wall-clock time too."""
    for command in commands:
        subprocess.run(
            command, check=True, capture_output=True, env=env, stdin=subprocess.DEVNULL, cwd=cwd
        )
    fastest = [float("inf")] * len(commands)
    for _ in range(runs):
        for index, command in enumerate(commands):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(
                command, check=True, capture_output=True, env=env, stdin=subprocess.DEVNULL, cwd=cwd
            )
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            used = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            fastest[index] = min(fastest[index], used)
    return fastest


def _figure(seconds: float | None, unit: str) -> str:
    return "" if seconds is None else f"{seconds * UNITS[unit]:.1f} {unit}"


def print_table(rows: list[Row]) -> None:
    header = ("benchmark", "taskscheme", "baseline", "", "ratio", "goal")
    lines = [header]
    for row in rows:
        if row.note:
            lines.append((row.name, "-", f"skipped: {row.note}", "", "", row.goal))
            continue
        lines.append(
            (
                row.name,
                _figure(row.ours, row.unit),
                row.baseline_name,
                _figure(row.baseline, row.unit),
                f"{row.ratio:.2f}x",
                row.goal,
            )
        )
    widths = [max(len(line[i]) for line in lines if line[1] != "-" or i < 2) for i in range(6)]
    for line in lines:
        if line[1] == "-":
            print(f"{line[0]:<{widths[0]}}  {line[1]:>{widths[1]}}  {line[2]}")
            continue
        print(
            f"{line[0]:<{widths[0]}}  {line[1]:>{widths[1]}}  {line[2]:<{widths[2]}}  "
            f"{line[3]:>{widths[3]}}  {line[4]:>{widths[4]}}  {line[5]}"
        )
