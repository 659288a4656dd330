"""The run budget: totals of turns, context tokens, billed tokens and cost across every
Handler of a run or REPL session, with optional caps, as a guard against runaway programs
and runaway bills.

A Handler charges the budget before its own limit, under the budget's lock, so the
caps hold exactly however many tasks run at once. The budget never pools the per-task
limits: each task is still bounded by its own Handler.

What a request bills is known only from its answer, so billed tokens and cost are held
at their worst case when the request's turn is charged (its input as counted, plus the
output cap it is sent with) and settled with the real figures when the answer comes:
requests in flight together can never bill more than the caps allow.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from interpreter.errors import ConfigError
from interpreter.limits.events import Event, EventBus
from interpreter.limits.metrics import BudgetMetrics
from interpreter.limits.prices import dollars, exact
from interpreter.limits.settings import SETTINGS

BudgetResource = Literal["budget-turns", "budget-tokens", "budget-billed-tokens", "budget-cost"]
# The resources a request's answer settles, and the ones a charge is made in.
SpendResource = Literal["budget-billed-tokens", "budget-cost"]
SPEND_RESOURCES: tuple[SpendResource, ...] = ("budget-billed-tokens", "budget-cost")
# How long a request waiting for holds to settle sleeps between looks (it is woken at
# once by a settle; the timeout only lets an interrupt reach a waiting thread).
_WAIT_SECONDS = 0.05


@dataclass(frozen=True, slots=True)
class Spend:
    """Billed tokens and what they cost, in exact dollars (None: the price is unknown)."""

    tokens: int
    cost: Fraction | None

    def amount(self, resource: SpendResource) -> int | Fraction | None:
        return self.tokens if resource == "budget-billed-tokens" else self.cost


def scaled(fraction: float, whole: int, rounding: Callable[[Fraction], int]) -> int:
    """`fraction * whole`, rounded, computed as the decimal reads (0.29 * 100 is 29, not 28)."""
    return rounding(Fraction(repr(fraction)) * whole)


class BudgetRefusal(Exception):
    """Raised by Budget to the charging Handler, which turns it into BudgetExhaustedError."""

    def __init__(self, resource: BudgetResource, amount: int | Fraction, metrics: BudgetMetrics):
        super().__init__(resource)
        self.resource = resource
        self.amount = amount
        self.metrics = metrics

    def describe(self, task: str) -> str:
        m = self.metrics
        stopped = f"task {task!r} stopped by the run budget"
        if self.resource == "budget-turns":
            return f"{stopped}: {m.turns_used:,} of {m.turns_limit:,} turns used across the run"
        if self.resource == "budget-tokens":
            return (
                f"{stopped}: {m.tokens_used:,} + {self.amount:,} tokens would exceed the "
                f"run's limit of {m.tokens_limit:,} tokens"
            )
        if self.resource == "budget-billed-tokens" and not self.amount:
            return (
                f"{stopped}: {m.billed_tokens_used:,} billed tokens are past the run's limit "
                f"of {m.billed_tokens_limit:,}"
            )
        if self.resource == "budget-cost" and not self.amount:
            return (
                f"{stopped}: {dollars(m.cost_used)} spent is past the run's cost limit of "
                f"{dollars(m.cost_limit)}"
            )
        if self.resource == "budget-billed-tokens":
            return (
                f"{stopped}: {m.billed_tokens_used:,} billed + {m.billed_tokens_reserved:,} "
                f"held for requests in flight + {self.amount:,} this request may bill at worst "
                f"would exceed the run's limit of {m.billed_tokens_limit:,} billed tokens"
            )
        return (
            f"{stopped}: {dollars(m.cost_used)} spent + {dollars(m.cost_reserved)} held for "
            f"requests in flight + {dollars(self.amount)} this request may cost at worst "
            f"would exceed the run's cost limit of {dollars(m.cost_limit)}"
        )


class Budget:
    """Run-wide totals of turns, context tokens, billed tokens and cost across all Handlers
    of a run or REPL session, with optional caps (`max_cost` in US dollars). Thread-safe;
    Handlers charge it, nobody else needs to."""

    def __init__(
        self,
        max_turns: int | None = None,
        max_tokens: int | None = None,
        events: EventBus | None = None,
        warning_threshold: float = 0.8,
        *,
        max_billed_tokens: int | None = None,
        max_cost: float | None = None,
    ) -> None:
        # each is checked as the setting it comes from, range included
        checks = [
            ("max_turns", max_turns, "budget_turns"),
            ("max_tokens", max_tokens, "budget_tokens"),
            ("max_billed_tokens", max_billed_tokens, "budget_billed_tokens"),
            ("max_cost", max_cost, "budget_cost"),
            ("warning_threshold", warning_threshold, "warning_threshold"),
        ]
        for name, value, setting in checks:
            problem = None if value is None else SETTINGS[setting].problem(value, {})
            if problem:
                raise ConfigError(f"Budget {name} = {value!r} {problem}")
        self.events = events
        self._limits: dict[BudgetResource, int | Fraction | None] = {
            "budget-turns": max_turns,
            "budget-tokens": max_tokens,
            "budget-billed-tokens": max_billed_tokens,
            "budget-cost": None if max_cost is None else exact(max_cost),
        }
        threshold = exact(warning_threshold)
        self._warn_at = {
            resource: None if limit is None else _warn_at(threshold, limit, resource)
            for resource, limit in self._limits.items()
        }
        self._used: dict[BudgetResource, int | Fraction] = dict.fromkeys(self._limits, 0)
        self._held: dict[object, Spend] = {}
        self._cost_unknown = False
        self._warned: set[BudgetResource] = set()
        self._lock = threading.Lock()
        self._settled = threading.Condition(self._lock)

    def snapshot(self) -> BudgetMetrics:
        with self._lock:
            return self._snapshot()

    def _snapshot(self) -> BudgetMetrics:
        used, limits = self._used, self._limits
        cost_limit = limits["budget-cost"]
        return BudgetMetrics(
            turns_used=int(used["budget-turns"]),
            turns_limit=_whole(limits["budget-turns"]),
            tokens_used=int(used["budget-tokens"]),
            tokens_limit=_whole(limits["budget-tokens"]),
            billed_tokens_used=int(used["budget-billed-tokens"]),
            billed_tokens_limit=_whole(limits["budget-billed-tokens"]),
            billed_tokens_reserved=int(self._held_total("budget-billed-tokens")),
            cost_used=None if self._cost_unknown else float(used["budget-cost"]),
            cost_limit=None if cost_limit is None else float(cost_limit),
            cost_reserved=float(self._held_total("budget-cost")),
        )

    def _held_total(self, resource: SpendResource) -> int | Fraction:
        return sum((held.amount(resource) or 0 for held in self._held.values()), 0)

    def check(self, resource: BudgetResource, amount: int | Fraction) -> None:
        """Raise BudgetRefusal if `amount` more would exceed the cap; charges nothing."""
        with self._lock:
            limit = self._limits[resource]
            if limit is not None and self._used[resource] + amount > limit:
                raise BudgetRefusal(resource, amount, self._snapshot())

    def charge(
        self,
        resource: BudgetResource,
        amount: int,
        gate: Callable[[], None],
        hold: Spend | None = None,
        holder: object = None,
    ) -> Event | None:
        """Charge `amount` if the budget allows it and then `gate` (the Handler's own
        check) does not raise; returns a warning event to publish, if one is due.

        With `hold` (a request's worst-case spend, charged with its turn), the billed
        tokens and cost caps must also allow it on top of what is spent and held; it is
        then held for `holder` until `settle(holder, ...)`. A hold that fits what is
        spent but not what requests in flight hold waits for them to settle (they may
        bill less than they hold); one that cannot fit whatever they bill is refused."""
        with self._lock:
            while True:
                used, limit = self._used[resource], self._limits[resource]
                if limit is not None and used + amount > limit:
                    raise BudgetRefusal(resource, amount, self._snapshot())
                if hold is None or self._fits(hold):
                    break
                self._settled.wait(_WAIT_SECONDS)
            gate()
            if hold is not None:
                self._held[holder] = hold
            self._used[resource] = used + amount
            return self._warning(resource)

    def _fits(self, hold: Spend) -> bool:
        """Whether `hold` fits beside what is spent and held; False if it must wait for
        holds to settle. Refuses one that would not fit even if they billed nothing."""
        fits = True
        for resource in SPEND_RESOURCES:
            limit, amount = self._limits[resource], hold.amount(resource)
            if limit is None:
                continue
            if amount is None:
                raise ConfigError("the run has a cost budget, but this model's price is not known")
            if self._used[resource] + amount > limit:
                raise BudgetRefusal(resource, amount, self._snapshot())
            fits = fits and self._used[resource] + self._held_total(resource) + amount <= limit
        return fits

    def settle(self, holder: object, spent: Spend | None) -> list[Event]:
        """Release what `holder` held and charge what its request really billed (`spent`;
        None: nothing). Returns the warning events due. What was billed is charged even
        beyond a cap: it has been spent (a provider reporting more input than was
        counted is the one way a request bills more than its hold)."""
        with self._lock:
            self._held.pop(holder, None)
            self._settled.notify_all()
            if spent is None:
                return []
            self._used["budget-billed-tokens"] += spent.tokens
            if spent.cost is None:
                self._cost_unknown = True
            else:
                self._used["budget-cost"] += spent.cost
            warnings = [self._warning(resource) for resource in SPEND_RESOURCES]
            return [warning for warning in warnings if warning is not None]

    def _warning(self, resource: BudgetResource) -> Event | None:
        """The warning event for `resource`, if it has just reached its threshold."""
        used, warn_at = self._used[resource], self._warn_at[resource]
        if warn_at is None or used < warn_at or resource in self._warned:
            return None
        if resource == "budget-cost" and self._cost_unknown:
            return None
        self._warned.add(resource)
        if self.events is None or not self.events.active:
            return None
        limit = self._limits[resource]
        detail = {"resource": resource, "used": _shown(used), "limit": _shown(limit)}
        return Event("warning", None, None, self._snapshot(), detail)


def _warn_at(
    threshold: Fraction, limit: int | Fraction, resource: BudgetResource
) -> int | Fraction:
    """Where the warning fires: a whole number of turns or tokens, an exact cost."""
    at = threshold * limit
    return at if resource == "budget-cost" else math.ceil(at)


def _whole(limit: int | Fraction | None) -> int | None:
    return None if limit is None else int(limit)


def _shown(amount: int | Fraction | None) -> int | float | None:
    """A figure as JSON shows it: a cost in dollars as a number."""
    return float(amount) if isinstance(amount, Fraction) else amount
