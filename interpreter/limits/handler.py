"""The Handler: one per task execution, it counts turns and context tokens and enforces
the limits (seed: Resource Tracking, Context Management, Error Handling).

Every charge is check-then-commit under one lock: a turn is counted before its request is
sent and content before it enters the conversation, and a charge that would cross a limit
raises `ResourceExhaustionError` and changes nothing, so a limit is never exceeded. Each
message is tokenized once, when it is added; the conversation is never re-counted. A run
may share one `Budget` among all its Handlers as a guard against runaway programs; it is
checked before each Handler's own limit and never pools the per-task limits.

A task's time (`max_seconds`) is checked before each turn like the turns; its runner
enforces the deadline during a request. What an answer bills is known only when it comes:
one billed past a spend limit (a provider that ignores the output cap) ends the task
there, and every exhaustion's message ends by saying how to raise the limit
(limits/guidance.py).

Events are collected while the lock is held and published after it is released, so
observers always see consistent snapshots and may call back into the Handler.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any, Literal

from interpreter.errors import (
    BudgetExhaustedError,
    HandlerReleasedError,
    ProviderError,
    Resource,
    ResourceExhaustionError,
)
from interpreter.limits.billing import Billing
from interpreter.limits.budget import (
    SPEND_RESOURCES,
    Budget,
    BudgetRefusal,
    BudgetResource,
    Spend,
    scaled,
)
from interpreter.limits.events import Event, EventBus, EventKind
from interpreter.limits.guidance import recovery
from interpreter.limits.messages import Message, ModelResponse, Usage
from interpreter.limits.metrics import (
    BudgetMetrics,
    ContextMetrics,
    ResourceMetrics,
    TimeMetrics,
    TokenMetrics,
    TurnMetrics,
)
from interpreter.limits.models import ModelInfo
from interpreter.limits.prices import exact, unknown_price_error
from interpreter.limits.settings import HandlerConfig
from interpreter.limits.tokens import get_encoding, longest_token_bytes
from interpreter.source import Span

Encode = Callable[[str], list[int]]

# Content longer than this that cannot fit even at its fewest possible tokens is refused
# before it is tokenized (tokenizing it would take a noticeable time only to refuse it);
# shorter content is always counted exactly, so which limit refuses it is exact too.
QUICK_REFUSAL_CHARACTERS = 100_000
Pending = list[tuple[EventBus, Event]]
PartRole = Literal["tools", "output"]

_PART_TEXT: dict[PartRole, str] = {"tools": "the tool descriptions", "output": "the output format"}


def _body_tokens(message: Message, encode: Encode) -> int:
    tokens = len(encode(message.content)) if message.content else 0
    for call in message.tool_calls:
        tokens += len(encode(call.name)) + len(encode(call.arguments_json))
    return tokens


def message_tokens(message: Message, model: ModelInfo) -> int:
    """What `message` costs in `model`'s context: its content, each tool call's name and
    JSON arguments, and the model's per-message overhead."""
    encode = get_encoding(model.encoding).encode_ordinary
    return _body_tokens(message, encode) + model.message_overhead


_handler_ids = itertools.count(1)


def next_handler_id() -> int:
    """A Handler id no Handler of this process has: events from Handlers in other
    processes (Ray workers) are renumbered with these, so ids stay unique in a trace."""
    return next(_handler_ids)


