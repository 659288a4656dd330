"""What a person watching a run sees of its limits, followed from the run's events.

`LiveLimits` is an event observer: it keeps the tasks running now (each one's latest
metrics and the limits it has been warned about), the last task that finished, how many
have finished, and the progress of the parallel-maps under way. The REPL's toolbar and
`run`'s status line both render it, so they show the same figures; it is fed by the
Handlers' own events, so it moves turn by turn while a task runs, and a task's figure
turns to the warning colour when its Handler warns (at the task's own threshold).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from interpreter.limits.prices import dollars

if TYPE_CHECKING:  # annotations only: the run's budget loads with its first task (start-up)
    from interpreter.limits.budget import Budget
    from interpreter.limits.events import Event
    from interpreter.limits.metrics import ResourceMetrics


# A segment of a status display: ("", text), ("warning", text) or ("error", text).
Segment = tuple[str, str]
NORMAL, WARNING, ERROR = "", "warning", "error"
SEPARATOR: Segment = (NORMAL, " | ")
# The fields every task's metrics have, shown in their own words; any other field a
# snapshot carries (billed tokens, cost, ...) is shown as it is named.
_KNOWN_FIELDS = {
    "task",
    "model",
    "turns",
    "context",
    "tokens",
    "released",
    "billed",
    "tool_errors",
    "time",
}
_KNOWN_TOKEN_FIELDS = {"input", "output", "reported_input", "reported_output"}


@dataclass
class MapProgress:
    """One parallel-map under way: its items, how many finished, when it started."""

    total: int
    finished: int = 0
    failed: int = 0
    started_at: float = field(default_factory=time.monotonic)

    def eta_seconds(self) -> float | None:
        """Seconds until the last item is expected to finish, at the pace so far."""
        if not self.finished:
            return None
        elapsed = time.monotonic() - self.started_at
        return elapsed / self.finished * (self.total - self.finished)


class LiveLimits:
    """An event observer keeping what a live display shows; safe from any thread.

    `listeners` are called (with no arguments) after every change, in the thread that
    published the event: a display redraws from them.
    """

    def __init__(self, model: str, budget: Budget | None, warning_threshold: float) -> None:
        self.model = model
        self.budget = budget
        self.warning_threshold = warning_threshold
        self.listeners: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._running: dict[int, ResourceMetrics] = {}
        self._exhausted: dict[int, str] = {}
        self._warned: dict[int, set[str]] = {}
        self._maps: dict[int, MapProgress] = {}
        self.last: ResourceMetrics | None = None
        self.last_exhausted: str | None = None  # the resource that ended the last task
        self.last_warned: frozenset[str] = frozenset()  # the last task's warned resources
        self.finished = 0
        self.turns = 0
        self.tokens = 0  # of the finished tasks (`tokens_used` adds the running ones)
        self._released_since_mark: list[tuple[ResourceMetrics, str]] = []

    def __call__(self, event: Event) -> None:
        with self._lock:
            self._take(event)
        for listener in list(self.listeners):
            listener()

    def _take(self, event: Event) -> None:
        if event.kind in ("item-started", "item-finished"):
            self._take_item(event)
            return
        if event.handler_id is None:  # the run budget's own events: read from the budget
            return
        metrics = event.metrics
        if event.kind == "turn":
            self.turns += 1
        if event.kind == "exhausted":
            self._exhausted[event.handler_id] = event.detail.get("resource", "")
        if event.kind == "warning":
            self._warned.setdefault(event.handler_id, set()).add(event.detail.get("resource"))
        if event.kind == "released":
            self._running.pop(event.handler_id, None)
            self.last = metrics
            self.last_exhausted = self._exhausted.pop(event.handler_id, None)
            self.last_warned = frozenset(self._warned.pop(event.handler_id, ()))
            self.finished += 1
            self.tokens += metrics.tokens.input + metrics.tokens.output
            self._released_since_mark.append((metrics, event.detail.get("outcome", "ok")))
        else:
            self._running[event.handler_id] = metrics

    def _take_item(self, event: Event) -> None:
        number, counts = event.detail["map"], event.metrics
        progress = self._maps.setdefault(number, MapProgress(counts.items))
        # events of one map may arrive out of order from its workers: counts only grow
        progress.finished = max(progress.finished, counts.finished)
        progress.failed = max(progress.failed, counts.failed)
        if progress.finished >= progress.total:
            del self._maps[number]

    def mark(self) -> None:
        """Start a new evaluation: `released_since_mark` counts from here."""
        with self._lock:
            self._released_since_mark = []

    def released_since_mark(self) -> list[tuple[ResourceMetrics, str]]:
        """The tasks released since `mark()`: their final metrics and outcome."""
        with self._lock:
            return list(self._released_since_mark)

    def tokens_used(self) -> int:
        """The tokens of every task so far: the finished ones' and the running ones' own."""
        running = sum(metrics.tokens.input + metrics.tokens.output for metrics in self.running())
        return self.tokens + running

    def running(self) -> list[ResourceMetrics]:
        with self._lock:
            return list(self._running.values())

    def _shown_task(self) -> tuple[ResourceMetrics, frozenset[str], str | None] | None:
        """The task a toolbar shows (the latest running, else the last finished): its
        metrics, the resources it was warned about, and the one that ended it."""
        with self._lock:
            if self._running:
                handler_id, metrics = next(reversed(self._running.items()))
                return metrics, frozenset(self._warned.get(handler_id, ())), None
            if self.last is None:
                return None
            return self.last, self.last_warned, self.last_exhausted

    def maps(self) -> list[MapProgress]:
        with self._lock:
            return [
                MapProgress(p.total, p.finished, p.failed, p.started_at)
                for p in self._maps.values()
            ]

    # -- rendering --------------------------------------------------------------------------

    def toolbar(self) -> list[Segment]:
        """The REPL's toolbar: model, the current (or last) task, the budget, a
        parallel-map's progress, tasks running."""
        running = self.running()
        segments: list[Segment] = [(NORMAL, f"model {self.model}")]
        shown = self._shown_task()
        if shown is not None:
            metrics, warned, exhausted = shown
            segments += [
                SEPARATOR,
                *self.task_segments(metrics, warned=warned, exhausted=exhausted),
            ]
        segments += self.budget_segments()
        for progress in self.maps()[:1]:
            segments += [SEPARATOR, (NORMAL, _progress_bar(progress, 20))]
        segments += [SEPARATOR, (NORMAL, f"running {len(running)}")]
        return segments

    def status_line(self, width: int) -> list[Segment]:
        """`run`'s status line: tasks running and finished, turns, tokens, the budget left,
        and a progress bar with an ETA for a parallel-map under way; nothing before the
        first task starts."""
        running, maps = self.running(), self.maps()
        if not running and not self.finished and not maps:
            return []
        segments: list[Segment] = [
            (NORMAL, f"tasks {len(running)} running, {self.finished} done"),
            SEPARATOR,
            (NORMAL, f"turns {self.turns}"),
            SEPARATOR,
            (NORMAL, f"tokens {self.tokens_used():,}"),
        ]
        segments += self.budget_segments()
        for progress in maps[:1]:
            segments += [SEPARATOR, (NORMAL, _progress_bar(progress, max(10, width // 5)))]
        return segments

    def task_segments(
        self,
        metrics: ResourceMetrics,
        *,
        warned: frozenset[str] = frozenset(),
        exhausted: str | None = None,
    ) -> list[Segment]:
        """One task's figures: turns and context against their limits, the peak, and any
        further figures its metrics carry; `warned` names the resources its Handler warned
        about, `exhausted` the one that ended it."""
        turns, context = metrics.turns, metrics.context

        def level(resource: str, used: int, limit: int) -> str:
            if exhausted == resource or (limit and used >= limit):
                return ERROR
            return WARNING if resource in warned else NORMAL

        segments = [
            (NORMAL, f"{metrics.task}: "),
            (level("turns", turns.used, turns.limit), f"turns {turns.used}/{turns.limit}"),
            (NORMAL, " "),
            (
                level("context", context.used, context.limit),
                f"context {context.used:,}/{context.limit:,} ({_percent(context.used, context.limit)})",
            ),
            (
                NORMAL,
                f" peak {context.peak_usage:,} ({_percent(context.peak_usage, context.limit)})",
            ),
        ]
        billed = metrics.billed
        if billed.source is not None:  # billed once an answer came; cost where known
            cost = "" if billed.cost is None else f" {dollars(billed.cost)}"
            segments.append((NORMAL, f" billed {billed.input + billed.output:,}{cost}"))
        time = metrics.time
        if time.limit is not None:  # a time figure only for a task that has a time limit
            segments.append(
                (
                    level("time", time.elapsed, time.limit),
                    f" time {time.elapsed:.1f}/{time.limit:g} s",
                )
            )
        if metrics.tool_errors:
            segments.append((WARNING, f" tool errors {metrics.tool_errors}"))
        segments += _extra_figures(metrics, _KNOWN_FIELDS)
        segments += _extra_figures(metrics.tokens, _KNOWN_TOKEN_FIELDS, "tokens ")
        return segments

    def budget_segments(self) -> list[Segment]:
        """The run budget's limits, each used/limit; nothing when it has none."""
        if self.budget is None:
            return []
        budget = self.budget.snapshot()
        figures: list[Segment] = []
        for name, used, limit in (
            ("turns", budget.turns_used, budget.turns_limit),
            ("tokens", budget.tokens_used, budget.tokens_limit),
            ("billed", budget.billed_tokens_used, budget.billed_tokens_limit),
        ):
            if limit is not None:
                figures.append((self.level(used, limit), f" {name} {used:,}/{limit:,}"))
        if budget.cost_limit is not None:
            cost, limit = budget.cost_used, budget.cost_limit
            figures.append(
                (self.level(cost or 0, limit), f" cost {dollars(cost)}/{dollars(limit)}")
            )
        if not figures:
            return []
        return [SEPARATOR, (NORMAL, "budget"), *figures]

    def level(self, used: float, limit: float) -> str:
        """The colour of a run-budget figure: error when used up, warning from the
        session's threshold on (the run budget warns at it)."""
        if limit and used >= limit:
            return ERROR
        if limit and used >= limit * self.warning_threshold:
            return WARNING
        return NORMAL


def plain(segments: list[Segment]) -> str:
    return "".join(text for _, text in segments)


_ANSI = {NORMAL: "", WARNING: "\x1b[33m", ERROR: "\x1b[1;31m"}


def ansi(segments: list[Segment]) -> str:
    """The segments with terminal colours: yellow for warnings, bold red for errors."""
    return "".join(f"{_ANSI[style]}{text}\x1b[0m" if style else text for style, text in segments)


def _extra_figures(snapshot: Any, known: set[str], prefix: str = "") -> list[Segment]:
    """The figures of `snapshot` beyond the `known` ones (billed tokens, cost, ...)."""
    segments = []
    for extra in fields(snapshot):
        value = getattr(snapshot, extra.name)
        if extra.name not in known and value is not None:
            segments.append((NORMAL, f" {prefix}{extra.name.replace('_', ' ')} {_figure(value)}"))
    return segments


def _percent(used: int, limit: int) -> str:
    return f"{used / limit:.0%}" if limit else "-"


def _figure(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    if hasattr(value, "__dataclass_fields__"):
        parts = (f"{f.name} {_figure(getattr(value, f.name))}" for f in fields(value))
        return ", ".join(parts)
    return str(value)


def _progress_bar(progress: MapProgress, width: int) -> str:
    done = width * progress.finished // progress.total
    eta = progress.eta_seconds()
    shown = "--:--" if eta is None else f"{int(eta) // 60}:{int(eta) % 60:02d}"
    failed = f", {progress.failed} failed" if progress.failed else ""
    return (
        f"map [{'#' * done}{'.' * (width - done)}] {progress.finished}/{progress.total}"
        f"{failed} ETA {shown}"
    )
