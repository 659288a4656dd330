"""List and string procedures of the standard library against their Python equivalents.

    python benchmarks/bench_lists.py [--quick]

Each line is the best of several runs: taskscheme's time, Python's time for the same job,
and their ratio. Goal: sorting 100,000 integers with `<` within 10x of Python's `sorted`
with a key function; the procedures whose Python equivalent is a builtin within the
same order of magnitude, growing linearly.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import cmp_to_key

from table import best

from interpreter.engine.interpreter import Interpreter

SETUP = """
(define (build n) (let loop ((i n) (acc '()))
  (if (= i 0) acc (loop (- i 1) (cons (modulo (* i 7919) 100003) acc)))))
(define xs (build {n}))
(define strings (map number->string xs))
"""


def main() -> None:
    quick = "--quick" in sys.argv
    n, runs = (20_000, 2) if quick else (100_000, 5)
    interpreter = Interpreter()
    interpreter.eval_scheme(SETUP.format(n=n))
    data = [(i * 7919) % 100003 for i in range(n, 0, -1)]
    strings = [str(x) for x in data]
    cases: list[tuple[str, str, Callable[[], object]]] = [
        ("sort <", "(sort xs <)", lambda: sorted(data, key=lambda x: x)),
        (
            "sort (lambda (a b) (< a b))",
            "(sort xs (lambda (a b) (< a b)))",
            lambda: sorted(data, key=cmp_to_key(lambda a, b: -1 if a < b else 0)),
        ),
        ("sort string<?", "(sort strings string<?)", lambda: sorted(strings, key=lambda s: s)),
        ("delete-duplicates", "(delete-duplicates xs)", lambda: list(dict.fromkeys(data))),
        ("string-repeat", f'(string-repeat "ab" {n})', lambda: "ab" * n),
        ("flatten", "(flatten (list xs (list xs)))", lambda: [*data, *data]),
        ("iota", f"(iota {n})", lambda: list(range(n))),
    ]
    print(f"{'procedure':30} {'taskscheme':>11} {'python':>9} {'ratio':>7}  (n = {n:,})")
    for name, program, python in cases:
        ours = best(
            lambda program=program: interpreter.eval_scheme(program), runs, time.perf_counter
        )
        theirs = best(python, runs, time.perf_counter)
        print(f"{name:30} {ours * 1000:9.1f}ms {theirs * 1000:7.1f}ms {ours / theirs:6.1f}x")


if __name__ == "__main__":
    main()
