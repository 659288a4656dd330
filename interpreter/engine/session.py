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
    writer and the observers subscribe to that bus all the same.
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
        observers = list(observers)
        trace = settings.get("trace")
        if events is None and (trace or observers):
            from interpreter.limits.events import EventBus  # only observed runs need it (start-up)

            events = EventBus()
        self.events = events
        self._budget = budget
        self._closers: list[Callable[[], None]] = []
        if trace:
            writer = _trace_writer(trace)
            self._closers.append(writer.close)
            observers.insert(0, writer)
        if events is not None:
            self._closers += [events.subscribe(observer) for observer in observers]

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
        if self.events is None:
            from interpreter.limits.events import EventBus  # only observed runs need it (start-up)

            self.events = EventBus()
            if self._budget is not None and self._budget.events is None:
                self._budget.events = self.events
        return self.events

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
