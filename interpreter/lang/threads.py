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
    `start`. RuntimeError if the thread cannot start (see `start_thread`)."""
    context = contextvars.copy_context()
    thread = threading.Thread(target=context.run, args=(target,), name=name, daemon=True)
    with _stack_size_lock:
        previous = threading.stack_size(WORKER_STACK_BYTES)
        try:
            start_thread(thread)
        finally:
            threading.stack_size(previous)
    return thread


# The threads starting a thread now, by ident, each with the exception an interrupt
# held back from it meanwhile. Until a new thread runs, Python files it under its
# starter's ident, so an exception raised in the starter then would be raised in the new
# thread too: it would die before it runs, and its starter wait for it for ever.
# Process-wide, as idents are: every Interrupt of the process holds back from these.
_starting: dict[int, type[BaseException] | None] = {}
_starting_lock = threading.Lock()


def start_thread(thread: threading.Thread) -> None:
    """Start `thread` (RuntimeError if the system has no thread to give). An interrupt
    of the calling thread meanwhile is raised as soon as `thread` has started, so no
    interrupt ever lands in a thread that is starting."""
    ident = threading.get_ident()
    outermost = False  # a start inside one (an interrupt made from it) holds back for it
    try:
        with _starting_lock:
            if ident not in _starting:
                outermost = True
                _starting[ident] = None
        thread.start()
    finally:
        with _starting_lock:
            held_back = _starting.pop(ident, None) if outermost else None
    if held_back is not None:
        raise held_back


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
        self._exception: type[BaseException] = KeyboardInterrupt  # what the last interrupt raises
        # counts the runs (times evaluation started with none running): an interrupt
        # repeats only into the run it was made for
        self._run = 0

    @contextmanager
    def evaluating(self) -> Iterator[None]:
        """The calling thread evaluates for the extent of the block: an interrupt reaches
        it. A thread that joins a run already interrupted (a parallel-map worker started
        just then) is interrupted at once."""
        ident = threading.get_ident()
        # registering is inside the `try`: an interrupt landing just after it must not
        # leave this thread's ident behind, where a later thread given the same ident
        # would be interrupted while it starts (and never finish starting)
        nested = True
        try:
            late: type[BaseException] | None = None
            with self._lock:
                if ident not in self._threads:  # else an evaluation inside one (load)
                    nested = False
                    if not self._threads:
                        self._run += 1
                        self.requested.clear()
                    elif self.requested.is_set():
                        late = self._exception
                    self._threads.add(ident)
            if late is not None:
                raise late
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
        it (the deadline raises meter.OutOfTime); with none running, nothing happens.
        The first raise is made here, at once; a thread repeats it."""
        with self._lock:
            if not self._threads:
                return
            self.requested.set()
            self._exception = exception
            run = self._run
        if self._raise_in_all(run, exception):
            repeater = threading.Thread(
                target=self._keep_interrupting, args=(run, exception), daemon=True
            )
            start_thread(repeater)

    def _keep_interrupting(self, run: int, exception: type[BaseException]) -> None:
        while True:
            time.sleep(REPEAT_SECONDS)
            if not self._raise_in_all(run, exception):
                return

    def _raise_in_all(self, run: int, exception: type[BaseException]) -> bool:
        """Raise `exception` in every thread still evaluating for `run`; False if none is."""
        with self._lock:
            # a thread that ended without leaving is no longer interrupted
            self._threads.intersection_update(t.ident for t in threading.enumerate())
            if self._run != run or not self._threads:
                return False
            for ident in self._threads:
                _raise_in(ident, exception)
            return True


class DeadlinePassed(BaseException):
    """Raised in a thread whose `Deadline` passed; each Deadline raises a class of its
    own, so a deadline inside another never catches the outer one's."""


class Deadline:
    """Raises `self.passed_error` in the thread that enters it once `seconds` have
    passed, unless that thread has left it first: a limit on one thread's work that stops
    it wherever it is, even waiting for a model's answer, as an interrupt does (and as
    one, it is not a language error: the program cannot catch it). `seconds` None: no
    deadline."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.passed_error: type[DeadlinePassed] = type("DeadlinePassed", (DeadlinePassed,), {})
        self.passed = False
        self._lock = threading.Lock()
        self._ident: int | None = None
        self._timer: threading.Timer | None = None

    def __enter__(self) -> Deadline:
        if self.seconds is not None:
            self._ident = threading.get_ident()
            self._timer = threading.Timer(max(self.seconds, 0.0), self._pass)
            self._timer.daemon = True
            self._timer.start()
        return self

    def _pass(self) -> None:
        with self._lock:
            if self._ident is not None:
                self.passed = True
                _raise_in(self._ident, self.passed_error)

    def __exit__(self, *exc: object) -> None:
        if self._timer is None:
            return
        self._timer.cancel()
        # the deadline may pass just as the block is left: one not yet raised is
        # cancelled, and one raised here is dropped (the work was done, or failed)
        while True:
            try:
                with self._lock:
                    self._ident = None
                    if self.passed:
                        _raise_in(threading.get_ident(), None)
                return
            except self.passed_error:
                pass


def _raise_in(ident: int, exception: type[BaseException] | None) -> None:
    """Raise `exception` in thread `ident` at its next bytecode (None: cancel one not yet
    raised); held back until it has started the thread it is starting, if it is."""
    import ctypes  # only an interrupt needs it, most runs never do (start-up)

    with _starting_lock:
        if ident in _starting:
            _starting[ident] = exception
            return
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(ident), ctypes.py_object(exception) if exception else None
        )
