"""A short soak (benchmarks/bench_soak.py runs the long one): task calls in one
Interpreter, and Interpreters made and dropped, leave nothing behind that piles up:
Handlers, conversation messages, working-memory frames, macros, source texts."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import bench_soak


def test_task_calls_in_one_interpreter_keep_nothing():
    # counted against what the rest of the process holds (other tests' objects)
    before = bench_soak.live_counts()
    seen = {}
    bench_soak.soak_task_calls(300, [50, 300], lambda done, counts: seen.update({done: counts}))
    assert seen[300] == seen[50]
    for kind in ("Handlers", "messages"):  # a finished task keeps neither
        assert seen[300][kind] == before[kind], kind


def test_interpreters_made_and_dropped_leave_nothing():
    before = bench_soak.live_counts()
    seen = {}
    bench_soak.soak_interpreters(40, [10, 40], lambda done, counts: seen.update({done: counts}))
    assert seen[40] == seen[10] == before
