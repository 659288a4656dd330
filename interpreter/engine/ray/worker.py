"""A Ray worker of parallel-map: one process that runs items, one at a time.

Each worker builds its own Interpreter from the program's source, sent once when the
worker starts (and the texts evaluated since, before the next map). It does not run the
program: every top-level form is analyzed, and a definition runs the first time its name
is used. So the item's procedure and the definitions it calls come to life, while the
program's own top-level work (including the parallel-map that started the worker) is
never repeated. Each item is a call of the procedure, by its global name, on the item;
its tasks run under their own Handlers, which charge the run's one budget (a Ray actor)
before every request, exactly as on threads.

An item's outcome, its events and its recorded exchanges go back together, so the run
shows and records what every worker did.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from typing import Any

from interpreter.engine.ray.remote import RemoteProxy
from interpreter.engine.ray.values import NotData, decode, encode, encode_exception
from interpreter.errors import TaskschemeError
from interpreter.lang.datums import Symbol
from interpreter.lang.library import read_forms
from interpreter.lang.printer import write_abbreviated
from interpreter.lang.runtime import apply_procedure, finish
from interpreter.limits.events import Event, EventBus
from interpreter.limits.settings import Settings
from interpreter.providers import RecordingProvider, make_provider, options_from_settings


@dataclass(frozen=True)
class WorkerPlan:
    """What every worker of a run is made with. `budget` and `replay` are (actor,
    methods) of the run's budget and cassette, when it has them; `observed`: the run
    has observers, so Handlers publish events; `recording`: the run records a cassette;
    `capabilities`: what of the host the run's program may reach, the same in workers."""

    interpreter_class: type
    settings: Settings
    capabilities: Any
    budget: tuple[Any, frozenset[str]] | None
    replay: tuple[Any, frozenset[str]] | None
    observed: bool
    recording: bool


class ShippingRecorder(RecordingProvider):
    """Records every exchange like RecordingProvider, but keeps them for the run to
    write to its one cassette. Like a replayed cassette, it stands for one model (the
    cassette's), so the worker's tasks are held to it as the run's are."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.spec = inner.spec
        self.recorded_model = getattr(inner, "recorded_model", None) or inner.spec
        self.input_window = getattr(inner, "input_window", None)
        self.encoding = getattr(inner, "encoding", None)
        self._lock = threading.Lock()
        self.exchanges: list[dict[str, Any]] = []

    def _write(self, exchange: dict[str, Any]) -> None:
        with self._lock:
            self.exchanges.append(exchange)

    def taken(self) -> list[dict[str, Any]]:
        with self._lock:
            exchanges, self.exchanges = self.exchanges, []
        return exchanges


class ItemWorker:
    """The actor (`ray.remote(ItemWorker)`): `add_sources`, then `run` for each item;
    `interrupt` (from a second thread of the actor) stops the item running."""

    def __init__(self, plan: WorkerPlan) -> None:
        # The run's trace file is written by the run; a worker only sends its events. A
        # map inside an item runs on the worker's own threads.
        values = {**plan.settings.values, "trace": None, "executor": "threads"}
        settings = dataclasses.replace(plan.settings, values=values)
        self.events: list[Event] = []
        bus = EventBus()
        if plan.observed:
            bus.subscribe(self.events.append)
        budget = None if plan.budget is None else RemoteProxy(*plan.budget, events=bus)
        provider = None if plan.replay is None else RemoteProxy(*plan.replay)
        self.recorder = None
        if plan.recording:
            if provider is None:
                provider = make_provider(
                    settings.get("model"), options_from_settings(settings.values)
                )
            provider = self.recorder = ShippingRecorder(provider)
        self.interpreter = plan.interpreter_class(
            settings,
            model=provider,
            events=bus,
            budget=budget,
            capabilities=plan.capabilities,
        )
        self.program = LazyProgram(self.interpreter)

    def add_sources(self, sources: list[tuple[str, str]], start: int = 0) -> None:
        """Learn the definitions of the run's source texts from `start` on."""
        self.interpreter.call_scheme(self.program.add, sources[start:])

    def interrupt(self) -> None:
        self.interpreter.interrupt()

    def run(self, name: str, item: Any) -> tuple[Any, ...]:
        """("ok", result), ("error", exception), ("not-data", the result written) or
        ("interrupted",); then the item's events and recorded exchanges."""
        try:
            procedure = self.interpreter.call_scheme(self.program.value, Symbol(name))
            result = self.interpreter.call_scheme(apply_procedure, procedure, [decode(item)])
            try:
                outcome: tuple[Any, ...] = ("ok", encode(result))
            except NotData as problem:
                outcome = ("not-data", write_abbreviated(problem.value))
        except KeyboardInterrupt:
            outcome = ("interrupted",)
        except BaseException as error:  # an error object, or `exit`: the run raises it
            outcome = ("error", encode_exception(error))
        events, self.events[:] = list(self.events), []
        exchanges = self.recorder.taken() if self.recorder is not None else []
        return (*outcome, events, exchanges)


class LazyProgram:
    """The program's definitions in a worker's Interpreter, each run on first use.

    Every top-level form is analyzed (so macros are defined and the forms are checked as
    the run checked them); a form that defines global names is kept for those names, and
    any other form is never run. Looking up a global that is not bound yet runs the
    form that defines it."""

    def __init__(self, interpreter: Any) -> None:
        self.interpreter = interpreter
        self.analyzer = interpreter.analyzer
        self.pending: dict[Symbol, Any] = {}
        self.fallback = self.analyzer.on_global_miss
        self.analyzer.on_global_miss = self.miss

    def add(self, sources: list[tuple[str, str]]) -> None:
        recorder = _Definitions()
        self.analyzer.observer = recorder
        try:
            for text, file in sources:
                self._add_text(text, file, recorder)
        finally:
            self.analyzer.observer = None

    def _add_text(self, text: str, file: str, recorder: _Definitions) -> None:
        """A text's forms up to the first that does not read or analyze: the run stopped
        there too (and reported it)."""
        try:
            for form, span in read_forms(text, file):
                recorder.names = []
                node = self.analyzer.analyze_toplevel(form, span)
                for name in recorder.names:
                    # a later definition of a name (a REPL redefining it) wins
                    self.interpreter.global_environment.bindings.pop(name, None)
                    self.pending[name] = node
        except TaskschemeError:
            return

    def value(self, name: Symbol) -> Any:
        bindings = self.interpreter.global_environment.bindings
        return bindings[name] if name in bindings else self.miss(name, None)

    def miss(self, name: Symbol, span: Any, probe: bool = False) -> Any:
        node = self.pending.get(name)
        if node is None:
            return self.fallback(name, span, probe)
        if probe:
            return True
        for defined in [n for n, pending in self.pending.items() if pending is node]:
            del self.pending[defined]
        finish(node(self.interpreter.global_environment))
        return self.interpreter.global_environment.bindings[name]


class _Definitions:
    """An analyzer observer that notes the global names a top-level form defines."""

    def __init__(self) -> None:
        self.names: list[Symbol] = []

    def global_definition(self, name: Symbol, *details: Any) -> None:
        self.names.append(name)

    def global_reference(self, *details: Any) -> None:
        return None

    def global_call(self, *details: Any) -> None:
        return None
