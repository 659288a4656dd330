"""An embedder's own model: a provider object or a plain (async) function, under every
rule of the Handler."""

from __future__ import annotations

import asyncio

import pytest
from tasks_support import settings

from interpreter import Interpreter
from interpreter.errors import ResourceExhaustionError, UsageError
from interpreter.limits.messages import ModelRequest, ModelResponse


def test_a_function_answers_with_the_messages_it_is_given():
    seen = []

    def model(messages):
        seen.append([(m.role, m.content) for m in messages])
        return "bonjour"

    interp = Interpreter(settings(), model=model)
    interp.eval('(define-task (translate w) #:system "You translate." "French for {{w}}")')
    assert interp.eval('(translate "hello")') == "bonjour"
    assert seen == [[("system", "You translate."), ("user", "French for hello")]]
    metrics = interp.last_task_metrics
    assert metrics.turns.used == 1 and metrics.context.used > 0
    # it stands in for the model the settings name: that model's window
    assert metrics.context.limit == int(128_000 * interp.settings.get("context_fraction"))


def test_an_async_function_is_awaited_in_sync_and_async_runs():
    async def model(messages):
        await asyncio.sleep(0)
        return {"text": "async " + messages[-1].content}

    interp = Interpreter(settings(), model=model)
    interp.eval('(define-task (echo w) "{{w}}")')
    assert interp.eval('(echo "one")') == "async one"
    assert asyncio.run(interp.eval_async('(echo "two")')) == "async two"


def test_the_turn_limit_holds_for_a_function_that_keeps_calling_tools():
    calls = []

    def model(messages):
        calls.append(len(messages))
        return {"tool_calls": [{"name": "ping", "arguments": {}}]}

    interp = Interpreter(settings(), model=model)
    interp.eval('(define-tool (ping) "Ping." "pong")')
    interp.eval('(define-task (loop-forever) #:max-turns 3 #:tools (list ping) "Go.")')
    with pytest.raises(ResourceExhaustionError) as caught:
        interp.eval("(loop-forever)")
    assert caught.value.resource == "turns"
    assert caught.value.metrics.turns.used == 3
    assert len(calls) == 3


def test_the_context_limit_holds_before_the_function_is_called():
    calls = []
    interp = Interpreter(settings(), model=lambda messages: calls.append(1) or "ok")
    interp.eval('(define-task (summarize text) #:context-fraction 0.001 "Summarize: {{text}}")')
    with pytest.raises(ResourceExhaustionError) as caught:
        interp.eval("(summarize (make-string 2000 #\\a))")
    assert caught.value.resource == "context"
    assert calls == []


def test_a_budget_given_to_the_interpreter_guards_every_task():
    interp = Interpreter(settings(), model=lambda messages: "ok", config={"budget_turns": 2})
    interp.eval('(define-task (say w) "{{w}}")')
    interp.eval('(say "a") (say "b")')
    with pytest.raises(ResourceExhaustionError) as caught:
        interp.eval('(say "c")')
    assert caught.value.resource == "budget-turns"


class EchoProvider:
    """The smallest provider: a spec and `complete(request)`."""

    spec = "openai:gpt-4o-mini"

    def complete(self, request: ModelRequest) -> ModelResponse:
        return ModelResponse(request.messages[-1].content.upper())


def test_any_object_with_the_provider_interface_is_a_model():
    interp = Interpreter(settings(), model=EchoProvider())
    interp.eval('(define-task (loud w) #:max-turns 1 "{{w}}")')
    assert interp.eval('(loud "hi")') == "HI"
    assert interp.last_task_metrics.turns.limit == 1


def test_something_that_is_no_model_is_a_usage_error():
    with pytest.raises(UsageError, match="model spec string"):
        Interpreter(settings(), model=42)
