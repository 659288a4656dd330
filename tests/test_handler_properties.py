"""Properties of the Handler over random sequences of charges and limits.

The test keeps its own model of what should happen, counted with tiktoken's `encode`, and
checks after every step: no limit is ever exceeded, a refused charge changes nothing (and a
refused turn sends no request), each warning fires exactly once when its threshold is
reached, peak >= used, and the metrics after release equal the last snapshot (but for the time taken).
"""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from interpreter.errors import BudgetExhaustedError, ResourceExhaustionError
from interpreter.limits.budget import Budget
from interpreter.limits.events import Event, EventBus
from interpreter.limits.handler import Handler
from interpreter.limits.messages import Message, ModelResponse, ToolSpec, Usage, wire_json
from interpreter.limits.models import resolve_model
from interpreter.limits.settings import HandlerConfig
from interpreter.limits.tokens import get_encoding

TOOLS = [
    ToolSpec(name, f"The {name} tool.", {"type": "object", "properties": {}})
    for name in ("alpha", "beta", "gamma")
]

texts = st.text(max_size=60)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("turn")),
        st.tuples(st.just("user"), texts),
        st.tuples(
            st.just("response"),
            texts,
            st.none() | st.builds(Usage, st.integers(0, 500), st.integers(0, 500)),
        ),
        st.tuples(st.just("tools"), st.lists(st.sampled_from(TOOLS), max_size=3)),
    ),
    max_size=30,
)
limits = st.fixed_dictionaries(
    {
        "max_turns": st.integers(1, 8),
        "fraction": st.sampled_from([0.05, 0.1, 0.29, 1 / 3, 0.5, 0.8, 1.0]),
        "threshold": st.sampled_from([0.1, 0.5, 0.7, 0.8, 0.9, 1.0]),
        "window": st.integers(20, 600),
        "encoding": st.sampled_from(["o200k_base", "cl100k_base"]),
        "system": st.sampled_from(["", "You label tickets."]),
        "budget_turns": st.none() | st.integers(1, 10),
        "budget_tokens": st.none() | st.integers(1, 400),
    }
)


def reached(used: int, limit: int, threshold: float) -> bool:
    return limit > 0 and Fraction(used, limit) >= Fraction(repr(threshold))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(limits=limits, ops=operations)
