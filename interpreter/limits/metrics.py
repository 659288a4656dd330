"""Immutable snapshots of resource usage: what a Handler or the run budget has used.

A snapshot is taken at one instant and never changes, so it can travel in an event, in a
ResourceExhaustionError and in `(task-metrics)` without anyone seeing it move.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from interpreter.limits.prices import dollars


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    return value


class _Snapshot:
    """JSON conversion shared by the snapshot types."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; timestamps become ISO 8601 strings."""
        return _jsonable(asdict(self))  # type: ignore[call-overload]

    def to_json(self) -> str:
        return json.dumps(self.to_dict())


@dataclass(frozen=True, slots=True)
class TurnMetrics:
    used: int
    limit: int
    last_turn_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ContextMetrics:
    used: int
    limit: int
    peak_usage: int


@dataclass(frozen=True, slots=True)
class TimeMetrics:
    """Wall-clock seconds since the task started, and its `max_seconds` (None: not set)."""

    elapsed: float = 0.0
    limit: float | None = None


@dataclass(frozen=True, slots=True)
class TokenMetrics:
    """Cumulative tokens. `input` sums the context each request was sent with and `output`
    the responses, both counted locally; `reported_*` sum what the provider said (None if
    it never reported usage)."""

    input: int = 0
    output: int = 0
    reported_input: int | None = None
    reported_output: int | None = None


@dataclass(frozen=True, slots=True)
class BilledMetrics:
    """What the provider bills for a task's requests: each turn's usage as the provider
    reported it, else as we counted it. `source` says which: "provider", "counted", or
    "mixed" when some turns were reported and some not (None before the first answer).
    `cached_input` is the part of `input` served from the provider's prompt cache.
    `cost` is in US dollars, None if the model has no known price. `output_limit` and
    `cost_limit` are the task's `max_output_tokens` and `max_cost`, None if not set."""

    input: int = 0
    output: int = 0
    cached_input: int = 0
    source: str | None = None
    cost: float | None = None
    output_limit: int | None = None
    cost_limit: float | None = None

    def summary(self) -> str:
        source = f" ({self.source})" if self.source else ""
        return f"billed in {self.input:,} out {self.output:,}{source}, cost {dollars(self.cost)}"


@dataclass(frozen=True, slots=True)
class ResourceMetrics(_Snapshot):
    """One Handler's usage (seed: ResourceMetrics), plus token totals and identity."""

    task: str
    model: str
    turns: TurnMetrics
    context: ContextMetrics
    tokens: TokenMetrics
    released: bool = False
    billed: BilledMetrics = BilledMetrics()
    # errors raised by the procedures of the task's tools (not calls the model got wrong)
    tool_errors: int = 0
    time: TimeMetrics = TimeMetrics()

    def summary(self) -> str:
        """One line for a status display: turns, context, token totals, billed and cost,
        and the time taken when the task has a time limit."""
        time = self.time
        timed = "" if time.limit is None else f", time {time.elapsed:.1f}/{time.limit:g} s"
        return (
            f"turns {self.turns.used}/{self.turns.limit}, "
            f"context {self.context.used:,}/{self.context.limit:,} tokens "
            f"(peak {self.context.peak_usage:,}), "
            f"tokens in {self.tokens.input:,} out {self.tokens.output:,}, "
            f"{self.billed.summary()}{timed}"
        )


@dataclass(frozen=True, slots=True)
class BudgetMetrics(_Snapshot):
    """The run's usage across all its tasks; a limit of None means that resource is not
    capped. `billed_tokens` are the billed input and output tokens of every answer;
    `cost_used` is None once a model with no known price has answered (the run's cost is
    then unknown). `*_reserved` is what requests in flight may still bill: each is held at
    its worst case until its answer says what it really billed."""

    turns_used: int
    turns_limit: int | None
    tokens_used: int
    tokens_limit: int | None
    billed_tokens_used: int = 0
    billed_tokens_limit: int | None = None
    billed_tokens_reserved: int = 0
    cost_used: float | None = 0.0
    cost_limit: float | None = None
    cost_reserved: float = 0.0

    def summary(self) -> str:
        def part(used: int, limit: int | None) -> str:
            return f"{used:,}" if limit is None else f"{used:,}/{limit:,}"

        cost = dollars(self.cost_used)
        if self.cost_limit is not None:
            cost += f"/{dollars(self.cost_limit)}"
        return (
            f"budget turns {part(self.turns_used, self.turns_limit)}, "
            f"tokens {part(self.tokens_used, self.tokens_limit)}, "
            f"billed {part(self.billed_tokens_used, self.billed_tokens_limit)} tokens, "
            f"cost {cost}"
        )


@dataclass(frozen=True, slots=True)
class MapMetrics(_Snapshot):
    """A parallel-map's progress: its items, how many have started and finished, and
    how many of those failed."""

    items: int
    started: int
    finished: int
    failed: int
