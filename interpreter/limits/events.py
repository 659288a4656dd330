"""Resource events and the bus that delivers them to observers.

Handlers publish an event for every change (a turn, charged content, a warning, an
exhaustion, the release), so the REPL's live display, the CLI's trace file and embedders
all see the same stream. Observers are someone else's code: one that raises is reported
once and otherwise ignored, because a broken display must never break the accounting.
Handlers never publish while holding a lock, so an observer may call back into them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TextIO

from interpreter.limits.metrics import BudgetMetrics, MapMetrics, ResourceMetrics

EventKind = Literal[
    "turn",
    "content",
    "warning",
    "exhausted",
    "released",
    "tool",
    "tool-error",
    "billed",
    "memory",
    "item-started",
    "item-finished",
]
Observer = Callable[["Event"], None]


@dataclass(frozen=True, slots=True)
class Event:
    """One change. `task` and `handler_id` are None for run-budget events and for a
    parallel-map's item-started and item-finished (whose `detail` names the map, the
    item's index and the number of items); `detail` is JSON-ready (e.g.
    {"resource": "turns"} for a warning). A "memory" event (a lookup in long-term memory,
    which uses no resource) has no metrics."""

    kind: EventKind
    task: str | None
    handler_id: int | None
    metrics: ResourceMetrics | BudgetMetrics | MapMetrics | None
    detail: dict[str, Any] = field(default_factory=dict)
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.kind,
            "at": self.at.isoformat(),
            "task": self.task,
            "handler": self.handler_id,
            "metrics": None if self.metrics is None else self.metrics.to_dict(),
            "detail": self.detail,
        }


class EventBus:
    """Delivers events to subscribers, in the publishing thread, in subscription order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._observers: tuple[Observer, ...] = ()
        self._reported: list[Observer] = []

    @property
    def active(self) -> bool:
        """Whether anyone listens; publishers skip building events when nobody does."""
        return bool(self._observers)

    def subscribe(self, observer: Observer) -> Callable[[], None]:
        """Add `observer`; returns a function that removes it again."""
        with self._lock:
            self._observers = (*self._observers, observer)

        def unsubscribe() -> None:
            with self._lock:
                remaining = list(self._observers)
                if observer in remaining:
                    remaining.remove(observer)
                self._observers = tuple(remaining)

        return unsubscribe

    def publish(self, event: Event) -> None:
        for observer in self._observers:
            try:
                observer(event)
            except Exception:
                self._report(observer)

    def _report(self, observer: Observer) -> None:
        with self._lock:
            first = observer not in self._reported
            if first:
                self._reported.append(observer)
        if first:
            import logging  # only a failing observer is logged (start-up)

            logging.getLogger(__name__).warning(
                "event observer %r raised; its errors are ignored from now on",
                observer,
                exc_info=True,
            )


class TraceWriter:
    """An observer writing each event as one JSON line, flushed at once (`--trace FILE`)."""

    def __init__(self, target: str | Path | TextIO) -> None:
        self._owned = isinstance(target, str | Path)
        self._stream: TextIO = (
            open(target, "w", encoding="utf-8") if isinstance(target, str | Path) else target  # noqa: SIM115
        )
        self._lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        line = json.dumps(event.to_dict(), ensure_ascii=False) + "\n"
        with self._lock:
            self._stream.write(line)
            self._stream.flush()

    def close(self) -> None:
        """Close the file if this writer opened it."""
        if self._owned:
            self._stream.close()

    def __enter__(self) -> TraceWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
