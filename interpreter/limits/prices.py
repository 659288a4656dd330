"""What tokens cost: the price table of known models, and cost arithmetic.

Prices are US dollars per million tokens: input, cached input (input the provider served
from its prompt cache, billed at a discount) and output. They are list prices as the
vendors publish them, shipped here so that no price is ever fetched over the network;
`[models."SPEC"]` in configuration corrects them or prices a model that is not listed.
A model with no price has an unknown cost, never a zero one.

Costs are computed exactly, as `Fraction`s of a dollar, from the prices as written
(0.15 is 15/100, not the nearest binary float): a cost budget compares sums of many
small costs against its cap, and rounding must never let a sum slip past it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from interpreter.errors import ConfigError

PER_PRICE_UNIT = 1_000_000  # prices are per million tokens

# The `[models."SPEC"]` keys that price a model.
PRICE_FIELDS = ("input_price", "cached_input_price", "output_price")


def exact(value: float | int) -> Fraction:
    """`value` as the decimal it reads as: 0.15 is exactly 15/100."""
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


@dataclass(frozen=True, slots=True)
class Prices:
    """US dollars per million tokens. `cached_input` is the price of input served from
    the provider's prompt cache."""

    input: float
    cached_input: float
    output: float

    def cost(self, input_tokens: int, output_tokens: int, cached_input_tokens: int = 0) -> Fraction:
        """The exact cost in dollars; `cached_input_tokens` are part of `input_tokens`."""
        fresh = input_tokens - cached_input_tokens
        total = (
            fresh * exact(self.input)
            + cached_input_tokens * exact(self.cached_input)
            + output_tokens * exact(self.output)
        )
        return total / PER_PRICE_UNIT

    def summary(self) -> str:
        """The prices as people read them: `input $0.15, cached input $0.075, output $0.60
        per million tokens`."""
        return (
            f"input {dollars(self.input)}, cached input {dollars(self.cached_input)}, "
            f"output {dollars(self.output)} per million tokens"
        )

    def worst_cost(self, input_tokens: int, output_tokens: int) -> Fraction:
        """The most `input_tokens` and `output_tokens` can cost, whichever input is cached."""
        dearest = max(exact(self.input), exact(self.cached_input))
        return (input_tokens * dearest + output_tokens * exact(self.output)) / PER_PRICE_UNIT


# name -> (input, cached input, output), dollars per million tokens: the vendors' list
# prices (standard tier). Anthropic's cached input is its cache-read price.
KNOWN_PRICES: dict[str, tuple[float, float, float]] = {
    "gpt-4o": (2.50, 1.25, 10.00),
    "gpt-4o-mini": (0.15, 0.075, 0.60),
    "gpt-4.1": (2.00, 0.50, 8.00),
    "gpt-4.1-mini": (0.40, 0.10, 1.60),
    "gpt-4.1-nano": (0.10, 0.025, 0.40),
    "gpt-4-turbo": (10.00, 10.00, 30.00),
    "gpt-3.5-turbo": (0.50, 0.50, 1.50),
    "o1": (15.00, 7.50, 60.00),
    "o3": (2.00, 0.50, 8.00),
    "o3-mini": (1.10, 0.55, 4.40),
    "o4-mini": (1.10, 0.275, 4.40),
    "gpt-5": (1.25, 0.125, 10.00),
    "gpt-5-mini": (0.25, 0.025, 2.00),
    "gpt-5-nano": (0.05, 0.005, 0.40),
    "claude-3-5-sonnet-latest": (3.00, 0.30, 15.00),
    "claude-3-5-haiku-latest": (0.80, 0.08, 4.00),
    "claude-3-7-sonnet-latest": (3.00, 0.30, 15.00),
    "claude-sonnet-4-0": (3.00, 0.30, 15.00),
    "claude-sonnet-4-5": (3.00, 0.30, 15.00),
    "claude-opus-4-1": (15.00, 1.50, 75.00),
    "claude-haiku-4-5": (1.00, 0.10, 5.00),
}


def unknown_price_error(spec: str, why: str) -> ConfigError:
    """The error for a cost limit on a model with no known price: `why` says which limit
    cannot be kept; the message shows how to give the price."""
    return ConfigError(
        f"{why}: the price of {spec} is not known. Give it in taskscheme.toml (US dollars "
        f'per million tokens):\n\n[models."{spec}"]\ninput_price = 0.15\n'
        "output_price = 0.60\ncached_input_price = 0.075   # optional"
    )


def price_problem(value: object) -> str | None:
    """Why `value` is not a price (a finite number >= 0), or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "must be a number (US dollars per million tokens)"
    if (isinstance(value, float) and not math.isfinite(value)) or not value >= 0:
        return "must be a finite number, at least 0"
    return None


def resolve_prices(
    known: tuple[float, float, float] | None, override: dict[str, float]
) -> Prices | None:
    """The prices of a model: the known ones, field by field corrected by `override`
    (its `[models."SPEC"]` entry). Unknown (None) unless both the input and the output
    price are known; a cached-input price not given is the input price."""
    fields = dict(zip(PRICE_FIELDS, known or (None, None, None), strict=True))
    fields.update({key: value for key, value in override.items() if key in PRICE_FIELDS})
    if fields["input_price"] is None or fields["output_price"] is None:
        return None
    cached = fields["cached_input_price"]
    return Prices(
        fields["input_price"],
        fields["input_price"] if cached is None else cached,
        fields["output_price"],
    )


def dollars(cost: Fraction | float | None) -> str:
    """A cost as people read it, to the millionth of a dollar: `$0.50`, `$0.000123`;
    None (no price known) is `unknown`."""
    if cost is None:
        return "unknown"
    whole, _, cents = f"{float(cost):,.6f}".partition(".")
    return f"${whole}.{cents.rstrip('0').ljust(2, '0')}"
