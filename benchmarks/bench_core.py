"""Language core speed, each figure against a baseline measured in the same run.

    python benchmarks/bench_core.py [--quick]

- fib(25), tak(18,12,6) and a list workload (build, map, filter, sort 100k items):
  taskscheme time / CPython time for the same algorithm (goal: fib within 15x).
- reader throughput in MB/s, against Lark's own LALR parse of the same text with the
  same grammar building a plain parse tree (goal: ratio >= 1, i.e. no slower than Lark).
- start-up of `taskscheme eval '(+ 1 2)'` against `python -c pass` (goal: at most 2.5x).

Each timing is the best of several runs, because these machines are noisy.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

sys.setrecursionlimit(100_000)

from interpreter.engine.interpreter import Interpreter  # noqa: E402
from interpreter.lang.reader import _get_parser, read_all  # noqa: E402

SCHEME = """
(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))
(define (tak x y z) (if (not (< y x)) z (tak (tak (- x 1) y z) (tak (- y 1) z x) (tak (- z 1) x y))))
(define (build n) (let loop ((i n) (acc '())) (if (= i 0) acc (loop (- i 1) (cons (modulo (* i 7919) 100003) acc)))))
(define (list-workload n)
  (let* ((xs (build n))
         (ys (map (lambda (x) (* x 3)) xs))
         (zs (filter even? ys)))
    (length (sort zs <))))
"""

# fib for Norvig's lispy.py (run.py's second anchor), which has no `define (f x)` sugar.
LISPY_FIB = "(define fib (lambda (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2))))))"


def py_fib(n: int) -> int:
    return n if n < 2 else py_fib(n - 1) + py_fib(n - 2)


def py_tak(x: int, y: int, z: int) -> int:
    if not y < x:
        return z
    return py_tak(py_tak(x - 1, y, z), py_tak(y - 1, z, x), py_tak(z - 1, x, y))


def py_merge_sort(xs: list, less) -> list:
    if len(xs) < 2:
        return xs
    half = len(xs) // 2
    a, b = py_merge_sort(xs[:half], less), py_merge_sort(xs[half:], less)
    merged, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        if less(b[j], a[i]):
            merged.append(b[j])
            j += 1
        else:
            merged.append(a[i])
            i += 1
    merged.extend(a[i:])
    merged.extend(b[j:])
    return merged


def py_list_workload(n: int) -> int:
    xs = []
    for i in range(1, n + 1):
        xs.append((i * 7919) % 100003)
    ys = [x * 3 for x in xs]
    zs = [y for y in ys if y % 2 == 0]
    return len(py_merge_sort(zs, lambda a, b: a < b))


def best(action, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def reader_text(target_bytes: int) -> str:
    unit = (
        Path(__file__)
        .resolve()
        .parent.parent.joinpath("stdlib", "lists.scm")
        .read_text(encoding="utf-8")
    )
    return unit * max(1, target_bytes // len(unit))


def bare_lark_parser():
    """Lark's own LALR parser for the reader's grammar, building a plain parse tree."""
    from lark import Lark  # only the reader rows need Lark itself

    grammar = (
        Path(__file__)
        .resolve()
        .parent.parent.joinpath("interpreter", "lang", "grammar.lark")
        .read_text(encoding="utf-8")
    )
    return Lark(grammar, parser="lalr", lexer="basic")


def startup_ratio(repeats: int) -> tuple[float, float]:
    """Both commands as a user runs them: byte-code caches written (one warm-up run)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def run(cmd: list[str]) -> float:
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        return best(lambda: subprocess.run(cmd, check=True, capture_output=True, env=env), repeats)

    bare = run([sys.executable, "-c", "pass"])
    ours = run([sys.executable, "-m", "interpreter", "eval", "(+ 1 2)"])
    return ours, bare


def main() -> None:
    quick = "--quick" in sys.argv
    repeats = 2 if quick else 5
    interp = Interpreter()
    interp.eval_scheme(SCHEME)
    rows = []

    def compare(name: str, scheme: str, python, goal: str) -> None:
        ours = best(lambda: interp.eval_scheme(scheme), repeats)
        theirs = best(python, repeats)
        rows.append(
            (
                name,
                f"{ours * 1000:9.1f} ms",
                f"{theirs * 1000:9.1f} ms",
                f"{ours / theirs:6.1f}x",
                goal,
            )
        )

    compare("fib(25)", "(fib 25)", lambda: py_fib(25), "<= 15x")
    compare("tak(18,12,6)", "(tak 18 12 6)", lambda: py_tak(18, 12, 6), "")
    n = 20_000 if quick else 100_000
    compare(
        f"list workload ({n // 1000}k)", f"(list-workload {n})", lambda: py_list_workload(n), ""
    )

    print(f"{'benchmark':<22}{'taskscheme':>14}{'CPython':>14}{'ratio':>9}  goal")
    for row in rows:
        print(f"{row[0]:<22}{row[1]:>14}{row[2]:>14}{row[3]:>9}  {row[4]}")

    text = reader_text(200_000 if quick else 1_000_000)
    megabytes = len(text.encode("utf-8")) / 1e6
    ours = best(lambda: read_all(text, "<bench>"), repeats)
    bare_lark = bare_lark_parser()
    _get_parser()
    lark_only = best(lambda: bare_lark.parse(text), repeats)
    print(
        f"\nreader: {megabytes / ours:.2f} MB/s building datums with spans; "
        f"Lark LALR parse tree of the same text: {megabytes / lark_only:.2f} MB/s "
        f"(ours / Lark throughput: {lark_only / ours:.2f}, goal >= 1.0)"
    )

    ours_start, bare_start = startup_ratio(5 if quick else 15)
    print(
        f"start-up: taskscheme eval '(+ 1 2)' {ours_start * 1000:.0f} ms, python -c pass "
        f"{bare_start * 1000:.0f} ms, ratio {ours_start / bare_start:.2f}x (goal <= 2.5x)"
    )


if __name__ == "__main__":
    main()
