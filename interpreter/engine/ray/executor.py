"""parallel-map on a Ray cluster: the run's side of `--executor ray`.

The items run in worker processes (worker.py), each with its own Interpreter built
from the program's source; what travels is data (values.py). The run keeps every
rule it has on threads:

- The run budget is one object: at the first map on Ray it moves into a Ray actor
  (remote.py), and every Handler of the run (a running one too) and of every
  worker charges it there, atomically, before each request. It is never exceeded,
  however many workers race.
- A replayed cassette is one object too, moved into an actor like the budget, so each
  recorded exchange answers once, to the run or to any worker.
- A recorded run writes one cassette, here: workers send their exchanges back.
- Every event of every worker comes back with its item and is published on the run's
  bus (Handler ids renumbered, so they stay unique), so --trace and --verbose show the
  whole run.
- Nothing is retried: a worker that dies gives its item a `worker-lost` error (the map
  stops, or in 'collect mode goes on with a new worker), so no model call is made twice.
- An interrupt stops the items running (their Handlers are released as interrupted)
  and starts no new one.

Without `ray_address` a local Ray is started on demand (on 127.0.0.1, with at most
LOCAL_CPUS CPUs) and shut down when the run ends.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

from interpreter.engine.ray.remote import Holder, Portable, RemoteProxy, forward_to, held_by
from interpreter.engine.ray.values import NotData, decode, encode
from interpreter.engine.ray.worker import ItemWorker, WorkerPlan
from interpreter.errors import ExecutorError, SchemeError, WorkerLostError
from interpreter.lang.datums import Symbol, is_interned
from interpreter.lang.printer import write_abbreviated
from interpreter.limits.handler import next_handler_id
from interpreter.limits.models import ModelSpec
from interpreter.providers.replay import RecordingProvider, ReplayProvider
from interpreter.tasks.executors import (
    STOP_SECONDS,
    MapJob,
    collected,
    described_item,
    ends_the_map,
    item_failed,
)

# A local Ray started for a run uses at most this many CPUs: items wait on the network,
# and the machine is shared with the run itself.
LOCAL_CPUS = 4
# How often the waiting run wakes up, so an interrupt is seen.
_POLL_SECONDS = 0.1
# The environment variables model providers read: a worker on another machine needs them.
_PROVIDER_VARIABLES = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
)
INSTALL_HINT = "pip install 'taskscheme[ray]'"


@dataclass(eq=False)
class _Worker:
    """One worker actor and how many of the run's source texts it has."""

    actor: Any
    sources_sent: int = 0
    alive: bool = True
    handler_ids: dict[int, int] = field(default_factory=dict)


