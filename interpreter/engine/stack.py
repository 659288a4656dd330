"""Deep recursion and interrupts: programs on a thread with a deep stack, interrupts
(Ctrl-C, `Interpreter.interrupt()`) delivered to every thread evaluating them, and
Python's recursion limit raised only while programs run.

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
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from interpreter.lang.threads import start_worker

# An interrupted program still running this long after is interrupted again (its
# dynamic-wind after-thunk may loop); one still running after ABANDON_SECONDS (blocked
# in a system call, which no interrupt reaches) is no longer waited for by the CLI.
REPEAT_SECONDS = 1.0
ABANDON_SECONDS = 5.0


class Interrupt:
    """Stops the evaluations of one Interpreter, from any thread, as Ctrl-C does.

    Every thread that evaluates registers itself (`evaluating`); `interrupt()` raises
    KeyboardInterrupt in each of them, and again every REPEAT_SECONDS while any is still
    running, so one request stops even a program whose after-thunks loop, and the
    Handlers of its tasks are released as interrupted on the way out. `requested` is set
    from the interrupt until the next evaluation starts: code of the run that waits
    (for a parallel-map's workers, a model's answer) can watch it to stop waiting.
    """

    def __init__(self) -> None:
        self.requested = threading.Event()
        self._lock = threading.Lock()
        self._threads: set[int] = set()
        # counts the runs (times evaluation started with none running): an interrupt
        # repeats only into the run it was made for
        self._run = 0

    @contextmanager
    def evaluating(self) -> Iterator[None]:
        """The calling thread evaluates for the extent of the block: an interrupt reaches it."""
        ident = threading.get_ident()
        with self._lock:
            if ident in self._threads:  # an evaluation inside one (load, a callback)
                nested = True
            else:
                nested = False
                if not self._threads:
                    self._run += 1
                    self.requested.clear()
                self._threads.add(ident)
        if nested:
            yield
            return
        try:
            yield
        finally:
            self._leave(ident)

    def _leave(self, ident: int) -> None:
        # an interrupt delivered just now may land here rather than in the program:
        # leaving is retried, and one not yet raised is cancelled
        while True:
            try:
                with self._lock:
                    self._threads.discard(ident)
                    _raise_in(ident, None)
                return
            except KeyboardInterrupt:
                pass

    def interrupt(self) -> None:
        """Stop every evaluation running now, as Ctrl-C does; with none, nothing happens."""
        with self._lock:
            if not self._threads:
                return
            self.requested.set()
            run = self._run
        threading.Thread(target=self._keep_interrupting, args=(run,), daemon=True).start()

    def _keep_interrupting(self, run: int) -> None:
        while True:
            with self._lock:
                if self._run != run or not self._threads:
                    return
                for ident in self._threads:
                    _raise_in(ident, KeyboardInterrupt)
            time.sleep(REPEAT_SECONDS)


def run_with_deep_stack(action: Callable[[], Any], interrupt: Callable[[], None]) -> Any:
    """Run `action` on a worker thread with a large stack, so deep recursion cannot
    overflow the C stack. Ctrl-C in the main thread calls `interrupt`, and the program
    unwinds (releasing its Handlers); a second Ctrl-C, or ABANDON_SECONDS without the
    program stopping, stops waiting for it."""
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
    start_worker(target, "taskscheme-program")
    try:
        while not done.wait(0.1):
            pass
    except KeyboardInterrupt:
        interrupt()
        deadline = time.monotonic() + ABANDON_SECONDS
        while not done.wait(0.1):
            if time.monotonic() > deadline:
                raise KeyboardInterrupt from None
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def _raise_in(ident: int, exception: type[BaseException] | None) -> None:
    """Raise `exception` in thread `ident` at its next bytecode (None: cancel one not yet
    raised)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(ident), ctypes.py_object(exception) if exception else None
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
