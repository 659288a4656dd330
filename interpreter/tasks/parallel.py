"""`parallel-map`: a procedure over a list, on worker threads, results in input order.

Model calls spend their time waiting on the network, so running a task over many items
at once is the one place threads pay off. Each item is an ordinary call of the procedure
(a task call gets its own Handler as always; nothing is pooled), and workers inherit the
caller's working memory and task chain. On an error in 'first mode no new item starts,
the items already running finish, and the first error in input order is raised; in
'collect mode every item runs and a failed item's place holds its error object.
"""

from __future__ import annotations

import threading
from typing import Any

from interpreter.errors import SchemeError, TaskschemeError
from interpreter.lang.datums import Keyword, Symbol, list_to_python, python_to_list
from interpreter.lang.primitives.common import check_procedure
from interpreter.lang.raising import type_error
from interpreter.lang.runtime import apply_procedure, split_keywords
from interpreter.lang.threads import start_worker

WORKERS, ERRORS = Keyword("workers"), Keyword("errors")
FIRST, COLLECT = Symbol("first"), Symbol("collect")

# How often the waiting caller wakes up, so an interrupt delivered to its thread is seen.
_POLL_SECONDS = 0.1


class _Batch:
    """The shared state of one parallel-map: which item is next, results, failures."""

    def __init__(self, proc: Any, items: list[Any], collect: bool) -> None:
        self.proc = proc
        self.items = items
        self.collect = collect
        self.results: list[Any] = [None] * len(items)
        self.failures: dict[int, BaseException] = {}
        self.next = 0
        self.stopped = False
        self.finished_workers = 0
        self.changed = threading.Condition()

    def stop(self) -> None:
        with self.changed:
            self.stopped = True

    def _take(self) -> int | None:
        with self.changed:
            if self.stopped or self.next >= len(self.items):
                return None
            self.next += 1
            return self.next - 1

    def work(self) -> None:
        try:
            while (index := self._take()) is not None:
                try:
                    self.results[index] = apply_procedure(self.proc, [self.items[index]])
                except BaseException as error:
                    with self.changed:
                        self.failures[index] = error
                        if not (self.collect and isinstance(error, TaskschemeError)):
                            self.stopped = True
        finally:
            with self.changed:
                self.finished_workers += 1
                self.changed.notify_all()

    def run(self, workers: int) -> None:
        """Start the workers and wait for them. On an interrupt, start no new item and
        re-raise at once: items already running finish on their own and release their
        Handlers."""
        try:
            for number in range(workers):
                start_worker(self.work, f"taskscheme-parallel-{number + 1}")
            with self.changed:
                while self.finished_workers < workers:
                    self.changed.wait(_POLL_SECONDS)
        except BaseException:
            self.stop()
            raise

    def outcome(self) -> Any:
        for index in sorted(self.failures):
            error = self.failures[index]
            if not (self.collect and isinstance(error, TaskschemeError)):
                raise error
            self.results[index] = error.payload
        return python_to_list(self.results)


def parallel_map(default_workers: int, *args: Any) -> Any:
    """`(parallel-map proc items #:workers N #:errors 'first|'collect)`."""
    positional, options = split_keywords("parallel-map", list(args), [WORKERS, ERRORS])
    if len(positional) != 2:
        raise SchemeError(
            f"parallel-map: expects a procedure and a list, got {len(positional)} argument(s)"
        )
    proc = check_procedure("parallel-map", positional[0], 1)
    items = _items(positional[1])
    workers = options.get(WORKERS, default_workers)
    if type(workers) is not int or workers < 1:
        raise type_error("parallel-map", "a positive integer for #:workers", workers)
    mode = options.get(ERRORS, FIRST)
    if mode is not FIRST and mode is not COLLECT:
        raise type_error("parallel-map", "'first or 'collect for #:errors", mode)
    batch = _Batch(proc, items, collect=mode is COLLECT)
    batch.run(min(workers, len(items)))
    return batch.outcome()


def _items(value: Any) -> list[Any]:
    if type(value) in (list, tuple):
        return list(value)
    try:
        return list_to_python(value)
    except ValueError:
        raise type_error("parallel-map", "a list or vector of items", value, 2) from None