class RayExecutor:
    """Runs parallel-map items on Ray workers; `close()` stops them (and the local Ray,
    if this executor started it)."""

    def __init__(self, interpreter: Any) -> None:
        """`interpreter`: the run's Interpreter (its settings, source texts, runner and
        session); its class is what workers build theirs with."""
        self.interpreter = interpreter
        self.settings = interpreter.settings
        self._ray: Any = None
        self._cluster: _Cluster | None = None
        self._plan: WorkerPlan | None = None
        self._actor_class: Any = None
        self._workers: list[_Worker] = []
        self._holders: list[Any] = []
        self.recorder: RecordingProvider | None = None
        self._lock = threading.Lock()

    # -- the executor interface --------------------------------------------------------

    def run(self, job: MapJob) -> list[Any]:
        if not job.items:
            return []
        name = self._global_name(job)
        items = [self._encoded(job, index) for index in range(len(job.items))]
        with self._lock:
            ray = self._connect()
            workers = self._ready_workers(ray, min(job.workers, len(items)))
            return _Map(self, ray, replace(job, name=name), items).run(workers)

    def close(self) -> None:
        with self._lock:
            if self._ray is None:
                return
            for actor in [worker.actor for worker in self._workers] + self._holders:
                self._ray.kill(actor)
            self._workers, self._holders, self._plan = [], [], None
            if self._cluster is not None:
                self._cluster.shut_down()
                self._cluster = None
            self._ray = None

    # -- checks ------------------------------------------------------------------------

    def _global_name(self, job: MapJob) -> str:
        """The global name a worker finds the procedure by: its own name, or else any
        global bound to it (`(define shout (pipeline upcase exclaim))`)."""
        bindings = self.interpreter.global_environment.bindings
        if job.name is not None and bindings.get(Symbol(job.name)) is job.procedure:
            return job.name
        for name, value in bindings.items():
            if value is job.procedure and is_interned(name):
                return name.name
        raise SchemeError(
            "parallel-map on Ray: the procedure must be the value of a global definition "
            "((define (f item) ...), define-task), so that workers can find it by name; "
            f"got {write_abbreviated(job.procedure)}"
        )

    def _encoded(self, job: MapJob, index: int) -> Any:
        try:
            return encode(job.items[index])
        except NotData as problem:
            raise SchemeError(
                f"parallel-map on Ray: item {index + 1} cannot travel to a worker: "
                f"{write_abbreviated(problem.value)} is not data{_because(problem)} "
                "(numbers, strings, characters, symbols, lists, vectors and bytevectors travel)"
            ) from None

    # -- the cluster, the run's shared objects, the workers --------------------------

    def _connect(self) -> Any:
        if self._plan is not None:
            return self._ray
        try:
            import ray  # an optional dependency, and seconds to import
        except ImportError:
            raise ExecutorError(
                f"parallel-map #:executor 'ray needs Ray, which is not installed: {INSTALL_HINT}"
            ) from None
        self._ray = ray
        if not ray.is_initialized():
            self._cluster = _Cluster(ray, self.settings.get("ray_address"))
        self._plan = self._make_plan(ray)
        env_vars = {name: os.environ[name] for name in _PROVIDER_VARIABLES if name in os.environ}
        self._actor_class = ray.remote(ItemWorker).options(
            num_cpus=0,
            max_restarts=0,
            max_task_retries=0,
            max_concurrency=2,  # `interrupt` runs while an item does
            scheduling_strategy="SPREAD",
            runtime_env={"env_vars": env_vars} if env_vars else None,
        )
        return ray

    def _make_plan(self, ray: Any) -> WorkerPlan:
        """Move the run's budget into an actor, and load the replayed cassette in one."""
        interpreter = self.interpreter
        if interpreter._provider is not None:
            raise ExecutorError(
                "parallel-map on Ray: this run's model is a Python object "
                "(Interpreter(model=...)), which cannot travel to workers; name the model "
                "by its spec (openai:..., anthropic:..., replay:CASSETTE)"
            )
        runner = interpreter.runner
        # the held objects are thread-safe, so the actor serves many calls at once
        holder_class = ray.remote(Holder).options(num_cpus=0, max_restarts=0, max_concurrency=16)
        budget = runner.budget
        if budget is not None and held_by(budget) is None:
            actor = holder_class.remote(Portable(budget))
            self._holders.append(actor)
            forward_to(budget, RemoteProxy(actor, ray.get(actor.methods.remote())))
        self.recorder, replay = self._cassettes(runner)
        if replay is not None:
            actor = holder_class.remote(Portable(replay))
            self._holders.append(actor)
            forward_to(replay, RemoteProxy(actor, ray.get(actor.methods.remote())))
        events = interpreter.session.events
        return WorkerPlan(
            interpreter_class=type(interpreter),
            settings=self.settings,
            capabilities=interpreter.capabilities,
            budget=None if budget is None else held_by(budget),
            replay=None if replay is None else held_by(replay),
            observed=events is not None and events.active,
            recording=self.recorder is not None,
        )

    def _cassettes(self, runner: Any) -> tuple[RecordingProvider | None, ReplayProvider | None]:
        """The run's recorder and the cassette it replays, each if it has one (then the
        run's own provider is connected, so that the cassette's header is written, or
        its exchanges are shared by the run and its workers)."""
        replaying = ModelSpec.parse(self.settings.get("model")).provider == "replay"
        if runner.record_path is None and not replaying:
            return None, None
        provider = runner.default_provider()
        recorder = provider if isinstance(provider, RecordingProvider) else None
        replayed = recorder.inner if recorder is not None else provider
        return recorder, replayed if isinstance(replayed, ReplayProvider) else None

    def _ready_workers(self, ray: Any, count: int) -> list[_Worker]:
        """`count` live workers, each with every source text of the run so far."""
        self._workers = [worker for worker in self._workers if worker.alive]
        while len(self._workers) < count:
            self._workers.append(_Worker(self._actor_class.remote(self._plan)))
        workers = self._workers[:count]
        self._send_sources(workers)
        return workers

    def replace(self, worker: _Worker) -> _Worker:
        """A new worker in place of one that died."""
        worker.alive = False
        fresh = _Worker(self._actor_class.remote(self._plan))
        self._workers.append(fresh)
        self._send_sources([fresh])
        return fresh

    def _send_sources(self, workers: list[_Worker]) -> None:
        """Send each worker the source texts it does not have yet, and wait until it has
        learned them (a worker that cannot start says so here)."""
        sources = list(self.interpreter.sources)
        behind = [worker for worker in workers if worker.sources_sent < len(sources)]
        if not behind:
            return
        shared = self._ray.put(sources)  # stored once, whatever the number of workers
        learned = [w.actor.add_sources.remote(shared, w.sources_sent) for w in behind]
        try:
            self._ray.get(learned)
        except self._ray.exceptions.RayError as error:
            raise ExecutorError(
                f"parallel-map cannot start its Ray workers: {_cause(error)}"
            ) from None
        for worker in behind:
            worker.sources_sent = len(sources)


