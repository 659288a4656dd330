"""The run-wide machinery of one program run, built from settings the same way for every
front end.

The command line, the REPL and embedders all get their run budget, event bus and trace
file from a `Session`, so one `taskscheme.toml` gives the same enforcement and the same
trace whichever of them runs the program.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from interpreter.errors import UsageError

if TYPE_CHECKING:
    from interpreter.limits.budget import Budget
    from interpreter.limits.events import EventBus, Observer, TraceWriter
    from interpreter.limits.settings import Settings


class Session:
    """A run's Budget, EventBus and observers, and what closes them when the run ends.

    From the settings: the run budget (`budget_turns`, `budget_tokens`,
    `budget_billed_tokens`, `budget_cost`, warning at `warning_threshold`; without caps it
    still keeps the run's totals) and the trace file (`trace`). From the front end: `observers`
    (the CLI's --verbose printer, an embedder's display) and the cassette to record to.
    A `budget` or `events` bus given explicitly is used instead of a new one; the trace
    writer and the observers subscribe to that bus all the same. Without a trace file,
    the bus is made when first asked for (by the run's first task or memory lookup), so
    a run that publishes nothing never loads it.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        events: EventBus | None = None,
        budget: Budget | None = None,
        observers: Iterable[Observer] = (),
        record_path: str | None = None,
    ) -> None:
        self.settings = settings
        self.record_path = record_path
        self._observers = list(observers)
        self._events = events
        self._budget = budget
        self._closers: list[Callable[[], None]] = []
        trace = settings.get("trace")
        if trace:
            writer = _trace_writer(trace)
            self._closers.append(writer.close)
            self._observers.insert(0, writer)
        if events is not None or trace:
            self.event_bus()

    @property
    def events(self) -> EventBus | None:
        """The run's event bus, None if no one observes the run; made on first use when
        observers wait for one."""
        return self.event_bus() if self._events is None and self._observers else self._events

    @property
    def budget(self) -> Budget:
        """The run budget, made on first use (by the run's first task), so a program that
        runs no task never loads it."""
        if self._budget is None:
            self._budget = _budget(self.settings, self.events)
        return self._budget

    def event_bus(self) -> EventBus:
        """The run's event bus, made now if nothing asked for one before (an embedder
        subscribing after the run was built); the run budget publishes to it too."""
        if self._events is None:
            from interpreter.limits.events import EventBus  # only observed runs need it (start-up)

            self._events = EventBus()
            if self._budget is not None and self._budget.events is None:
                self._budget.events = self._events
        observers, self._observers = self._observers, []
        self._closers += [self._events.subscribe(observer) for observer in observers]
        return self._events

    def close(self) -> None:
        """Unsubscribe the observers and close the trace file; closing twice is harmless."""
        while self._closers:
            self._closers.pop()()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _budget(settings: Settings, events: EventBus | None) -> Budget:
    """The run budget, with the caps the settings ask for (none, it only keeps the run's
    totals: turns, tokens, billed tokens and cost)."""
    from interpreter.limits.budget import Budget  # loaded with the run's first task (start-up)

    return Budget(
        settings.get("budget_turns"),
        settings.get("budget_tokens"),
        events,
        warning_threshold=settings.get("warning_threshold"),
        max_billed_tokens=settings.get("budget_billed_tokens"),
        max_cost=settings.get("budget_cost"),
    )


def _trace_writer(path: str) -> TraceWriter:
    from interpreter.limits.events import TraceWriter  # only traced runs need it (start-up)

    try:
        return TraceWriter(path)
    except OSError as error:
        raise UsageError(f"cannot write the trace file {path}: {error.strerror}") from None
