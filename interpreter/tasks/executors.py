"""Executors: what runs the items of a `parallel-map`.

An executor gets a `MapJob` and returns the results in input order. The job carries
the procedure itself, for an executor in this process, and its global name, for one
that rebuilds the program elsewhere from its source (a process pool or a cluster), so
items are describable without pickling closures. `ThreadExecutor` is the default:
model calls spend their time waiting on the network, so threads pay off, and workers
run in a copy of the caller's context (its working memory and task chain).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Protocol

from interpreter.errors import TaskschemeError
from interpreter.lang.runtime import apply_procedure
from interpreter.lang.threads import start_worker


@dataclass(frozen=True, slots=True)
class MapJob:
    """One `parallel-map`: call `procedure` (globally named `name`, if it is) on each of
    `items` with up to `workers` at once. With `collect`, every item runs and a failed
    item's place holds its error object; otherwise no new item starts after an error."""

    procedure: Any
    name: str | None
    items: tuple[Any, ...]
    workers: int
    collect: bool


class Executor(Protocol):
    def run(self, job: MapJob) -> list[Any]:
        """The results in input order; in the first-error mode, raise the first error in
        input order once the items already running have finished."""
        ...


class ThreadExecutor:
    """Items on worker threads of this process."""

    def run(self, job: MapJob) -> list[Any]:
        batch = _Batch(job.procedure, list(job.items), job.collect)
        batch.run(min(job.workers, len(job.items)))
        return batch.outcome()


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
        return self.results
