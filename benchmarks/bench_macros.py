"""Memory over many macro-using programs, against the same programs with no macros.

    python benchmarks/bench_macros.py [--quick]

Two scenarios, 1,000 different programs each (250 with --quick):
- one Interpreter evaluates every program in turn (each redefines the same names, so a
  program's code can be freed once the next one replaces it);
- a fresh Interpreter per program, dropped once it has run.
Each program defines `syntax-rules` macros (recursive ones, ones introducing temporaries
and a loop) and uses them dozens of times. The baseline is the same programs with every
macro use written out by hand as its expansion: the same work, with no macro in it.

For each run: RSS after a warm-up and after each quarter of the programs, the growth per
1,000 programs, the wall time, and the symbols still alive at the end: generated ones
(renamed by macro expansions, or made by derived forms) and the interned table.
Each run is a fresh child process, so no run's memory colours another's.
"""

from __future__ import annotations

import gc
import json
import random
import resource
import subprocess
import sys
import time

from interpreter.engine.interpreter import Interpreter
from interpreter.lang.datums import Symbol, is_interned

WARM_UP = 50

MACROS = """
(define-syntax swap!
  (syntax-rules () ((_ a b) (let ((tmp a)) (set! a b) (set! b tmp)))))
(define-syntax my-or
  (syntax-rules ()
    ((_) #f)
    ((_ e) e)
    ((_ e r ...) (let ((t e)) (if t t (my-or r ...))))))
(define-syntax my-let*
  (syntax-rules ()
    ((_ () body ...) (let () body ...))
    ((_ ((x v) rest ...) body ...) (let ((x v)) (my-let* (rest ...) body ...)))))
(define-syntax while
  (syntax-rules ()
    ((_ test body ...) (let loop () (when test body ... (loop))))))
(define-syntax inc!
  (syntax-rules () ((_ v) (set! v (+ v 1))) ((_ v n) (set! v (+ v n)))))
"""

VARIABLES = ("a", "b", "c")


def _swap(rng: random.Random, macros: bool) -> str:
    x, y = rng.sample(VARIABLES, 2)
    if macros:
        return f"(swap! {x} {y})"
    return f"(let ((tmp {x})) (set! {x} {y}) (set! {y} tmp))"


def _or(rng: random.Random, macros: bool) -> str:
    tests = [f"(> {rng.choice(VARIABLES)} {rng.randint(0, 99)})" for _ in range(rng.randint(2, 4))]
    tests.append(str(rng.randint(0, 9)))
    if macros:
        chosen = f"(my-or {' '.join(tests)})"
    else:
        chosen = tests[-1]
        for test in reversed(tests[:-1]):
            chosen = f"(let ((t {test})) (if t t {chosen}))"
    return f"(set! acc (+ acc (if (number? {chosen}) 1 2)))"


def _let_star(rng: random.Random, macros: bool) -> str:
    names = [f"v{k}" for k in range(rng.randint(2, 4))]
    bindings, previous = [], rng.choice(VARIABLES)
    for name in names:
        bindings.append(f"({name} (+ {previous} {rng.randint(1, 9)}))")
        previous = name
    body = f"(set! acc (+ acc {previous}))"
    if macros:
        return f"(my-let* ({' '.join(bindings)}) {body})"
    return f"(let* ({' '.join(bindings)}) {body})"


def _inc(rng: random.Random, macros: bool) -> str:
    variable, step = rng.choice(VARIABLES), rng.randint(1, 5)
    return f"(inc! {variable} {step})" if macros else f"(set! {variable} (+ {variable} {step}))"


STATEMENTS = (_swap, _or, _let_star, _inc)


def program(index: int, macros: bool) -> str:
    """Program `index`: its own statements and constants, the same global names."""
    rng = random.Random(index)
    statements = " ".join(rng.choice(STATEMENTS)(rng, macros) for _ in range(24))
    bound = rng.randint(5, 15)
    if macros:
        body = f"(while (< i {bound}) {statements} (inc! i))"
    else:
        body = f"(let loop () (when (< i {bound}) {statements} (set! i (+ i 1)) (loop)))"
    work = f"(define (work a b c) (let ((acc 0) (i 0)) {body} acc))"
    calls = f"(work {rng.randint(0, 50)} {rng.randint(0, 50)} {rng.randint(0, 50)})"
    return (MACROS if macros else "") + work + calls


def rss_kb() -> int:
    """Resident set size now (Linux); elsewhere the peak, which is all `resource` knows."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def symbol_counts() -> tuple[int, int]:
    """(live symbols that are not interned, interned symbols)."""
    symbols = [obj for obj in gc.get_objects() if isinstance(obj, Symbol)]
    generated = sum(1 for symbol in symbols if not is_interned(symbol))
    return generated, len(symbols) - generated


def child(scenario: str, macros: bool, count: int) -> dict:
    """One run in this process: the figures as a dict."""
    shared = Interpreter() if scenario == "one" else None

    def run(index: int) -> None:
        interpreter = shared or Interpreter()
        interpreter.eval_scheme(program(index, macros))

    for index in range(WARM_UP):
        run(-1 - index)
    gc.collect()
    marks = [rss_kb()]
    start = time.perf_counter()
    quarter = count // 4
    for index in range(count):
        run(index)
        if (index + 1) % quarter == 0:
            gc.collect()
            marks.append(rss_kb())
    seconds = time.perf_counter() - start
    generated, interned = symbol_counts()
    return {"rss": marks, "seconds": seconds, "generated": generated, "interned": interned}


def main() -> None:
    count = 250 if "--quick" in sys.argv else 1000
    print(f"{count} programs per run; RSS in MB after a warm-up of {WARM_UP} and each quarter")
    header = f"{'run':<34}" + "".join(f"{mark:>8}" for mark in ("warm", *_quarters(count)))
    print(header + f"{'growth/1k':>11}{'time':>8}{'gen. sym':>10}{'interned':>10}")
    for scenario, label in (("one", "one Interpreter"), ("fresh", "fresh Interpreter each")):
        for macros in (True, False):
            kind = "macros" if macros else "baseline"
            result = subprocess.run(
                [sys.executable, __file__, "--child", scenario, kind, str(count)],
                check=True,
                capture_output=True,
                text=True,
            )
            figures = json.loads(result.stdout)
            marks = [kb / 1024 for kb in figures["rss"]]
            growth = (marks[-1] - marks[0]) * 1000 / count
            print(
                f"{label + ', ' + kind:<34}"
                + "".join(f"{mb:8.1f}" for mb in marks)
                + f"{growth:9.1f} MB{figures['seconds']:7.1f}s"
                + f"{figures['generated']:10}{figures['interned']:10}"
            )


def _quarters(count: int) -> list[int]:
    return [count * k // 4 for k in range(1, 5)]


if __name__ == "__main__":
    if "--child" in sys.argv:
        at = sys.argv.index("--child")
        scenario, kind, count = sys.argv[at + 1 : at + 4]
        print(json.dumps(child(scenario, kind == "macros", int(count))))
    else:
        main()
