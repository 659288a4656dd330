"""The Handler: turns, context, warnings, exhaustion, release, budget, events, trace."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
from datetime import datetime
from pathlib import Path

import pytest

from interpreter.diagnostics import format_error
from interpreter.errors import (
    BudgetExhaustedError,
    ConfigError,
    HandlerReleasedError,
    ResourceExhaustionError,
)
from interpreter.limits.budget import Budget
from interpreter.limits.events import Event, EventBus, TraceWriter
from interpreter.limits.guidance import recovery
from interpreter.limits.handler import Handler, message_tokens
from interpreter.limits.messages import Message, ModelResponse, ToolCall, ToolSpec, Usage, wire_json
from interpreter.limits.metrics import ResourceMetrics, TimeMetrics
from interpreter.limits.models import ModelInfo, resolve_model
from interpreter.limits.settings import HandlerConfig
from interpreter.limits.tokens import get_encoding
from interpreter.source import Span


def model(window: int = 3000, name: str = "test:small") -> ModelInfo:
    return resolve_model(name, {name: {"input_window": window}})


def handler(
    max_turns: int = 3,
    fraction: float = 0.5,
    window: int = 3000,
    system: str = "",
    **kwargs: object,
) -> Handler:
    config = HandlerConfig(max_turns, fraction, system_prompt=system)
    return Handler(config, model(window), **kwargs)  # type: ignore[arg-type]


def tokens_of(text: str) -> int:
    return len(get_encoding("o200k_base").encode_ordinary(text))


class Recorder:
    def __init__(self, bus: EventBus) -> None:
        self.events: list[Event] = []
        bus.subscribe(self.events.append)

    def kinds(self) -> list[str]:
        return [event.kind for event in self.events]

    def of(self, kind: str) -> list[Event]:
        return [event for event in self.events if event.kind == kind]


LOOKUP = ToolSpec(
    "lookup_order",
    "Find an order by id.",
    {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]},
)


# -- counting --------------------------------------------------------------------------------


def test_a_message_costs_its_tokens_plus_the_overhead() -> None:
    with handler() as h:
        assert h.add_message(Message("user", "hello world")) == 2 + 3
        text = "Label this ticket as bug, billing or other: I was charged twice"
        assert h.add_message(Message("user", text)) == tokens_of(text) + 3
        assert h.metrics().context.used == 5 + tokens_of(text) + 3


def test_tool_calls_are_charged_by_name_and_compact_json_arguments() -> None:
    call = ToolCall("c1", "lookup_order", {"id": "A-17", "verbose": True})
    message = Message("assistant", "", (call,))
    expected = tokens_of("lookup_order") + tokens_of('{"id":"A-17","verbose":true}') + 3
    assert message_tokens(message, model()) == expected
    with handler() as h:
        assert h.add_message(message) == expected


def test_the_system_prompt_is_the_first_message_charged_on_entry() -> None:
    h = handler(system="You label support tickets.")
    assert h.metrics().context.used == 0
    with h:
        assert h.metrics().context.used == tokens_of("You label support tickets.") + 3
        h.add_message(Message("user", "hi"))
        assert [m.role for m in h.conversation] == ["system", "user"]


def test_the_first_charge_starts_a_handler_used_without_with() -> None:
    h = handler(system="sys")
    h.add_message(Message("user", "hi"))
    assert [m.role for m in h.conversation] == ["system", "user"]
    h.start()  # idempotent
    assert len(h.conversation) == 2
    h.release()


def test_request_parts_are_charged_once_as_their_text() -> None:
    lookup, refund = wire_json(LOOKUP.to_json()), '{"name":"refund"}'
    with handler() as h:
        assert h.charge_parts("tools", {"lookup_order": lookup}) == tokens_of(lookup)
        assert h.charge_parts("tools", {"lookup_order": lookup}) == 0
        both = {"lookup_order": lookup, "refund": refund}
        assert h.charge_parts("tools", both) == tokens_of(refund)
        assert h.charge_parts("output", {"response_format": refund}) == tokens_of(refund)
        assert h.metrics().context.used == tokens_of(lookup) + 2 * tokens_of(refund)


def test_context_limit_is_the_floor_of_the_fraction_of_the_window() -> None:
    assert handler(fraction=0.5, window=3000).context_limit == 1500
    assert handler(fraction=0.29, window=100).context_limit == 29  # not 28.999...
    assert handler(fraction=1 / 3, window=1000).context_limit == 333


def test_record_response_counts_input_output_and_reported_usage() -> None:
    with handler(max_turns=5) as h:
        h.add_message(Message("user", "hello world"))  # 5 in context
        h.begin_turn()
        h.record_response(ModelResponse("billing"))
        m = h.metrics()
        assert (m.tokens.input, m.tokens.output) == (5, tokens_of("billing"))
        assert (m.tokens.reported_input, m.tokens.reported_output) == (None, None)
        sent = m.context.used
        h.begin_turn()
        h.record_response(ModelResponse("ok", usage=Usage(40, 2)))
        h.begin_turn()
        h.record_response(ModelResponse("ok", usage=Usage(50, 3)))
        m = h.metrics()
        assert m.tokens.input == 5 + sent + (sent + tokens_of("ok") + 3)
        assert (m.tokens.reported_input, m.tokens.reported_output) == (90, 5)


# -- limits ------------------------------------------------------------------------------------


def test_max_turns_n_allows_exactly_n_requests() -> None:
    site = Span("tickets.scm", 4, 1, 4, 30)
    with handler(max_turns=3, task="classify", call_site=site) as h:
        h.add_message(Message("user", "hi"))
        assert [h.begin_turn() for _ in range(3)] == [1, 2, 3]
        with pytest.raises(ResourceExhaustionError) as caught:
            h.begin_turn()
        assert h.metrics().turns.used == 3
    error = caught.value
    assert error.kind == "resource-exhausted"
    assert error.resource == "turns"
    assert error.message == "task 'classify' exhausted its turns: 3 of 3 used. " + recovery("turns")
    assert (error.task, error.call_site, error.span) == ("classify", site, site)
    assert error.metrics.turns.used == error.metrics.turns.limit == 3
    assert isinstance(error.metrics.turns.last_turn_at, datetime)
    assert error.transcript == [{"role": "user", "content": "hi"}]
    assert format_error(error).startswith("tickets.scm:4:1: resource-exhausted: task 'classify'")


def untimed(metrics: ResourceMetrics) -> ResourceMetrics:
    """The metrics but for the time taken, which moves on by itself."""
    return dataclasses.replace(metrics, time=TimeMetrics())


def test_content_over_the_limit_is_refused_and_not_added() -> None:
    with handler(fraction=0.5, window=3000, task="classify") as h:
        filler = " ".join(["word"] * 1200)  # o200k: 1200 tokens
        assert h.add_message(Message("user", filler)) == 1203
        before = h.metrics()
        too_much = " ".join(["x"] * 300)
        with pytest.raises(ResourceExhaustionError) as caught:
            h.add_message(Message("user", too_much))
        assert untimed(h.metrics()) == untimed(before)
        assert len(h.conversation) == 1
        error = caught.value
        assert error.resource == "context"
        assert error.message == (
            "task 'classify' exhausted its context window: 1,203 + 303 tokens (a user message) "
            "would exceed the limit of 1,500 (50% of 3,000). " + recovery("context")
        )
        assert untimed(error.metrics) == untimed(before)
        # Content that fits exactly is still accepted.
        assert h.add_message(Message("user", " ".join(["x"] * 294))) == 297
        assert h.metrics().context.used == 1500


def test_a_response_that_does_not_fit_still_records_its_usage() -> None:
    with handler(fraction=0.01, window=1000) as h:  # limit 10
        h.add_message(Message("user", "hi"))
        h.begin_turn()
        with pytest.raises(ResourceExhaustionError):
            h.record_response(ModelResponse(" ".join(["word"] * 20), usage=Usage(4, 20)))
        m = h.metrics()
        assert (m.tokens.output, m.tokens.reported_output, m.context.used) == (20, 20, 4)
        assert [msg.role for msg in h.conversation] == ["user"]


def test_a_system_prompt_too_big_fails_on_entry_and_releases() -> None:
    bus = EventBus()
    seen = Recorder(bus)
    h = handler(fraction=0.001, window=3000, system="word " * 10, events=bus)
    with pytest.raises(ResourceExhaustionError, match="context window"), h:
        pytest.fail("the body must not run")
    assert h.released
    assert seen.kinds() == ["exhausted", "released"]


# -- warnings and events ---------------------------------------------------------------------


def test_one_warning_per_resource_at_the_threshold() -> None:
    bus = EventBus()
    seen = Recorder(bus)
    with handler(max_turns=10, fraction=0.01, window=1000, events=bus) as h:  # context 10
        for turn in range(1, 11):
            h.begin_turn()
            assert len(seen.of("warning")) == (1 if turn >= 8 else 0)
        h.add_message(Message("user", "a b c d"))  # 4 + 3 = 7 < 8
        assert len(seen.of("warning")) == 1
        h.add_message(Message("user", ""))  # 10 >= 8
        warnings = seen.of("warning")
        assert [w.detail["resource"] for w in warnings] == ["turns", "context"]
        assert warnings[1].detail == {
            "resource": "context",
            "used": 10,
            "limit": 10,
            "threshold": 0.8,
        }
        with pytest.raises(ResourceExhaustionError):
            h.begin_turn()
    assert len(seen.of("warning")) == 2


def test_event_stream_of_a_task() -> None:
    bus = EventBus()
    seen = Recorder(bus)
    with handler(max_turns=2, system="sys", task="t", events=bus) as h:
        h.charge_parts("tools", {"lookup_order": wire_json(LOOKUP.to_json())})
        h.add_message(Message("user", "hi"))
        h.begin_turn()
        h.record_response(ModelResponse("ok"))
    assert seen.kinds() == [
        "content",
        "content",
        "content",
        "turn",
        "billed",
        "content",
        "released",
    ]
    assert [e.detail.get("role") for e in seen.of("content")] == [
        "system",
        "tools",
        "user",
        "assistant",
    ]
    assert all(e.task == "t" and e.handler_id == h.id for e in seen.events)
    assert seen.events[-1].detail == {"outcome": "ok"}
    assert seen.events[-1].metrics == h.final_metrics
    used = [e.metrics.context.used for e in seen.events]
    assert used == sorted(used)


def test_a_failing_observer_does_not_break_accounting(caplog: pytest.LogCaptureFixture) -> None:
    bus = EventBus()

    def broken(event: Event) -> None:
        raise RuntimeError("display crashed")

    bus.subscribe(broken)
    seen = Recorder(bus)
    with (
        caplog.at_level(logging.WARNING, logger="interpreter.limits.events"),
        handler(events=bus) as h,
    ):
        h.add_message(Message("user", "hello world"))
        h.begin_turn()
    assert h.final_metrics is not None
    assert h.final_metrics.turns.used == 1
    assert seen.kinds() == ["content", "turn", "released"]
    assert caplog.text.count("raised; its errors are ignored") == 1


def test_unsubscribe() -> None:
    bus = EventBus()
    events: list[Event] = []
    stop = bus.subscribe(events.append)
    with handler(events=bus) as h:
        h.begin_turn()
        stop()
        h.begin_turn()
    assert [e.kind for e in events] == ["turn"]
    assert not bus.active


# -- release -----------------------------------------------------------------------------------


def test_release_finalizes_metrics_and_forbids_further_use() -> None:
    with handler() as h:
        h.add_message(Message("user", "hello world"))
        h.begin_turn()
        last = h.metrics()
    assert h.final_metrics == dataclasses.replace(last, released=True)
    assert h.metrics() == h.final_metrics
    assert h.release() is h.final_metrics
    for use in (
        h.begin_turn,
        lambda: h.add_message(Message("user", "x")),
        lambda: h.record_response(ModelResponse("x")),
        lambda: h.charge_parts("tools", {"lookup_order": "{}"}),
        lambda: h.conversation,
        h.transcript,
    ):
        with pytest.raises(HandlerReleasedError, match="released"):
            use()


@pytest.mark.parametrize(
    ("error", "outcome"),
    [(ValueError("boom"), "error"), (KeyboardInterrupt(), "interrupted")],
)
def test_release_happens_on_errors_and_interrupts(error: BaseException, outcome: str) -> None:
    bus = EventBus()
    seen = Recorder(bus)
    h = handler(events=bus)
    with pytest.raises(type(error)), h:
        h.begin_turn()
        raise error
    assert h.released
    assert seen.events[-1].kind == "released"
    assert seen.events[-1].detail["outcome"] == outcome


def test_metrics_serialize_to_json() -> None:
    with handler(task="t") as h:
        h.begin_turn()
    data = json.loads(h.final_metrics.to_json())  # type: ignore[union-attr]
    assert data["task"] == "t"
    assert data["model"] == "test:small"
    assert data["released"] is True
    assert datetime.fromisoformat(data["turns"]["last_turn_at"]).tzinfo is not None
    assert data["tokens"] == {
        "input": 0,
        "output": 0,
        "reported_input": None,
        "reported_output": None,
    }


# -- budget ------------------------------------------------------------------------------------


def test_budget_turns_span_handlers() -> None:
    budget = Budget(max_turns=4)
    with handler(max_turns=3, budget=budget) as first:
        first.begin_turn()
        first.begin_turn()
    with handler(max_turns=3, budget=budget, task="second") as second:
        second.begin_turn()
        second.begin_turn()
        with pytest.raises(BudgetExhaustedError) as caught:
            second.begin_turn()
        assert second.metrics().turns.used == 2
    error = caught.value
    assert isinstance(error, ResourceExhaustionError)
    assert error.resource == "budget-turns"
    assert error.message == (
        "task 'second' stopped by the run budget: 4 of 4 turns used across the run. "
        + recovery("budget-turns")
    )
    assert error.budget.turns_used == 4
    assert budget.snapshot().turns_used == 4


def test_budget_tokens_span_handlers() -> None:
    budget = Budget(max_tokens=20)
    with handler(budget=budget) as first:
        first.add_message(Message("user", "hello world"))  # 5
    with handler(budget=budget, system="hello world") as second:  # 5
        second.add_message(Message("user", "a b c d e f g"))  # 10
        with pytest.raises(BudgetExhaustedError) as caught:
            second.add_message(Message("user", "hi"))
    assert caught.value.resource == "budget-tokens"
    assert caught.value.message == (
        "task '<task>' stopped by the run budget: 20 + 4 tokens would exceed "
        "the run's limit of 20 tokens. " + recovery("budget-tokens")
    )
    assert budget.snapshot().tokens_used == 20


def test_budget_never_pools_task_limits() -> None:
    budget = Budget(max_turns=100)
    with handler(max_turns=2, budget=budget) as h:
        h.begin_turn()
        h.begin_turn()
        with pytest.raises(ResourceExhaustionError) as caught:
            h.begin_turn()
    assert caught.value.resource == "turns"
    assert not isinstance(caught.value, BudgetExhaustedError)
    assert budget.snapshot().turns_used == 2  # the refused turn charged nothing


def test_the_budget_is_checked_first() -> None:
    budget = Budget(max_turns=1)
    with handler(max_turns=1, budget=budget) as h:
        h.begin_turn()
        with pytest.raises(BudgetExhaustedError):
            h.begin_turn()


def test_budget_warning_event() -> None:
    bus = EventBus()
    seen = Recorder(bus)
    budget = Budget(max_turns=5, events=bus)
    for _ in range(5):
        with handler(max_turns=1, budget=budget) as h:
            h.begin_turn()
    warnings = seen.of("warning")
    assert len(warnings) == 1
    assert warnings[0].task is None
    assert warnings[0].detail == {"resource": "budget-turns", "used": 4, "limit": 5}
    assert warnings[0].metrics == dataclasses.replace(budget.snapshot(), turns_used=4)


def test_budget_validates_its_limits() -> None:
    with pytest.raises(ConfigError, match="Budget max_tokens = 0 must be at least 1"):
        Budget(max_tokens=0)
    with pytest.raises(ConfigError, match="Budget warning_threshold = 0 must be greater"):
        Budget(max_turns=5, warning_threshold=0)


# -- trace file ----------------------------------------------------------------------------------


def test_trace_writer_writes_one_json_object_per_line(tmp_path: Path) -> None:
    bus = EventBus()
    path = tmp_path / "trace.jsonl"
    with TraceWriter(path) as trace:
        bus.subscribe(trace)
        with handler(max_turns=1, task="classify", events=bus) as h:
            h.add_message(Message("user", "hi"))
            h.begin_turn()
            with pytest.raises(ResourceExhaustionError):
                h.begin_turn()
        assert len(path.read_text().splitlines()) == 5  # flushed per line
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["event"] for r in records] == ["content", "turn", "warning", "exhausted", "released"]
    first = records[0]
    assert set(first) == {"event", "at", "task", "handler", "metrics", "detail"}
    assert first["task"] == "classify"
    assert first["metrics"]["context"] == {"used": 4, "limit": 1500, "peak_usage": 4}
    assert records[3]["detail"]["resource"] == "turns"
    datetime.fromisoformat(first["at"])


def test_trace_writer_on_a_stream_leaves_it_open() -> None:
    stream = io.StringIO()
    bus = EventBus()
    with TraceWriter(stream) as trace:
        bus.subscribe(trace)
        with handler(events=bus) as h:
            h.begin_turn()
    assert not stream.closed
    assert len(stream.getvalue().splitlines()) == 2
