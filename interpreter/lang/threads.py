"""Threads that run program code: each continues its starter's computation, and stops
with it when it is interrupted.

A worker started on behalf of a program (a parallel map, the command line's program
thread) runs in a copy of its starter's context, so everything a run keeps in context
variables (working memory, the chain of running tasks, ...) follows it, and with a
stack large enough for deeply recursive programs. Every thread evaluating a run's
program registers with the run's `Interrupt`, so one interrupt (Ctrl-C,
`Interpreter.interrupt()`) reaches all of them.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from interpreter.lang.meter import OutOfTime

WORKER_STACK_BYTES = 256 * 1024 * 1024

_stack_size_lock = threading.Lock()


class Outcome:
    """Runs a callable, typically as another thread's target, and keeps what it returned
    or raised for the thread that waits on `done` (an Event, not Thread.join: an
    interrupted join can mark a thread that is still running as stopped)."""

    def __init__(self, action: Callable[[], Any]) -> None:
        self.action = action
        self.done = threading.Event()
        self._value: Any = None
        self._error: BaseException | None = None

    def __call__(self) -> None:
        try:
            self._value = self.action()
        except BaseException as error:
            self._error = error
        finally:
            self.done.set()

    def result(self) -> Any:
        """What the action returned, or raise what it raised (it has finished)."""
        if self._error is not None:
            raise self._error
        return self._value


def start_worker(target: Callable[[], None], name: str) -> threading.Thread:
    """Start a daemon thread running `target` in a copy of the caller's context, with a
    large stack. The stack size is process-wide in Python, so it is set only around
    `start`."""
    context = contextvars.copy_context()
    thread = threading.Thread(target=context.run, args=(target,), name=name, daemon=True)
    with _stack_size_lock:
        previous = threading.stack_size(WORKER_STACK_BYTES)
        try:
            thread.start()
        finally:
            threading.stack_size(previous)
    return thread


# An interrupted program still running this long after is interrupted again (its
# dynamic-wind after-thunk may loop).
REPEAT_SECONDS = 1.0


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
        # registering is inside the `try`: an interrupt landing just after it must not
        # leave this thread's ident behind, where a later thread given the same ident
        # would be interrupted while it starts (and never finish starting)
        nested = True
        try:
            with self._lock:
                if ident not in self._threads:  # else an evaluation inside one (load)
                    nested = False
                    if not self._threads:
                        self._run += 1
                        self.requested.clear()
                    self._threads.add(ident)
            yield
        finally:
            if not nested:
                self._leave(ident)

    def _leave(self, ident: int) -> None:
        # an interrupt delivered just now may land here rather than in the program:
        # leaving is retried, and one not yet raised is cancelled
        while True:
            try:
                with self._lock:
                    self._threads.discard(ident)
                    if self.requested.is_set():  # raises are made only after it is set
                        _raise_in(ident, None)
                return
            except (KeyboardInterrupt, OutOfTime):
                pass

    def interrupt(self, exception: type[BaseException] = KeyboardInterrupt) -> None:
        """Stop every evaluation running now, as Ctrl-C does, by raising `exception` in
        it (the deadline raises meter.OutOfTime); with none running, nothing happens."""
        with self._lock:
            if not self._threads:
                return
            self.requested.set()
            run = self._run
        threading.Thread(target=self._keep_interrupting, args=(run, exception), daemon=True).start()

    def _keep_interrupting(self, run: int, exception: type[BaseException]) -> None:
        while True:
            with self._lock:
                # a thread that ended without leaving is no longer interrupted
                self._threads.intersection_update(t.ident for t in threading.enumerate())
                if self._run != run or not self._threads:
                    return
                for ident in self._threads:
                    _raise_in(ident, exception)
            time.sleep(REPEAT_SECONDS)


def _raise_in(ident: int, exception: type[BaseException] | None) -> None:
    """Raise `exception` in thread `ident` at its next bytecode (None: cancel one not yet
    raised)."""
    import ctypes  # only an interrupt needs it, most runs never do (start-up)

    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(ident), ctypes.py_object(exception) if exception else None
    )
