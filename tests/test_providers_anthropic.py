"""The Anthropic provider through the real SDK against the local fake server."""

import json

import pytest

from interpreter.limits.messages import Message, ModelRequest, ToolCall, ToolSpec, Usage
from interpreter.providers import ProviderOptions, make_provider
from interpreter.providers.anthropic import JSON_INSTRUCTION

LOOKUP = ToolSpec(
    "lookup_order",
    "Find an order by id.",
    {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]},
)
MODEL = "claude-haiku-4-5"


@pytest.fixture
def anthropic(fake_llm):
    options = {"anthropic": ProviderOptions(base_url=fake_llm.url, api_key="sk-ant-test")}
    return make_provider(f"anthropic:{MODEL}", options)


def ask(*messages: Message, **fields) -> ModelRequest:
    return ModelRequest(MODEL, messages or (Message("user", "Hello"),), **fields)


def test_text_reply_system_and_usage(fake_llm, anthropic):
    fake_llm.reply("Hi there", usage=(21, 4))
    response = anthropic.complete(ask(Message("system", "Be brief."), Message("user", "Hello")))
    assert response.text == "Hi there"
    assert response.usage == Usage(21, 4)
    assert response.finish_reason == "stop"
    sent = fake_llm.last
    assert sent.path == "/v1/messages"
    # SDK 2.x sends the key as a bearer token; older ones used x-api-key.
    auth = sent.headers.get("x-api-key") or sent.headers["authorization"].removeprefix("Bearer ")
    assert auth == "sk-ant-test"
    assert sent.body["system"] == "Be brief."
    assert sent.body["max_tokens"] == 4096
    assert sent.body["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "Hello"}]}
    ]


def test_max_output_tokens_is_passed(fake_llm, anthropic):
    fake_llm.reply("ok")
    anthropic.complete(ask(max_output_tokens=64))
    assert fake_llm.last.body["max_tokens"] == 64
    assert "system" not in fake_llm.last.body


def test_tool_use_round_trip(fake_llm, anthropic):
    fake_llm.reply(
        "Let me look.", tool_calls=[("lookup_order", {"id": "A7"}), ("lookup_order", {"id": "B2"})]
    )
    first = anthropic.complete(ask(Message("user", "Where are A7 and B2?"), tools=(LOOKUP,)))
    assert first.text == "Let me look."
    assert first.finish_reason == "tool_calls"
    assert first.tool_calls == (
        ToolCall("toolu_1", "lookup_order", {"id": "A7"}),
        ToolCall("toolu_2", "lookup_order", {"id": "B2"}),
    )
    assert fake_llm.last.body["tools"] == [
        {
            "name": "lookup_order",
            "description": "Find an order by id.",
            "input_schema": LOOKUP.parameters,
        }
    ]

    fake_llm.reply("A7 shipped; B2 is unknown.")
    conversation = (
        Message("user", "Where are A7 and B2?"),
        first.to_message(),
        Message("tool", "shipped", tool_call_id="toolu_1"),
        Message("tool", "no such order", tool_call_id="toolu_2", is_error=True),
    )
    anthropic.complete(ask(*conversation, tools=(LOOKUP,)))
    assert fake_llm.last.body["messages"][1:] == [
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Let me look."},
                {
                    "type": "tool_use",
                    "id": "toolu_1",
                    "name": "lookup_order",
                    "input": {"id": "A7"},
                },
                {
                    "type": "tool_use",
                    "id": "toolu_2",
                    "name": "lookup_order",
                    "input": {"id": "B2"},
                },
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": "shipped"},
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_2",
                    "content": "no such order",
                    "is_error": True,
                },
            ],
        },
    ]


def test_json_output_is_asked_for_in_the_system_prompt(fake_llm, anthropic):
    schema = {"type": "object", "properties": {"label": {"type": "string"}}}
    fake_llm.reply('{"label": "bug"}')
    fake_llm.reply('{"label": "bug"}')
    anthropic.complete(
        ask(Message("system", "You label tickets."), Message("user", "x"), output="json")
    )
    assert fake_llm.last.body["system"] == f"You label tickets.\n\n{JSON_INSTRUCTION}"
    anthropic.complete(ask(output=schema))
    system = fake_llm.last.body["system"]
    assert system.startswith(JSON_INSTRUCTION)
    assert json.dumps(schema) in system


def test_a_request_that_already_asks_for_json_is_not_told_twice(fake_llm, anthropic):
    # Tasks put the instruction in their own system prompt, where it is charged.
    fake_llm.reply('{"label": "bug"}')
    system = f"You label tickets.\n\n{JSON_INSTRUCTION}"
    anthropic.complete(ask(Message("system", system), Message("user", "x"), output="json"))
    assert fake_llm.last.body["system"] == system


def test_max_tokens_stop_reason_is_length(fake_llm, anthropic):
    fake_llm.reply("cut o", finish_reason="max_tokens")
    assert anthropic.complete(ask()).finish_reason == "length"
