"""Running a program on a thread with a deep stack, and passing Ctrl-C on to it.

Python's main thread has a small C stack, which deeply recursive programs overflow; a
worker thread gets a large one. Any front end that runs whole programs runs them here.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
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
