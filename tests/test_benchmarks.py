"""benchmarks/run.py prints every row of the table, with figures or a note saying why not."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RATIO = re.compile(r"\s\d+\.\d\dx(\s|$)")

ROWS = (
    "fib(25)",
    "tak(18,12,6)",
    "list workload",
    "sort ",
    "lispy.py: fib(25)",
    "read ",
    "long string",
    "long symbol",
    "start-up: taskscheme eval",
    "start-up: taskscheme repl",
    "Handler turn",
    "task call",
    "parallel-map",
    "10 macro-using programs",
    "memory lookup",
)


def test_quick_run_prints_every_row_with_a_ratio_or_a_note():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    lines = result.stdout.splitlines()
    assert lines[0].startswith("machine: ") and "cores" in lines[0] and "Python" in lines[0]
    for name in ROWS:
        [line] = [line for line in lines if line.startswith(name)]
        assert "skipped: " in line or RATIO.search(line), line