class _Cluster:
    """The run's connection to Ray, made (and ended) by a thread of its own that lives
    as long as the run: Ray ties the life of the processes of a local cluster to the
    thread that starts them, and a program's evaluation thread ends with each evaluation
    (`taskscheme run`, each input of the REPL)."""

    def __init__(self, ray: Any, address: str | None) -> None:
        self._ray = ray
        self._address = address
        self._started = threading.Event()
        self._ended = threading.Event()
        self._error: Exception | None = None
        self._thread = threading.Thread(target=self._host, name="taskscheme-ray", daemon=True)
        self._thread.start()
        self._started.wait()
        if self._error is not None:
            where = f"the Ray cluster at {address}" if address else "a local Ray"
            raise ExecutorError(f"parallel-map cannot start {where}: {self._error}")

    def _host(self) -> None:
        quiet = {"log_to_driver": False, "logging_level": "error"}
        try:
            if self._address:
                self._ray.init(address=self._address, **quiet)
            else:
                self._ray.init(
                    num_cpus=min(LOCAL_CPUS, os.cpu_count() or 1),
                    _node_ip_address="127.0.0.1",
                    include_dashboard=False,
                    **quiet,
                )
        except Exception as error:
            self._error = error
            return
        finally:
            self._started.set()
        self._ended.wait()
        self._ray.shutdown()

    def shut_down(self) -> None:
        self._ended.set()
        self._thread.join()


def _because(problem: NotData) -> str:
    return f" ({problem.why})" if problem.why else ""


def _cause(error: BaseException) -> str:
    """The first line of a Ray error: what happened, without Ray's advice and tracebacks."""
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


