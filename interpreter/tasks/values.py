"""Metrics, budgets and task errors as values a program can read.

A program that handles a resource error wants to know what ran out and by how much, so
the snapshots the Handler makes are given to it as association lists with symbol keys,
nested the way the figures are grouped (`(metrics-ref m 'context 'peak-usage)`), and each task
error kind has a predicate and accessors.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from interpreter.errors import (
    ProviderError,
    ResourceExhaustionError,
    SchemeError,
    SchemeTypeError,
    TaskOutputError,
)
from interpreter.lang.datums import NIL, Pair, Symbol, frozen, is_pair, pairs, python_to_list
from interpreter.lang.primitives.json import from_python
from interpreter.lang.printer import write_abbreviated
from interpreter.lang.raising import type_error
from interpreter.limits.metrics import BudgetMetrics, ResourceMetrics


def _alist(*entries: tuple[str, Any]) -> Any:
    return python_to_list([Pair(Symbol(key), _scheme(value)) for key, value in entries])


def _scheme(value: Any) -> Any:
    """None (a figure not known) is #f; a time is an ISO 8601 UTC string."""
    if value is None:
        return False
    if isinstance(value, datetime):
        return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return value


def metrics_value(metrics: ResourceMetrics) -> Any:
    """`((task . "classify") (model . "...") (turns (used . 2) (limit . 3) (last-turn-at
    . "...Z")) (context (used . N) (limit . N) (peak-usage . N)) (tokens (input . N) (output
    . N) (reported-input . N) (reported-output . N)) (billed (input . N) (output . N)
    (cached-input . N) (source . provider) (cost . X) (output-limit . N) (cost-limit
    . X)) (tool-errors . N) (time (elapsed . SECONDS) (limit . SECONDS)))`; unknown
    figures, and limits not set, are #f."""
    turns, context, tokens, billed = metrics.turns, metrics.context, metrics.tokens, metrics.billed
    return _alist(
        ("task", metrics.task),
        ("model", metrics.model),
        (
            "turns",
            _alist(
                ("used", turns.used), ("limit", turns.limit), ("last-turn-at", turns.last_turn_at)
            ),
        ),
        (
            "context",
            _alist(
                ("used", context.used),
                ("limit", context.limit),
                ("peak-usage", context.peak_usage),
            ),
        ),
        (
            "tokens",
            _alist(
                ("input", tokens.input),
                ("output", tokens.output),
                ("reported-input", tokens.reported_input),
                ("reported-output", tokens.reported_output),
            ),
        ),
        (
            "billed",
            _alist(
                ("input", billed.input),
                ("output", billed.output),
                ("cached-input", billed.cached_input),
                ("source", billed.source and Symbol(billed.source)),
                ("cost", billed.cost),
                ("output-limit", billed.output_limit),
                ("cost-limit", billed.cost_limit),
            ),
        ),
        ("tool-errors", metrics.tool_errors),
        ("time", _alist(("elapsed", metrics.time.elapsed), ("limit", metrics.time.limit))),
    )


def budget_value(budget: BudgetMetrics) -> Any:
    """`((turns (used . N) (limit . N)) (tokens (used . N) (limit . N)) (billed-tokens
    (used . N) (limit . N) (reserved . N)) (cost (used . X) (limit . X) (reserved . X)))`;
    an uncapped limit, and a cost that is not known, is #f."""
    return _alist(
        ("turns", _alist(("used", budget.turns_used), ("limit", budget.turns_limit))),
        ("tokens", _alist(("used", budget.tokens_used), ("limit", budget.tokens_limit))),
        (
            "billed-tokens",
            _alist(
                ("used", budget.billed_tokens_used),
                ("limit", budget.billed_tokens_limit),
                ("reserved", budget.billed_tokens_reserved),
            ),
        ),
        (
            "cost",
            _alist(
                ("used", budget.cost_used),
                ("limit", budget.cost_limit),
                ("reserved", budget.cost_reserved),
            ),
        ),
    )


def transcript_value(transcript: list[dict[str, Any]]) -> Any:
    """Messages as alists: `((role . "user") (content . "..."))`, with `tool-calls` (each
    `((id . ...) (name . ...) (arguments . JSON-as-Scheme))`), `tool-call-id`, `is-error`."""
    return python_to_list([_message_value(message) for message in transcript])


