"""Runaway recursion: how long a program recursing without end takes to be stopped by
`max_recursion_depth`, and how much memory it takes on the way.

    python benchmarks/bench_runaway.py [DEPTH ...]

Each line runs `(define (f n) (+ 1 (f n))) (f 0)` through the `taskscheme` command (a
fresh process) at one depth limit, the default 200,000 if none is given, and reports
the seconds until it ended with "recursion too deep" and the process's peak resident
memory. Beside it, a recursion just as deep that returns, for comparison: stopping a
runaway should cost about what the recursion itself costs.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time

RUNAWAY = "(define (f n) (+ 1 (f n))) (f 0)"
RETURNS = "(define (g n) (if (= n 0) 0 (+ 1 (g (- n 1))))) (g {depth})"


def measure(program: str, depth: int) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, last line of stderr) of one run in a fresh process."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "interpreter", "eval", "--max-recursion-depth", str(depth), program],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    lines = result.stderr.strip().splitlines()
    return seconds, peak_mb, lines[0] if lines else result.stdout.strip()


def main() -> None:
    depths = [int(arg) for arg in sys.argv[1:]] or [200_000]
    print(f"{'depth':>9} {'runaway':>9} {'peak':>8}   {'returns':>9}  (0.95 x depth)")
    for depth in depths:
        runaway, peak, message = measure(RUNAWAY, depth)
        assert "recursion too deep" in message, message
        returns, _, _ = measure(RETURNS.format(depth=depth * 95 // 100), depth)
        print(f"{depth:9,} {runaway:8.1f}s {peak:6.0f}MB   {returns:8.1f}s")


if __name__ == "__main__":
    main()