class _Map:
    """One parallel-map on Ray: hands items to workers one at a time, settles each
    item's outcome as it comes back, and stops as the map's error mode says."""

    def __init__(self, executor: RayExecutor, ray: Any, job: MapJob, items: list[Any]) -> None:
        self.executor = executor
        self.ray = ray
        self.job = job
        self.items = items
        self.results: list[Any] = [None] * len(items)
        self.failures: dict[int, BaseException] = {}
        self.next = 0
        self.stopped = False
        self.running: dict[Any, tuple[_Worker, int]] = {}
        self.events = executor.interpreter.session.events
        self.recorder = executor.recorder

    def run(self, workers: list[_Worker]) -> list[Any]:
        for worker in workers:
            self._hand_out(worker)
        try:
            while self.running:
                ready, _ = self.ray.wait(list(self.running), num_returns=1, timeout=_POLL_SECONDS)
                for reference in ready:
                    worker, index = self.running.pop(reference)
                    self._settle(reference, worker, index)
                    if not worker.alive and not self.stopped and self.next < len(self.items):
                        worker = self.executor.replace(worker)
                    self._hand_out(worker)
        except BaseException:
            self._stop()
            raise
        return collected(self.results, self.failures, self.job.collect)

    def _hand_out(self, worker: _Worker) -> None:
        if self.stopped or self.next >= len(self.items) or not worker.alive:
            return
        index, self.next = self.next, self.next + 1
        reference = worker.actor.run.remote(self.job.name, self.items[index])
        self.running[reference] = (worker, index)
        if self.job.progress is not None:  # the driver learns of items as it hands them out
            self.job.progress.started(index)

    def _settle(self, reference: Any, worker: _Worker, index: int) -> None:
        try:
            status, *outcome, events, exchanges = self.ray.get(reference)
        except self.ray.exceptions.RayActorError as error:
            worker.alive = False
            self._fail(index, self._lost(index, error))
            return
        self._publish(worker, events)
        if self.recorder is not None:
            for exchange in exchanges:
                self.recorder.append(exchange)
        if status == "ok":
            self.results[index] = decode(outcome[0])
            if self.job.progress is not None:
                self.job.progress.finished(index)
        elif status == "error":
            self._fail(index, item_failed(decode(outcome[0]), index, self.job.items))
        elif status == "not-data":
            self._fail(index, self._not_data(index, outcome[0]))
        else:
            self._fail(index, KeyboardInterrupt())

    def _fail(self, index: int, error: BaseException) -> None:
        self.failures[index] = error
        if self.job.progress is not None:
            self.job.progress.finished(index, error)
        if ends_the_map(error, self.job.collect):
            self.stopped = True

    def _publish(self, worker: _Worker, events: list[Any]) -> None:
        if self.events is None:
            return
        for event in events:
            if event.handler_id is not None:
                ids = worker.handler_ids
                if event.handler_id not in ids:
                    ids[event.handler_id] = next_handler_id()
                event = replace(event, handler_id=ids[event.handler_id])
            self.events.publish(event)

    def _item(self, index: int) -> str:
        return described_item(index, self.job.items)

    def _lost(self, index: int, error: BaseException) -> WorkerLostError:
        return WorkerLostError(
            f"parallel-map: {self._item(index)} was lost: the Ray worker running it died "
            f"({_cause(error)}); it was not run again",
            index + 1,
        )

    def _not_data(self, index: int, written: str) -> SchemeError:
        return SchemeError(
            f"parallel-map: the result of {self._item(index)} is {written}, which cannot "
            "come back from a Ray worker: only data (numbers, strings, characters, "
            "symbols, lists, vectors, bytevectors) travels"
        )

    def _stop(self) -> None:
        """Interrupted: start no new item, interrupt the running ones and wait (up to
        STOP_SECONDS) for their Handlers to be released; a worker that does not stop by
        then is killed."""
        self.stopped = True
        for worker, _ in self.running.values():
            worker.actor.interrupt.remote()
        deadline = time.monotonic() + STOP_SECONDS
        while self.running and time.monotonic() < deadline:
            try:
                ready, _ = self.ray.wait(list(self.running), num_returns=1, timeout=_POLL_SECONDS)
                for reference in ready:
                    worker, index = self.running.pop(reference)
                    self._settle(reference, worker, index)
            except KeyboardInterrupt:
                pass  # the run's interrupt repeats while the workers unwind
        for worker, _ in self.running.values():
            worker.alive = False
            self.ray.kill(worker.actor)
        self.running.clear()
