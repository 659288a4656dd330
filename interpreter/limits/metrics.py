"""Immutable snapshots of resource usage: what a Handler or the run budget has used.

A snapshot is taken at one instant and never changes, so it can travel in an event, in a
ResourceExhaustionError and in `(task-metrics)` without anyone seeing it move.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any


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
    peak: int


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
class ResourceMetrics(_Snapshot):
    """One Handler's usage (seed: ResourceMetrics), plus token totals and identity."""

    task: str
    model: str
    turns: TurnMetrics
    context: ContextMetrics
    tokens: TokenMetrics
    released: bool = False

    def summary(self) -> str:
        """One line for a status display: turns, context and token totals."""
        return (
            f"turns {self.turns.used}/{self.turns.limit}, "
            f"context {self.context.used:,}/{self.context.limit:,} tokens "
            f"(peak {self.context.peak:,}), "
            f"tokens in {self.tokens.input:,} out {self.tokens.output:,}"
        )


@dataclass(frozen=True, slots=True)
class BudgetMetrics(_Snapshot):
    """The run budget's usage; a limit of None means that resource is not capped."""

    turns_used: int
    turns_limit: int | None
    tokens_used: int
    tokens_limit: int | None

    def summary(self) -> str:
        def part(used: int, limit: int | None) -> str:
            return f"{used:,}" if limit is None else f"{used:,}/{limit:,}"

        return (
            f"budget turns {part(self.turns_used, self.turns_limit)}, "
            f"tokens {part(self.tokens_used, self.tokens_limit)}"
        )


@dataclass(frozen=True, slots=True)
class MapMetrics(_Snapshot):
    """A parallel-map's progress: its items, how many have started and finished, and
    how many of those failed."""

    items: int
    started: int
    finished: int
    failed: int
