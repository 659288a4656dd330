"""The run budget: totals of turns and context tokens across every Handler of a run or
REPL session, with optional caps, as a guard against runaway programs.

A Handler charges the budget before its own limit, under the budget's lock, so the
caps hold exactly however many tasks run at once. The budget never pools the per-task
limits: each task is still bounded by its own Handler.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from fractions import Fraction
from typing import Literal

from interpreter.errors import ConfigError
from interpreter.limits.events import Event, EventBus
from interpreter.limits.metrics import BudgetMetrics
from interpreter.limits.models import whole_number_problem
from interpreter.limits.settings import fraction_problem

BudgetResource = Literal["budget-turns", "budget-tokens"]


def scaled(fraction: float, whole: int, rounding: Callable[[Fraction], int]) -> int:
    """`fraction * whole`, rounded, computed as the decimal reads (0.29 * 100 is 29, not 28)."""
    return rounding(Fraction(repr(fraction)) * whole)


class BudgetRefusal(Exception):
    """Raised by Budget to the charging Handler, which turns it into BudgetExhaustedError."""

    def __init__(self, resource: BudgetResource, amount: int, metrics: BudgetMetrics):
        super().__init__(resource)
        self.resource = resource
        self.amount = amount
        self.metrics = metrics
        turns = resource == "budget-turns"
        self.used = metrics.turns_used if turns else metrics.tokens_used
        self.limit = metrics.turns_limit if turns else metrics.tokens_limit

    def describe(self, task: str) -> str:
        if self.resource == "budget-turns":
            return (
                f"task {task!r} stopped by the run budget: "
                f"{self.used:,} of {self.limit:,} turns used across the run"
            )
        return (
            f"task {task!r} stopped by the run budget: {self.used:,} + {self.amount:,} "
            f"tokens would exceed the run's limit of {self.limit:,} tokens"
        )


class Budget:
    """Run-wide totals of turns and context tokens across all Handlers of a run or REPL
    session, with optional caps. Thread-safe; Handlers charge it, nobody else needs to."""

    def __init__(
        self,
        max_turns: int | None = None,
        max_tokens: int | None = None,
        events: EventBus | None = None,
        warning_threshold: float = 0.8,
    ) -> None:
        checks = [
            ("max_turns", max_turns, whole_number_problem),
            ("max_tokens", max_tokens, whole_number_problem),
            ("warning_threshold", warning_threshold, fraction_problem),
        ]
        for name, value, check in checks:
            problem = None if value is None else check(value)
            if problem:
                raise ConfigError(f"Budget {name} = {value!r} {problem}")
        self.events = events
        self._limits: dict[BudgetResource, int | None] = {
            "budget-turns": max_turns,
            "budget-tokens": max_tokens,
        }
        self._warn_at = {
            resource: None if limit is None else scaled(warning_threshold, limit, math.ceil)
            for resource, limit in self._limits.items()
        }
        self._used: dict[BudgetResource, int] = {"budget-turns": 0, "budget-tokens": 0}
        self._warned: set[BudgetResource] = set()
        self._lock = threading.Lock()

    def snapshot(self) -> BudgetMetrics:
        with self._lock:
            return self._snapshot()

    def _snapshot(self) -> BudgetMetrics:
        return BudgetMetrics(
            turns_used=self._used["budget-turns"],
            turns_limit=self._limits["budget-turns"],
            tokens_used=self._used["budget-tokens"],
            tokens_limit=self._limits["budget-tokens"],
        )

    def check(self, resource: BudgetResource, amount: int) -> None:
        """Raise BudgetRefusal if `amount` more would exceed the cap; charges nothing."""
        with self._lock:
            limit = self._limits[resource]
            if limit is not None and self._used[resource] + amount > limit:
                raise BudgetRefusal(resource, amount, self._snapshot())

    def charge(
        self, resource: BudgetResource, amount: int, gate: Callable[[], None]
    ) -> Event | None:
        """Charge `amount` if the budget allows it and then `gate` (the Handler's own
        check) does not raise; returns a warning event to publish, if one is due."""
        with self._lock:
            used, limit = self._used[resource], self._limits[resource]
            if limit is not None and used + amount > limit:
                raise BudgetRefusal(resource, amount, self._snapshot())
            gate()
            used = self._used[resource] = used + amount
            warn_at = self._warn_at[resource]
            if warn_at is None or used < warn_at or resource in self._warned:
                return None
            self._warned.add(resource)
            if self.events is None or not self.events.active:
                return None
            detail = {"resource": resource, "used": used, "limit": limit}
            return Event("warning", None, None, self._snapshot(), detail)