class Handler:
    """Counts and limits one task execution's turns and context.

    Use it as a context manager: entering charges the system prompt (as the first
    message), leaving releases it whatever happened. Without `with`, call `start()` (or
    let the first charge do it) and `release()`.
    """

    def __init__(
        self,
        config: HandlerConfig,
        model: ModelInfo,
        *,
        task: str = "<task>",
        call_site: Span | None = None,
        budget: Budget | None = None,
        events: EventBus | None = None,
    ) -> None:
        self.id = next(_handler_ids)
        # What the run budget knows this Handler's hold by: unique across processes, as a
        # budget may be shared by Handlers in other processes (Ray workers).
        self._hold_key = uuid.uuid4().hex
        self.config = config
        self.model = model
        self.task = task
        self.call_site = call_site
        self.budget = budget
        self.events = events
        self.turn_limit = config.max_turns
        self.time_limit = config.max_seconds
        # when the task started (time.monotonic()), set by `start`
        self._started_at: float | None = None
        self.context_limit = scaled(
            config.max_context_window_fraction, model.input_window, math.floor
        )
        threshold = config.warning_threshold
        self._warn_at: dict[str, int | Fraction] = {
            "turns": scaled(threshold, self.turn_limit, math.ceil),
            "context": scaled(threshold, self.context_limit, math.ceil),
        }
        if config.max_output_tokens is not None:
            self._warn_at["output-tokens"] = scaled(threshold, config.max_output_tokens, math.ceil)
        if config.max_cost is not None:
            self._warn_at["cost"] = exact(threshold) * exact(config.max_cost)
        self._encode: Encode = get_encoding(model.encoding).encode_ordinary
        self._longest_token = longest_token_bytes(model.encoding)
        self._lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._started = False
        self._final: ResourceMetrics | None = None
        self._messages: list[Message] = []
        self._part_names: dict[PartRole, set[str]] = {"tools": set(), "output": set()}
        self._warned: set[str] = set()
        self._turns_used = 0
        self._last_turn_at: datetime | None = None
        self._context_used = 0
        self._peak_usage = 0
        self._input_tokens = 0
        self._output_tokens = 0
        self._reported_input: int | None = None
        self._reported_output: int | None = None
        self._tool_errors = 0
        self._billing = Billing(config, model.prices, self._check_prices(budget))
        self.request_cap: int | None = None

    def _check_prices(self, budget: Budget | None) -> bool:
        """Whether a cost or billed-token limit applies to this task's requests; a cost
        limit on a model with no known price is refused here, before anything is sent."""
        run = budget.snapshot() if budget is not None else None
        run_cost = run is not None and run.cost_limit is not None
        if self.model.prices is None and (run_cost or self.config.max_cost is not None):
            limit = "the run's cost budget" if run_cost else "its max_cost"
            raise unknown_price_error(
                self.model.spec, f"task {self.task!r} cannot be kept under {limit}"
            )
        return (
            run_cost
            or self.config.max_cost is not None
            or (run is not None and run.billed_tokens_limit is not None)
        )

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> Handler:
        """Charge the system prompt, once, so it is the first message of the conversation."""
        if not self._started:
            with self._start_lock:
                if not self._started:
                    self._started_at = time.monotonic()
                    if self.config.system_prompt:
                        self._charge(Message("system", self.config.system_prompt))
                    else:
                        self._check_live()
                    self._started = True
        return self

    def __enter__(self) -> Handler:
        try:
            return self.start()
        except BaseException as error:
            self.release(error)
            raise

    def __exit__(self, exc_type: object, error: BaseException | None, tb: object) -> None:
        self.release(error)

    def release(self, error: BaseException | None = None) -> ResourceMetrics:
        """End the task: finalize the metrics, drop the conversation, publish "released".
        Releasing again returns the same final metrics."""
        pending: Pending = []
        try:
            with self._lock:
                if self._final is None:
                    self._settle_unanswered(pending, error)
                    self._final = replace(self._snapshot(), released=True)
                    self._messages = []
                    self._part_names = {"tools": set(), "output": set()}
                    detail: dict[str, Any] = {"outcome": _outcome(error)}
                    if error is not None:
                        detail["error"] = getattr(error, "kind", type(error).__name__)
                    self._note(pending, "released", detail, self._final)
                return self._final
        finally:
            self._publish(pending)

    @property
    def released(self) -> bool:
        return self._final is not None

    @property
    def final_metrics(self) -> ResourceMetrics | None:
        """The metrics as they were at release (released=True), or None before."""
        return self._final

    # -- charging ----------------------------------------------------------------------

    def begin_turn(self, request: bool = True) -> int:
        """Count one turn before its request is sent; returns the turn's number. At the
        limit it raises and counts nothing, so max_turns N means at most N requests.

        A model request (`request`; an exchange with the user is not one) is also
        checked at the most it can bill, its input as counted plus its output cap
        (`request_cap`, which the request must be sent with), against the task's output
        and cost limits and the run budget, which holds that much until
        `record_response` says what it really billed."""
        self.start()
        pending: Pending = []
        try:
            with self._lock:
                self._check_live()
                cap = self._billing.output_cap() if request else None
                hold = None if cap is None else self._billing.worst_case(self._context_used, cap)

                def gate() -> None:
                    self._check_time(pending)
                    self._check_turns(pending)
                    if hold is not None:
                        self._check_spend(pending, hold, cap)

                self._admit(pending, "budget-turns", 1, gate, hold)
                self._billing.hold, self.request_cap = hold, cap
                self._turns_used += 1
                self._last_turn_at = datetime.now(UTC)
                self._note(pending, "turn", {"turn": self._turns_used})
                self._maybe_warn(pending, "turns", self._turns_used, self.turn_limit)
                return self._turns_used
        finally:
            self._publish(pending)

    def seconds_left(self) -> float | None:
        """What is left of the task's max_seconds (None: it has no time limit)."""
        return None if self.time_limit is None else self.time_limit - self._elapsed()

    def out_of_time(self) -> ResourceExhaustionError:
        """The time exhaustion of a task whose deadline passed while it was busy (a
        request in flight is abandoned), for its runner to raise."""
        pending: Pending = []
        try:
            with self._lock:
                return self._exhausted(
                    pending, "time", f"{self._time_used()}; the work in progress was abandoned"
                )
        finally:
            self._publish(pending)

    def require_turns(self, count: int, why: str) -> None:
        """Raise the turns exhaustion now, charging nothing, unless `count` more turns
        are left (the run budget's too), and the exhaustion of an output or cost limit
        unless a request of the conversation as it is now could still be sent. Used
        before work whose results need those turns to be sent (the tools of an answer);
        `why` ends the error's message."""
        self.start()
        pending: Pending = []
        try:
            with self._lock:
                self._check_live()
                self._check_budget(pending, "budget-turns", count, why)
                self._check_turns(pending, count, why)
                cap = self._billing.output_cap()
                if cap is not None:
                    worst = self._billing.worst_case(self._context_used, cap)
                    for resource in SPEND_RESOURCES:
                        amount = worst.amount(resource)
                        if amount is not None:
                            self._check_budget(pending, resource, amount, why)
                    self._check_spend(pending, worst, cap, why)
        finally:
            self._publish(pending)

    def add_message(self, message: Message) -> int:
        """Charge `message` and append it to the conversation; returns its tokens. If it
        would cross the context limit it raises and is not added."""
        self.start()
        return self._charge(message)

    def record_response(self, response: ModelResponse) -> int:
        """Record a model answer: its usage (local and provider-reported) and, charged like
        any content, the assistant message. Usage is recorded even if the message does not
        fit, since the tokens were spent."""
        self.start()
        return self._charge(response.to_message(), response)

    def charge_parts(self, role: PartRole, parts: Mapping[str, str]) -> int:
        """Charge what every request carries beside the conversation, as the text that is
        sent: `parts` maps a name to its text (role "tools": each tool's description;
        "output": the output format). Each name is charged once per Handler; returns the
        tokens newly charged."""
        self.start()
        costs = {
            name: len(self._encode(text))
            for name, text in parts.items()
            if name not in self._part_names[role]
        }
        pending: Pending = []
        try:
            with self._lock:
                self._check_live()
                charged = self._part_names[role]
                fresh = {name: cost for name, cost in costs.items() if name not in charged}
                if not fresh:
                    return 0
                tokens = sum(fresh.values())
                detail = {"role": role, role: list(fresh)}
                self._take_context(pending, tokens, detail, _PART_TEXT[role])
                charged.update(fresh)
                return tokens
        finally:
            self._publish(pending)

    def _charge(self, message: Message, response: ModelResponse | None = None) -> int:
        if response is None and len(message.content) > QUICK_REFUSAL_CHARACTERS:
            self._refuse_what_cannot_fit(message)
        body = _body_tokens(message, self._encode)
        tokens = body + self.model.message_overhead
        pending: Pending = []
        try:
            with self._lock:
                self._check_live()
                try:
                    if response is not None:
                        self._record_usage(pending, body, response.usage)
                    self._take_context(
                        pending, tokens, {"role": message.role}, self._describe(message)
                    )
                except ResourceExhaustionError as error:
                    if response is not None:
                        # Its tokens are in the totals: the transcript shows what they were.
                        error.transcript.append(message.to_json())
                    raise
                self._messages.append(message)
                return tokens
        finally:
            self._publish(pending)

    def _refuse_what_cannot_fit(self, message: Message) -> None:
        """Refuse at once, without tokenizing, content that even its fewest possible
        tokens (its bytes / the encoding's longest token) cannot fit: tokenizing a
        10-million-character prompt takes seconds only to be refused."""
        fewest = (
            math.ceil(len(message.content.encode("utf-8")) / self._longest_token)
            + self.model.message_overhead
        )
        pending: Pending = []
        try:
            with self._lock:
                self._check_live()
                self._check_budget(pending, "budget-tokens", fewest)
                self._check_context(pending, fewest, self._describe(message), "at least ")
        finally:
            self._publish(pending)

    def _record_usage(self, pending: Pending, body: int, usage: Usage | None) -> None:
        """Record one answer's tokens: as counted, as reported, and as billed (reported
        where the provider reported, else counted), with their cost; and settle the run
        budget's hold for its request with what it billed."""
        self._input_tokens += self._context_used
        self._output_tokens += body
        if usage is not None:
            self._reported_input = (self._reported_input or 0) + usage.input_tokens
            self._reported_output = (self._reported_output or 0) + usage.output_tokens
        detail = self._billing.record(usage, self._context_used, body)
        cost = detail["cost"]
        over_cap = self._over_cap(pending, detail["output"])
        if self.budget is not None:
            spent = Spend(detail["input"] + detail["output"], cost)
            self._settled(pending, self.budget.settle(self._hold_key, spent))
        detail = {"turn": self._turns_used, **detail, "cost": None if cost is None else float(cost)}
        self._note(pending, "billed", detail)
        for resource, used, limit in self._billing.warnings():
            self._maybe_warn(pending, resource, used, limit)
        self._stop_overspent(pending, over_cap)

    def _over_cap(self, pending: Pending, output: int) -> str:
        """Why an answer billed more output than the cap its request was sent with (a
        provider that ignores the cap), published as a warning; "" if it did not."""
        cap = self.request_cap
        if cap is None or output <= cap:
            return ""
        why = (
            f"{self.model.spec} billed {output:,} output tokens for a request sent with an "
            f"output cap of {cap:,}: it does not honour the cap"
        )
        detail = {"resource": "output-cap", "used": output, "limit": cap}
        self._note(pending, "warning", {**detail, "model": self.model.spec, "message": why})
        return why

    def _stop_overspent(self, pending: Pending, why: str) -> None:
        """End the task at once if what its answers billed is past the run budget's
        billed-token or cost limit (which stops the run: no request can be held after it),
        or past the task's own output or cost limit: spent is spent, and no request may
        follow."""
        for resource in SPEND_RESOURCES:
            self._check_budget(pending, resource, 0, why)
        problem = self._billing.overspent(self.task)
        if problem is not None:
            resource, message = problem
            raise self._exhausted(pending, resource, f"{message}; {why}" if why else message)

    def _settle_unanswered(self, pending: Pending, error: BaseException | None) -> None:
        """Settle the hold of a request that got no answer. One the provider refused
        billed nothing; one that timed out or was interrupted may have been billed, so
        the run budget keeps it as spent at its worst case."""
        hold, self._billing.hold = self._billing.hold, None
        if hold is None or self.budget is None:
            return
        refused = isinstance(error, ProviderError) and error.reason != "timeout"
        self._settled(pending, self.budget.settle(self._hold_key, None if refused else hold))

    def _settled(self, pending: Pending, warnings: list[Event]) -> None:
        if self.budget is not None and self.budget.events is not None:
            pending.extend((self.budget.events, warning) for warning in warnings)

    def _take_context(
        self, pending: Pending, tokens: int, detail: dict[str, Any], what: str
    ) -> None:
        self._admit(
            pending, "budget-tokens", tokens, lambda: self._check_context(pending, tokens, what)
        )
        self._context_used += tokens
        self._peak_usage = max(self._peak_usage, self._context_used)
        self._note(pending, "content", {**detail, "tokens": tokens})
        self._maybe_warn(pending, "context", self._context_used, self.context_limit)

    def note_tool(
        self,
        name: str,
        call_id: str,
        error: str | None = None,
        failure: dict[str, Any] | None = None,
    ) -> None:
        """Publish a "tool" event: the model's call `call_id` of tool `name` ran, and
        failed with `error` (the text the model was sent) if given. With `failure` (a
        JSON-ready description of an error of the tool's own procedure), it is also a
        tool error: counted in the metrics and published as a "tool-error" event. Charges
        nothing: the result is charged when it is added to the conversation."""
        pending: Pending = []
        try:
            with self._lock:
                detail: dict[str, Any] = {"tool": name, "call_id": call_id}
                detail["outcome"] = "ok" if error is None else "error"
                if error is not None:
                    detail["error"] = error
                self._note(pending, "tool", detail)
                if failure is not None:
                    self._tool_errors += 1
                    self._note(pending, "tool-error", {"tool": name, "call_id": call_id, **failure})
        finally:
            self._publish(pending)

    # -- checks (called with the lock held) ----------------------------------------------

    def _check_live(self) -> None:
        if self._final is not None:
            raise HandlerReleasedError(
                f"task {self.task!r} has ended and its Handler was released; "
                "it cannot be charged or read again"
            )

    def _admit(
        self,
        pending: Pending,
        resource: BudgetResource,
        amount: int,
        gate: Callable[[], None],
        hold: Spend | None = None,
    ) -> None:
        """Check the run budget, then this Handler's limit (`gate`); charge the budget only
        if both allow (and hold `hold` for this Handler's request). The caller then
        charges the Handler."""
        if self.budget is None:
            gate()
            return
        try:
            warning = self.budget.charge(resource, amount, gate, hold, self._hold_key)
        except BudgetRefusal as refusal:
            raise self._exhausted(
                pending, refusal.resource, refusal.describe(self.task), refusal.metrics
            ) from None
        if warning is not None and self.budget.events is not None:
            pending.append((self.budget.events, warning))

    def _check_budget(
        self, pending: Pending, resource: BudgetResource, amount: int | Fraction, why: str = ""
    ) -> None:
        """Raise the budget's exhaustion if `amount` more would exceed it; charges nothing."""
        if self.budget is None:
            return
        try:
            self.budget.check(resource, amount)
        except BudgetRefusal as refusal:
            message = refusal.describe(self.task)
            raise self._exhausted(
                pending, refusal.resource, f"{message}; {why}" if why else message, refusal.metrics
            ) from None

    def _elapsed(self) -> float:
        return 0.0 if self._started_at is None else time.monotonic() - self._started_at

    def _time_used(self) -> str:
        return (
            f"task {self.task!r} exhausted its time: {self._elapsed():.1f} of "
            f"{self.time_limit:g} seconds used"
        )

    def _check_time(self, pending: Pending) -> None:
        if self.time_limit is not None and self._elapsed() >= self.time_limit:
            raise self._exhausted(pending, "time", self._time_used())

    def _check_turns(self, pending: Pending, count: int = 1, why: str = "") -> None:
        if self._turns_used + count > self.turn_limit:
            message = (
                f"task {self.task!r} exhausted its turns: {self._turns_used} of "
                f"{self.turn_limit} used"
            )
            raise self._exhausted(pending, "turns", f"{message}; {why}" if why else message)

    def _check_spend(self, pending: Pending, worst: Spend, cap: int, why: str = "") -> None:
        """The task's own output and cost limits, against the most the request can bill."""
        problem = self._billing.limit_problem(self.task, self._context_used, worst, cap)
        if problem is not None:
            resource, message = problem
            raise self._exhausted(pending, resource, f"{message}; {why}" if why else message)

    def _check_context(self, pending: Pending, tokens: int, what: str, bound: str = "") -> None:
        if self._context_used + tokens > self.context_limit:
            fraction = self.config.max_context_window_fraction
            raise self._exhausted(
                pending,
                "context",
                f"task {self.task!r} exhausted its context window: {self._context_used:,} + "
                f"{bound}{tokens:,} tokens ({what}) would exceed the limit of {self.context_limit:,} "
                f"({fraction * 100:g}% of {self.model.input_window:,})",
            )

    def _describe(self, message: Message) -> str:
        """What `message` is, for a context error: which part of the conversation did not fit."""
        if message.role == "tool":
            calls = (call for m in reversed(self._messages) for call in m.tool_calls)
            name = next((c.name for c in calls if c.id == message.tool_call_id), None)
            return f"the result of tool {name}" if name else "a tool result"
        return {
            "system": "the system prompt",
            "user": "a user message",
            "assistant": "the model's answer",
        }.get(message.role, f"a {message.role} message")

    def _exhausted(
        self,
        pending: Pending,
        resource: Resource,
        message: str,
        budget: BudgetMetrics | None = None,
    ) -> ResourceExhaustionError:
        metrics = self._snapshot()
        message = f"{message}. {recovery(resource)}"
        self._note(pending, "exhausted", {"resource": resource, "message": message}, metrics)
        common: dict[str, Any] = {
            "metrics": metrics,
            "task": self.task,
            "call_site": self.call_site,
            "transcript": [m.to_json() for m in self._messages],
        }
        if budget is not None:
            return BudgetExhaustedError(resource, message, budget=budget, **common)
        return ResourceExhaustionError(resource, message, **common)

    def _maybe_warn(
        self, pending: Pending, resource: str, used: int | float, limit: int | float
    ) -> None:
        if used >= self._warn_at[resource] and resource not in self._warned:
            self._warned.add(resource)
            detail = {
                "resource": resource,
                "used": used,
                "limit": limit,
                "threshold": self.config.warning_threshold,
            }
            self._note(pending, "warning", detail)

    # -- events and metrics --------------------------------------------------------------

    def _note(
        self,
        pending: Pending,
        kind: EventKind,
        detail: dict[str, Any],
        metrics: ResourceMetrics | None = None,
    ) -> None:
        """Queue an event for publishing once the lock is released (if anyone listens)."""
        if self.events is not None and self.events.active:
            event = Event(kind, self.task, self.id, metrics or self._snapshot(), detail)
            pending.append((self.events, event))

    @staticmethod
    def _publish(pending: Pending) -> None:
        for bus, event in pending:
            bus.publish(event)

    def _snapshot(self) -> ResourceMetrics:
        return ResourceMetrics(
            task=self.task,
            model=self.model.spec,
            turns=TurnMetrics(self._turns_used, self.turn_limit, self._last_turn_at),
            context=ContextMetrics(self._context_used, self.context_limit, self._peak_usage),
            tokens=TokenMetrics(
                self._input_tokens,
                self._output_tokens,
                self._reported_input,
                self._reported_output,
            ),
            billed=self._billing.metrics(),
            tool_errors=self._tool_errors,
            time=TimeMetrics(round(self._elapsed(), 3), self.time_limit),
        )

    def metrics(self) -> ResourceMetrics:
        """A snapshot of the usage now; after release, the final metrics."""
        with self._lock:
            return self._final or self._snapshot()

    @property
    def conversation(self) -> tuple[Message, ...]:
        """The messages so far, system prompt first (gone once released)."""
        with self._lock:
            self._check_live()
            return tuple(self._messages)

    def transcript(self) -> list[dict[str, Any]]:
        """The conversation as JSON-ready dicts."""
        return [message.to_json() for message in self.conversation]


def _outcome(error: BaseException | None) -> str:
    if error is None:
        return "ok"
    return "interrupted" if isinstance(error, KeyboardInterrupt) else "error"
