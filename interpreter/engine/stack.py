"""Deep recursion: programs on a thread with a deep stack, Ctrl-C passed on to them,
and Python's recursion limit raised only while programs run.

Python's main thread has a small C stack, which deeply recursive programs overflow; a
worker thread gets a large one. Any front end that runs whole programs runs them here.
Python's recursion limit is one number for the whole process, so it is raised while
at least one evaluation is running and put back when the last one ends: creating an
Interpreter changes nothing in the process, and host code runs under its own limit.
"""

from __future__ import annotations

import ctypes
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from interpreter.lang.threads import start_worker


def run_with_deep_stack(action: Callable[[], Any]) -> Any:
    """Run `action` on a worker thread with a large stack, so deep recursion cannot
    overflow the C stack. Ctrl-C in the main thread is passed on to the worker, which
    unwinds (releasing its Handlers); a second Ctrl-C stops waiting for it."""
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def target() -> None:
        try:
            outcome["value"] = action()
        except BaseException as error:
            outcome["error"] = error
        finally:
            done.set()

    # Waiting on an Event, not Thread.join: an interrupted join can mark a thread that
    # is still running as stopped.
    worker = start_worker(target, "taskscheme-program")
    try:
        while not done.wait(0.1):
            pass
    except KeyboardInterrupt:
        _interrupt(worker)
        while not done.wait(0.1):
            pass
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def _interrupt(worker: threading.Thread) -> None:
    """Raise KeyboardInterrupt in `worker` at its next bytecode."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(worker.ident), ctypes.py_object(KeyboardInterrupt)
    )


class _RecursionLimit:
    """The evaluations running now, and the limit to put back when none is."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.saved = 0


_LIMIT = _RecursionLimit()


@contextmanager
def python_recursion_limit(depth: int) -> Iterator[None]:
    """Python's recursion limit is at least `depth` for the extent of the block."""
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
