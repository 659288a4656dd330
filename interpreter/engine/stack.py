"""Deep recursion and Ctrl-C: programs on a thread with a deep stack, Ctrl-C handed to
the run's interrupt (`lang/threads.Interrupt`, which reaches every thread evaluating the
program), and Python's recursion limit raised only while programs run.

Python's main thread has a small C stack, which deeply recursive programs overflow; a
worker thread gets a large one. Any front end that runs whole programs runs them here.
Python's recursion limit is one number for the whole process, so it is raised while
at least one evaluation is running and put back when the last one ends: creating an
Interpreter changes nothing in the process, and host code runs under its own limit.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from interpreter.errors import Terminated
from interpreter.lang.threads import Outcome, start_worker

# Python frames one nested call of a program takes, measured: 1 for a plain recursive
# call such as `(+ 1 (f (- n 1)))`, whose whole body compiles to one Python function
# (lang/analyze/codegen.py), so `max_recursion_depth` nested calls of that kind fit and
# a few more do not. A larger body, or a call made through `let`, `map`, `apply` or
# `dynamic-wind`, takes more frames (2 to 9), so fewer of those fit.
PYTHON_FRAMES_PER_CALL = 1
# Frames the evaluator takes between its caller and the program's first call.
_EVALUATOR_FRAMES = 100

# A program still running this long after an interrupt (blocked in a system call,
# which no interrupt reaches) is no longer waited for by the CLI.
ABANDON_SECONDS = 5.0


def run_with_deep_stack(action: Callable[[], Any], interrupt: Callable[[], None]) -> Any:
    """Run `action` on a worker thread with a large stack, so deep recursion cannot
    overflow the C stack. Ctrl-C in the main thread calls `interrupt`, and the program
    unwinds (releasing its Handlers); a second Ctrl-C, or ABANDON_SECONDS without the
    program stopping, stops waiting for it. A terminating signal (errors.Terminated)
    stops the program the same way and is raised again once it has stopped."""
    outcome = Outcome(action)
    start_worker(outcome, "taskscheme-program")
    try:
        while not outcome.done.wait(0.1):
            pass
    except (KeyboardInterrupt, Terminated) as stop:
        interrupt()
        deadline = time.monotonic() + ABANDON_SECONDS
        while not outcome.done.wait(0.1):
            if time.monotonic() > deadline:
                raise
        if isinstance(stop, Terminated):
            raise
    return outcome.result()


class _RecursionLimit:
    """The evaluations running now, and the limit to put back when none is."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.saved = 0


_LIMIT = _RecursionLimit()


def _frames_on_this_thread() -> int:
    frame, count = sys._getframe(), 0
    while frame is not None:
        frame, count = frame.f_back, count + 1
    return count


@contextmanager
def python_recursion_limit(calls: int) -> Iterator[None]:
    """For the extent of the block, Python's recursion limit lets the program nest
    `calls` calls below the frames already on this thread's stack: the limit counts
    from the bottom of the stack, and an embedder may call from deep in its own code."""
    depth = _frames_on_this_thread() + _EVALUATOR_FRAMES + calls * PYTHON_FRAMES_PER_CALL
    with _LIMIT.lock:
        if _LIMIT.running == 0:
            _LIMIT.saved = sys.getrecursionlimit()
        _LIMIT.running += 1
        if sys.getrecursionlimit() < depth:
            sys.setrecursionlimit(depth)
    try:
        yield
    finally:
        with _LIMIT.lock:
            _LIMIT.running -= 1
            if _LIMIT.running == 0:
                sys.setrecursionlimit(_LIMIT.saved)
