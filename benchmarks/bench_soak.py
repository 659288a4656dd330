"""Soak: many task calls in one process, and many Interpreters made and dropped.

    python benchmarks/bench_soak.py [--quick]

1. 10,000 task calls (1,000 with --quick) under a model that answers at once, in one
   Interpreter, each its own `eval` of new text, inside `with-context` (working memory)
   and a `syntax-rules` macro: RSS at 1k, 5k and 10k calls, and the objects still alive
   that a leak would pile up (Handlers, conversation messages, working-memory frames,
   macros, source texts).
2. 1,000 Interpreters (100 with --quick), each made, given the same program and one
   task call, and dropped: RSS and the same counts at each quarter.

Prints figures and asserts nothing; tests/test_soak.py runs a small version and asserts
that nothing piles up. A steady footprint is flat RSS after the warm-up and flat counts.
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from interpreter.engine.interpreter import Interpreter
from interpreter.lang.datums import NO_CONTEXT, Environment
from interpreter.lang.expand.syntax_rules import SyntaxRules
from interpreter.limits.handler import Handler
from interpreter.limits.messages import Message, ModelRequest, ModelResponse
from interpreter.limits.settings import load_settings
from interpreter.source import SourceName

PROGRAM = """
(define-syntax twice (syntax-rules () ((_ e) (begin e e))))
(define-task (classify ticket)
  #:context '(customer)
  "Label this ticket from {{customer}} as bug, billing or other: {{ticket}}")
"""

# What a leak would pile up, and the type whose live instances count it.
WATCHED = {
    "Handlers": Handler,
    "messages": Message,
    "context frames": Environment,  # those holding working-memory entries
    "macros": SyntaxRules,
    "source texts": SourceName,
    "Interpreters": Interpreter,
}


class ForgetfulModel:
    """Answers at once and keeps nothing (the offline test models keep every request, for
    tests to inspect, which a soak would count as growth)."""

    spec = "test:soak"

    def complete(self, request: ModelRequest) -> ModelResponse:
        return ModelResponse("billing")


# No configuration file is found from here.
NOWHERE = Path(tempfile.mkdtemp(prefix="taskscheme-soak-"))


def new_interpreter() -> Interpreter:
    settings = load_settings({}, cwd=NOWHERE, environ={}, home=NOWHERE)
    interp = Interpreter(settings, model=ForgetfulModel())
    interp.eval(PROGRAM)
    return interp


def task_call(interp: Interpreter, number: int) -> None:
    """One task call, in text of its own (so its source could be kept by mistake)."""
    answer = interp.eval(
        f'(with-context ((customer "customer {number}")) '
        f'(twice (classify "ticket {number}: charged twice")))'
    )
    assert answer == "billing"


def live_counts() -> dict[str, int]:
    """Live instances of each watched type, after a full collection (of environments,
    only the `with-context` frames)."""
    gc.collect()
    kinds = {kind: name for name, kind in WATCHED.items()}
    counts: Counter[str] = Counter()
    for obj in gc.get_objects():
        name = kinds.get(type(obj))
        if name is not None and (type(obj) is not Environment or obj.context is not NO_CONTEXT):
            counts[name] += 1
    return {name: counts[name] for name in WATCHED}


def rss_mb() -> float:
    """Resident set size now, in MB (Linux; elsewhere the peak)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource  # only where /proc is missing

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def soak_task_calls(count: int, marks: list[int], report) -> None:
    interp = new_interpreter()
    for number in range(count):
        task_call(interp, number)
        if number + 1 in marks:
            report(number + 1, live_counts())


def soak_interpreters(count: int, marks: list[int], report) -> None:
    for number in range(count):
        task_call(new_interpreter(), number)
        if number + 1 in marks:
            report(number + 1, live_counts())


def main() -> None:
    quick = "--quick" in sys.argv
    calls, interpreters = (1_000, 100) if quick else (10_000, 1_000)
    started = time.perf_counter()

    def report(done: int, counts: dict[str, int]) -> None:
        shown = ", ".join(f"{name} {count}" for name, count in counts.items())
        print(f"  {done:>6,}  RSS {rss_mb():7.1f} MB   live: {shown}")

    print(f"1. {calls:,} task calls in one Interpreter")
    task_call(new_interpreter(), -1)  # warm up: loads the tokenizer
    report(0, live_counts())
    soak_task_calls(calls, [calls // 10, calls // 2, calls], report)
    print(f"\n2. {interpreters:,} Interpreters made, used once and dropped")
    quarters = [interpreters * k // 4 for k in range(1, 5)]
    soak_interpreters(interpreters, quarters, report)
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
