"""Executors: what runs the items of a `parallel-map`.

An executor gets a `MapJob` and returns the results in input order. The job carries
the procedure itself, for an executor in this process, and its global name, for one
that rebuilds the program elsewhere from its source (a process pool or a cluster), so
items are describable without pickling closures. `ThreadExecutor` is the default:
model calls spend their time waiting on the network, so threads pay off, and workers
run in a copy of the caller's context (its working memory and task chain) and are
interrupted with the run.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from interpreter.errors import ExecutorError, TaskschemeError
from interpreter.lang.printer import write_abbreviated
from interpreter.lang.runtime import apply_procedure
from interpreter.lang.threads import Interrupt, start_worker
from interpreter.limits.events import Event, EventBus, EventKind
from interpreter.limits.metrics import MapMetrics

_map_ids = itertools.count(1)


class ItemProgress:
    """Publishes a parallel-map's "item-started" and "item-finished" events, so a
    display can show its progress. Every executor reports each item through it, from
    wherever it learns of the item (a worker thread; the driver, for a remote worker)."""

    def __init__(self, events: EventBus | None, items: int) -> None:
        self.events = events
        self.map_id = next(_map_ids)
        self._lock = threading.Lock()
        self._counts = {"items": items, "started": 0, "finished": 0, "failed": 0}

    def started(self, index: int) -> None:
        self._publish("item-started", index, "started", {})

    def finished(self, index: int, error: BaseException | None = None) -> None:
        """Item `index` ended, with `error` if it failed."""
        if error is not None:
            self._count("failed")
        self._publish(
            "item-finished", index, "finished", {"outcome": "ok" if error is None else "error"}
        )

    def _count(self, name: str) -> None:
        with self._lock:
            self._counts[name] += 1

    def _publish(self, kind: EventKind, index: int, counted: str, detail: dict[str, Any]) -> None:
        if self.events is None or not self.events.active:
            return
        with self._lock:
            self._counts[counted] += 1
            metrics = MapMetrics(**self._counts)
        detail = {"map": self.map_id, "item": index, "items": metrics.items, **detail}
        self.events.publish(Event(kind, None, None, metrics, detail))


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
    progress: ItemProgress | None = None


class Executor(Protocol):
    def run(self, job: MapJob) -> list[Any]:
        """The results in input order; in the first-error mode, raise the first error in
        input order once the items already running have finished. Each item is reported
        to `job.progress` (when there is one) as it starts and finishes."""
        ...


class ThreadExecutor:
    """Items on worker threads of this process. The workers evaluate under the run's
    `interrupts`, so interrupting the run stops every item running and releases its
    Handlers as interrupted."""

    def __init__(self, interrupts: Interrupt) -> None:
        self.interrupts = interrupts

    def run(self, job: MapJob) -> list[Any]:
        if not job.items:
            return []
        batch = _Batch(job, self.interrupts)
        batch.run(min(job.workers, len(job.items)))
        return batch.outcome()


# How often the waiting caller wakes up, so an interrupt delivered to its thread is seen.
_POLL_SECONDS = 0.1
# Workers still running this long after the map was interrupted (blocked in a system
# call, which no interrupt reaches) are no longer waited for.
STOP_SECONDS = 5.0


class _Batch:
    """The shared state of one parallel-map: which item is next, which are running,
    results, failures.

    The caller waits for the items, not for the workers: once no item is running and
    none will start, the map is over, whether or not every worker has started (a worker
    that starts later finds nothing to do), so an interrupt while workers are still
    starting stops the map at once."""

    def __init__(self, job: MapJob, interrupts: Interrupt) -> None:
        self.proc = job.procedure
        self.items = list(job.items)
        self.collect = job.collect
        self.progress = job.progress
        self.interrupts = interrupts
        self.results: list[Any] = [None] * len(self.items)
        self.failures: dict[int, BaseException] = {}
        self.next = 0
        self.stopped = False
        self.running: dict[int, int] = {}  # a worker thread's ident: the item it runs
        self.no_thread: RuntimeError | None = None  # why a worker could not start
        self.workers = self.wanted = 0  # workers started, of those wanted
        self.all_finished = threading.Event()
        self.changed = threading.Lock()

    def stop(self) -> None:
        with self.changed:
            self.stopped = True
            self._settle()

    def _settle(self) -> None:
        # with `changed` held: no item is running and none will start
        if (self.stopped or self.next >= len(self.items)) and not self.running:
            self.all_finished.set()

    def _take(self, worker: int) -> int | None:
        """The next item for `worker`, whose last item (if any) has ended."""
        with self.changed:
            self.running.pop(worker, None)
            if self.stopped or self.next >= len(self.items):
                self._settle()
                return None
            self.next += 1
            self.running[worker] = self.next - 1
            return self.next - 1

    def work(self) -> None:
        worker = threading.get_ident()
        try:
            with self.interrupts.evaluating():
                while (index := self._take(worker)) is not None:
                    self._run_item(index)
        except BaseException:
            self.stop()  # the run was interrupted between two items
        finally:
            with self.changed:
                self.running.pop(worker, None)
                self._settle()

    def _run_item(self, index: int) -> None:
        if self.progress is not None:
            self.progress.started(index)
        failure: BaseException | None = None
        try:
            self.results[index] = apply_procedure(self.proc, [self.items[index]])
        except BaseException as error:
            failure = item_failed(error, index, self.items)
            with self.changed:
                self.failures[index] = failure
                if ends_the_map(failure, self.collect):
                    self.stopped = True
        if self.progress is not None:
            self.progress.finished(index, failure)

    def run(self, workers: int) -> None:
        """Start the workers and wait for the items. On an interrupt, start no new item
        and wait (up to STOP_SECONDS) for the items running, which the interrupt reaches
        too, to release their Handlers; then re-raise. A worker that cannot start stops
        the map the same way, the items running finishing (see `outcome`)."""
        self.wanted = workers
        try:
            for number in range(workers):
                try:
                    start_worker(self.work, f"taskscheme-parallel-{number + 1}")
                except RuntimeError as error:  # the system gives no more threads
                    self.no_thread = error
                    self.stop()
                    break
                self.workers += 1
            while not self.all_finished.wait(_POLL_SECONDS):
                pass
        except BaseException:
            self.stop()
            self._wait_for_interrupted_workers()
            raise

    def _wait_for_interrupted_workers(self) -> None:
        # the run's interrupt repeats into this thread too while its workers unwind
        deadline = time.monotonic() + STOP_SECONDS
        while time.monotonic() < deadline:
            try:
                if self.all_finished.wait(_POLL_SECONDS):
                    return
            except KeyboardInterrupt:
                pass

    def outcome(self) -> Any:
        if self.no_thread is not None and self.next < len(self.items):
            raise self._not_started()
        return collected(self.results, self.failures, self.collect)

    def _not_started(self) -> ExecutorError:
        count, first = len(self.items), self.next
        missed = len(self.items) - first
        which = (
            f"{described_item(first, self.items)} did not run"
            if missed == 1
            else f"the {missed} items from {described_item(first, self.items)} on did not run"
        )
        return ExecutorError(
            f"parallel-map: could not start its workers ({self.no_thread}): "
            f"{self.workers} of {self.wanted} started, and {which}",
            range(first + 1, count + 1),
        )


def described_item(index: int, items: Sequence[Any]) -> str:
    """Item `index` of a map, as its messages name it: its position and the item cut short."""
    return f"item {index + 1} of {len(items)} ({write_abbreviated(items[index])})"


def item_failed(error: BaseException, index: int, items: Sequence[Any]) -> BaseException:
    """`error`, raised by item `index` of a map over `items`, naming the item in its
    headline and its fields (`item`, `item_written`, `in_item`); an error that names an
    item already (of a map inside this one's item, or raised by several) keeps it."""
    if isinstance(error, TaskschemeError) and error.item is None:
        error.item = index + 1
        error.item_written = write_abbreviated(items[index])
        error.in_item = f"parallel-map {described_item(index, items)}"
    return error


def ends_the_map(error: BaseException, collect: bool) -> bool:
    """Does `error` of one item stop the map? Always in 'first mode; in 'collect mode
    only if it is not a language error (an interrupt, a bug)."""
    return not (collect and isinstance(error, TaskschemeError))


def collected(results: list[Any], failures: dict[int, BaseException], collect: bool) -> list[Any]:
    """The map's results, a failed item's place holding its error object; or the first
    error in input order raised, if it ends the map."""
    for index in sorted(failures):
        error = failures[index]
        if ends_the_map(error, collect):
            raise error
        results[index] = error.payload
    return results