def test_limits_hold_over_random_sequences(limits: dict[str, Any], ops: list[tuple]) -> None:
    spec = "test:prop"
    model = resolve_model(
        spec, {spec: {"input_window": limits["window"], "encoding": limits["encoding"]}}
    )
    encode = get_encoding(limits["encoding"]).encode
    config = HandlerConfig(
        limits["max_turns"],
        limits["fraction"],
        limits["threshold"],
        spec,
        limits["system"],
        models={spec: {"input_window": limits["window"], "encoding": limits["encoding"]}},
    )
    bus = EventBus()
    events: list[Event] = []
    bus.subscribe(events.append)
    budget = Budget(limits["budget_turns"], limits["budget_tokens"])
    handler = Handler(config, model, task="prop", budget=budget, events=bus)

    turn_limit = limits["max_turns"]
    context_limit = int(Fraction(repr(limits["fraction"])) * limits["window"])
    used_turns = used_context = budget_tokens = 0
    charged_tools: set[str] = set()
    requests_sent = 0
    tokens_in = tokens_out = 0
    reported: list[Usage] = []

    def cost(text: str) -> int:
        return len(encode(text, disallowed_special=())) + 3

    def refused(at_error: Any, before: Any) -> None:
        """A refused charge leaves turns, context and conversation as they were."""
        for m in (at_error, handler.metrics()):
            assert (m.turns, m.context) == (before.turns, before.context)

    def attempt(kind: str, tokens: int, action: Any) -> bool:
        """Run `action`; check it succeeds exactly when the model says it should."""
        nonlocal used_context, used_turns, budget_tokens
        before = handler.metrics()
        if kind == "turn":
            budget_ok = budget.snapshot().turns_limit is None or (
                budget.snapshot().turns_used < limits["budget_turns"]
            )
            own_ok = used_turns < turn_limit
        else:
            budget_ok = limits["budget_tokens"] is None or (
                budget_tokens + tokens <= limits["budget_tokens"]
            )
            own_ok = used_context + tokens <= context_limit
        try:
            action()
        except BudgetExhaustedError as error:
            assert not budget_ok
            event(f"refused: {error.resource}")
            refused(error.metrics, before)
            return False
        except ResourceExhaustionError as error:
            assert budget_ok and not own_ok
            assert error.resource == ("turns" if kind == "turn" else "context")
            event(f"refused: {error.resource}")
            refused(error.metrics, before)
            return False
        assert budget_ok and own_ok
        if kind == "turn":
            used_turns += 1
        else:
            used_context += tokens
            budget_tokens += tokens
        return True

    if limits["system"] and not attempt("content", cost(limits["system"]), handler.start):
        return  # the task could not even start; test_handler covers what follows
    handler.start()

    for op in ops:
        if op[0] == "turn":
            if attempt("turn", 1, handler.begin_turn):
                requests_sent += 1
        elif op[0] == "user":
            attempt(
                "content",
                cost(op[1]),
                lambda text=op[1]: handler.add_message(Message("user", text)),
            )
        elif op[0] == "response":
            # Usage is recorded even when the answer does not fit: it was spent.
            tokens_in += used_context
            tokens_out += cost(op[1]) - 3
            reported += [op[2]] if op[2] else []
            attempt(
                "content",
                cost(op[1]),
                lambda text=op[1], usage=op[2]: handler.record_response(
                    ModelResponse(text, usage=usage)
                ),
            )
        else:
            fresh = {tool.name: tool for tool in op[1] if tool.name not in charged_tools}
            tokens = sum(
                len(encode(json.dumps(tool.to_json(), separators=(",", ":"))))
                for tool in fresh.values()
            )
            parts = {tool.name: wire_json(tool.to_json()) for tool in op[1]}
            if attempt("content", tokens, lambda parts=parts: handler.charge_parts("tools", parts)):
                charged_tools.update(fresh)

        m = handler.metrics()
        assert m.turns.used == used_turns == requests_sent <= turn_limit
        assert m.context.used == used_context <= context_limit
        assert m.context.peak_usage >= m.context.used
        assert (m.tokens.input, m.tokens.output) == (tokens_in, tokens_out)
        assert m.tokens.reported_input == (
            sum(u.input_tokens for u in reported) if reported else None
        )
        assert m.tokens.reported_output == (
            sum(u.output_tokens for u in reported) if reported else None
        )
        assert len(handler.conversation) == sum(
            1 for e in events if e.kind == "content" and e.detail["role"] != "tools"
        )
        snapshot = budget.snapshot()
        assert snapshot.turns_used == used_turns
        assert snapshot.tokens_used == budget_tokens
        if limits["budget_turns"] is not None:
            assert snapshot.turns_used <= limits["budget_turns"]
        if limits["budget_tokens"] is not None:
            assert snapshot.tokens_used <= limits["budget_tokens"]
        warned = [e.detail["resource"] for e in events if e.kind == "warning"]
        assert sorted(warned) == sorted(set(warned)), "a warning fired twice"
        assert ("turns" in warned) == reached(used_turns, turn_limit, limits["threshold"])
        assert ("context" in warned) == (
            used_context > 0 and reached(used_context, context_limit, limits["threshold"])
        )

    last = handler.metrics()
    final = handler.release()
    # the same figures, but for the time, which moved on
    assert final == dataclasses.replace(last, released=True, time=final.time)
    assert final.time.elapsed >= last.time.elapsed
    assert handler.metrics() == final
    assert events[-1].kind == "released"
    assert events[-1].metrics == final
