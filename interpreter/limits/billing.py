"""What one task is billed: its billed tokens and cost, its output and cost limits, and
the worst case each of its requests can bill.

A Handler owns one `Billing` and calls it with its own lock held, so nothing here locks.
The figures per answer are the provider's reported usage where it reported one and our
own count otherwise; `source` says which.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from interpreter.errors import Resource
from interpreter.limits.budget import Spend
from interpreter.limits.messages import Usage
from interpreter.limits.metrics import BilledMetrics
from interpreter.limits.prices import Prices, dollars, exact
from interpreter.limits.settings import HandlerConfig

# The output cap of a request whose task sets none, when a cost or billed-token limit
# needs one to know the most the request can bill (Anthropic's API requires a cap and
# taskscheme has always sent it this one).
DEFAULT_OUTPUT_CAP = 4096


class Billing:
    """One task's billed figures and spend limits. `spend_limited`: whether a cost or
    billed-token limit applies to its requests (its own or the run budget's), which then
    always carry an output cap."""

    def __init__(self, config: HandlerConfig, prices: Prices | None, spend_limited: bool) -> None:
        self.config = config
        self.prices = prices
        self.spend_limited = spend_limited
        self.tokens = {"input": 0, "output": 0, "cached_input": 0}
        self.sources: set[str] = set()
        self.cost: Fraction | None = None if prices is None else Fraction(0)
        # the worst case of the request in flight, held in the run budget until settled
        self.hold: Spend | None = None

    def output_cap(self) -> int | None:
        """The output cap of the next request: what is left of the task's
        max_output_tokens, else the default cap if a cost or billed-token limit needs
        one, else none."""
        limit = self.config.max_output_tokens
        if limit is not None:
            return limit - self.tokens["output"]
        return DEFAULT_OUTPUT_CAP if self.spend_limited else None

    def worst_case(self, context: int, cap: int) -> Spend:
        """The most the next request can bill: its input (`context`, as counted) plus `cap`."""
        worst = None if self.prices is None else self.prices.worst_cost(context, cap)
        return Spend(context + cap, worst)

    def record(
        self, usage: Usage | None, counted_input: int, counted_output: int
    ) -> dict[str, Any]:
        """Add one answer's billed figures; returns them (a `billed` event's detail), and
        releases the hold of its request."""
        if usage is None:
            billed = (counted_input, counted_output, 0)
        else:
            billed = (usage.input_tokens, usage.output_tokens, usage.cached_input_tokens)
        source = "counted" if usage is None else "provider"
        self.sources.add(source)
        for key, tokens in zip(("input", "output", "cached_input"), billed, strict=True):
            self.tokens[key] += tokens
        cost = None if self.prices is None else self.prices.cost(*billed)
        if cost is not None and self.cost is not None:
            self.cost += cost
        self.hold = None
        return {
            "input": billed[0],
            "output": billed[1],
            "cached_input": billed[2],
            "source": source,
            "cost": cost,
        }

    def limit_problem(
        self, task: str, context: int, worst: Spend, cap: int
    ) -> tuple[Resource, str] | None:
        """The task's own output or cost limit the next request would break at worst,
        and the message saying so; None if it may be sent."""
        if cap < 1:
            return "output-tokens", self._output_used(task)
        limit_cost = self.config.max_cost
        if limit_cost is None or worst.cost is None or self.cost is None:
            return None
        if self.cost + worst.cost <= exact(limit_cost):
            return None
        return "cost", (
            f"task {task!r} stopped by its cost limit: {dollars(self.cost)} spent + "
            f"{dollars(worst.cost)} the next request may cost at worst ({context:,} input + "
            f"{cap:,} output tokens) would exceed {dollars(limit_cost)}"
        )

    def overspent(self, task: str) -> tuple[Resource, str] | None:
        """The task's own output or cost limit what it was billed is already past, and
        the message saying so; None if neither is. Only an answer that billed more than
        its request's worst case (more output than the cap it was sent with, more input
        than was counted) can take it past."""
        limit = self.config.max_output_tokens
        if limit is not None and self.tokens["output"] > limit:
            return "output-tokens", self._output_used(task)
        limit_cost = self.config.max_cost
        if limit_cost is not None and self.cost is not None and self.cost > exact(limit_cost):
            return "cost", (
                f"task {task!r} stopped by its cost limit: {dollars(self.cost)} spent is past "
                f"{dollars(limit_cost)}"
            )
        return None

    def _output_used(self, task: str) -> str:
        billed, limit = self.tokens["output"], self.config.max_output_tokens
        return f"task {task!r} exhausted its output tokens: {billed:,} of {limit:,} billed"

    def warnings(self) -> list[tuple[Resource, float, float]]:
        """The task's spend limits as (resource, used, limit), for the warning at the
        threshold."""
        figures: list[tuple[Resource, float, float]] = []
        if self.config.max_output_tokens is not None:
            figures.append(("output-tokens", self.tokens["output"], self.config.max_output_tokens))
        if self.config.max_cost is not None and self.cost is not None:
            figures.append(("cost", float(self.cost), self.config.max_cost))
        return figures

    def metrics(self) -> BilledMetrics:
        return BilledMetrics(
            **self.tokens,
            source="mixed" if len(self.sources) > 1 else next(iter(self.sources), None),
            cost=None if self.cost is None else float(self.cost),
            output_limit=self.config.max_output_tokens,
            cost_limit=self.config.max_cost,
        )