def _message_value(message: dict[str, Any]) -> Any:
    entries = []
    for key, value in message.items():
        if key == "tool_calls":
            value = python_to_list([_call_value(call) for call in value])
        entries.append((key.replace("_", "-"), value))
    return _alist(*entries)


def _call_value(call: dict[str, Any]) -> Any:
    return python_to_list(
        [
            Pair(Symbol("id"), call["id"]),
            Pair(Symbol("name"), call["name"]),
            Pair(Symbol("arguments"), from_python(call["arguments"])),
        ]
    )


def metrics_ref(metrics: Any, *keys: Any) -> Any:
    """`(metrics-ref m 'context 'peak-usage)`: walk nested alists by symbol keys; a missing
    key is an error listing the keys that are there. An older name (`_ALIASES`) reads the
    figure under its current name."""
    value = metrics
    walked: list[str] = []
    for position, given in enumerate(keys, 2):
        key = frozen(given)
        if isinstance(key, str):
            key = Symbol(key)
        if not isinstance(key, Symbol):
            raise type_error("metrics-ref", "a symbol key", key, position)
        entries = _entries(value, walked)
        if key not in entries:
            key = _ALIASES.get(key, key)
        if key not in entries:
            where = f" under {' '.join(walked)}" if walked else ""
            available = ", ".join(entry.name for entry in entries) or "none"
            raise SchemeError(f"metrics-ref: no key {key.name}{where}; the keys are: {available}")
        value = entries[key]
        walked.append(key.name)
    return value


def _entries(value: Any, walked: list[str]) -> dict[Symbol, Any]:
    entries: dict[Symbol, Any] = {}
    node = value
    for pair in pairs("metrics-ref", value, f"the value under {' '.join(walked)}" if walked else 1):
        if not (is_pair(pair.car) and isinstance(pair.car.car, Symbol)):
            break
        entries.setdefault(pair.car.car, pair.car.cdr)
        node = pair.cdr
    if node is NIL and entries:
        return entries
    if walked:
        raise SchemeError(
            f"metrics-ref: {' '.join(walked)} is not a metrics alist: {write_abbreviated(value)}"
        )
    if value is False:
        raise SchemeTypeError(f"{type_error('metrics-ref', _METRICS, value, 1)} ({_NO_METRICS})")
    raise type_error("metrics-ref", _METRICS, value, 1)


# The names figures were read by before they took the seed's names (`peakUsage`).
_ALIASES = {Symbol("peak"): Symbol("peak-usage")}
_METRICS = "a metrics alist"
# why a program holds #f where it expected metrics
_NO_METRICS = "(task-metrics) is #f until a task has finished"


def _accessor(
    name: str, kind: type, what: str, read: Callable[[Any], Any]
) -> tuple[str, Callable[[Any], Any]]:
    def access(error: Any) -> Any:
        if not isinstance(error, kind):
            raise type_error(name, what, error, 1)
        return read(error)

    return name, access


def _predicate(name: str, kind: type) -> tuple[str, Callable[[Any], bool]]:
    return name, lambda value: isinstance(value, kind)


_RESOURCE = "a resource-exhausted error"

PROCEDURES: dict[str, Callable[..., Any]] = dict(
    [
        ("metrics-ref", metrics_ref),
        _predicate("resource-exhausted?", ResourceExhaustionError),
        _accessor(
            "resource-error-resource",
            ResourceExhaustionError,
            _RESOURCE,
            lambda e: Symbol(e.resource),
        ),
        _accessor(
            "resource-error-metrics",
            ResourceExhaustionError,
            _RESOURCE,
            lambda e: metrics_value(e.metrics),
        ),
        _accessor("resource-error-task", ResourceExhaustionError, _RESOURCE, lambda e: e.task),
        _accessor(
            "resource-error-transcript",
            ResourceExhaustionError,
            _RESOURCE,
            lambda e: transcript_value(e.transcript),
        ),
        _predicate("provider-error?", ProviderError),
        _accessor(
            "provider-error-reason", ProviderError, "a provider error", lambda e: Symbol(e.reason)
        ),
        _predicate("task-output-error?", TaskOutputError),
        _accessor("task-output-raw", TaskOutputError, "a task output error", lambda e: e.raw),
    ]
)
