"""The offline test models: ScriptedModel and FunctionModel."""

import json
import threading

import pytest

from interpreter.errors import ScriptExhaustedError
from interpreter.limits.messages import Message, ModelRequest, ModelResponse, ToolCall, Usage
from interpreter.limits.tokens import count_tokens
from interpreter.providers import FunctionModel, Provider, ScriptedModel


def ask(text: str = "Hello there") -> ModelRequest:
    return ModelRequest("test", (Message("system", "Be brief."), Message("user", text)))


def test_scripted_responses_in_order_of_every_form():
    model = ScriptedModel(
        [
            "plain text",
            {"text": "calling", "tool_calls": [{"name": "lookup", "arguments": {"id": 7}}]},
            {"tool_calls": [{"name": "a"}, {"name": "b", "id": "mine"}]},
            ModelResponse("given", usage=Usage(1, 2)),
        ]
    )
    assert isinstance(model, Provider)
    assert model.spec == "test:scripted"
    first, second, third, fourth = (model.complete(ask(str(i))) for i in range(4))
    assert (first.text, first.tool_calls, first.finish_reason) == ("plain text", (), "stop")
    assert second.tool_calls == (ToolCall("call_1", "lookup", {"id": 7}),)
    assert second.finish_reason == "tool_calls"
    assert [c.id for c in third.tool_calls] == ["call_2", "mine"]
    assert third.text == ""
    assert fourth.usage == Usage(1, 2)  # scripted usage is kept
    assert [r.messages[-1].content for r in model.requests] == ["0", "1", "2", "3"]
    assert model.remaining == 0


def test_running_out_of_script_is_a_clear_error():
    model = ScriptedModel(["only one"], spec="test:labeller")
    model.complete(ask())
    with pytest.raises(ScriptExhaustedError) as caught:
        model.complete(ask("Label this"))
    assert caught.value.message == (
        "test:labeller: all 1 scripted response(s) are used; one more request came: "
        'test (2 messages, last: "Label this")'
    )
    assert len(model.requests) == 2


def test_bad_scripted_responses_fail_at_construction():
    with pytest.raises(ValueError, match=r"unknown response key\(s\) \['txt'\]"):
        ScriptedModel([{"txt": "typo"}])
    with pytest.raises(ValueError, match="needs a 'name'"):
        ScriptedModel([{"tool_calls": [{"arguments": {}}]}])
    with pytest.raises(TypeError, match="not int"):
        ScriptedModel([42])


def test_usage_is_counted_with_o200k_base():
    model = ScriptedModel(
        [{"text": "billing", "tool_calls": [{"name": "f", "arguments": {"x": 1}}]}]
    )
    response = model.complete(ask("I was charged twice"))
    expected_in = count_tokens("Be brief.", "o200k_base") + count_tokens("I was charged twice")
    call_json = json.dumps({"name": "f", "arguments": {"x": 1}})
    expected_out = count_tokens("billing") + count_tokens(call_json)
    assert response.usage == Usage(expected_in, expected_out)


def test_function_model_answers_from_the_request():
    def echo(request: ModelRequest):
        text = request.messages[-1].content
        if text == "tool":
            return {"tool_calls": [{"name": "lookup", "arguments": {}}]}
        if text == "full":
            return ModelResponse("full response")
        return text.upper()

    model = FunctionModel(echo)
    assert model.spec == "test:function"
    assert model.complete(ask("shout")).text == "SHOUT"
    assert model.complete(ask("tool")).tool_calls == (ToolCall("call_1", "lookup", {}),)
    full = model.complete(ask("full"))
    assert full.text == "full response"
    assert full.usage == Usage(
        count_tokens("Be brief.") + count_tokens("full"), count_tokens("full response")
    )
    assert len(model.requests) == 3


def test_function_model_rejects_other_return_types():
    with pytest.raises(TypeError, match="a response must be a str, a ModelResponse or a dict"):
        FunctionModel(lambda request: None).complete(ask())


def run_together(calls: int, target) -> None:
    threads = [threading.Thread(target=target) for _ in range(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_scripted_model_is_safe_under_concurrent_calls():
    model = ScriptedModel([str(i) for i in range(8)], delay=0.01)
    results: list[str] = []
    run_together(8, lambda: results.append(model.complete(ask()).text))
    assert sorted(results) == [str(i) for i in range(8)]
    assert len(model.requests) == 8


def test_function_model_calls_run_side_by_side():
    barrier = threading.Barrier(4, timeout=10)  # breaks unless all four calls are inside fn at once
    model = FunctionModel(lambda request: str(barrier.wait()))
    results: list[str] = []
    run_together(4, lambda: results.append(model.complete(ask()).text))
    assert sorted(results) == ["0", "1", "2", "3"]
