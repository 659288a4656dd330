"""The OpenAI provider through the real SDK against the local fake server."""

import pytest

from interpreter.limits.messages import Message, ModelRequest, ToolCall, ToolSpec, Usage
from interpreter.providers import ProviderOptions, make_provider

LOOKUP = ToolSpec(
    "lookup_order",
    "Find an order by id.",
    {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]},
)


@pytest.fixture
def openai(fake_llm):
    options = {"openai": ProviderOptions(base_url=fake_llm.openai_url, api_key="sk-test")}
    return make_provider("openai:gpt-4o-mini", options)


def ask(*messages: Message, **fields) -> ModelRequest:
    return ModelRequest("gpt-4o-mini", messages or (Message("user", "Hello"),), **fields)


def test_text_reply_and_usage(fake_llm, openai):
    fake_llm.reply("Hi there", usage=(12, 3))
    response = openai.complete(
        ask(Message("system", "Be brief."), Message("user", "Hello"), max_output_tokens=50)
    )
    assert response.text == "Hi there"
    assert response.usage == Usage(12, 3)
    assert response.finish_reason == "stop"
    sent = fake_llm.last
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == "Bearer sk-test"
    assert sent.body["model"] == "gpt-4o-mini"
    assert sent.body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hello"},
    ]
    assert sent.body["max_completion_tokens"] == 50
    assert "tools" not in sent.body and "response_format" not in sent.body


def test_tool_call_round_trip(fake_llm, openai):
    fake_llm.reply(tool_calls=[("lookup_order", {"id": "A7"})])
    first = openai.complete(ask(Message("user", "Where is A7?"), tools=(LOOKUP,)))
    assert first.text == ""
    assert first.finish_reason == "tool_calls"
    assert first.tool_calls == (ToolCall("call_1", "lookup_order", {"id": "A7"}),)
    assert fake_llm.last.body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "lookup_order",
                "description": "Find an order by id.",
                "parameters": LOOKUP.parameters,
            },
        }
    ]

    fake_llm.reply("A7 shipped yesterday.")
    conversation = (
        Message("user", "Where is A7?"),
        first.to_message(),
        Message("tool", '{"status": "shipped"}', tool_call_id="call_1"),
    )
    second = openai.complete(ask(*conversation, tools=(LOOKUP,)))
    assert second.text == "A7 shipped yesterday."
    assert fake_llm.last.body["messages"][1:] == [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "lookup_order", "arguments": '{"id":"A7"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": '{"status": "shipped"}'},
    ]


def test_json_output_modes(fake_llm, openai):
    schema = {"type": "object", "properties": {"label": {"type": "string"}}}
    fake_llm.reply('{"label": "bug"}')
    fake_llm.reply('{"label": "bug"}')
    assert openai.complete(ask(output="json")).text == '{"label": "bug"}'
    assert fake_llm.last.body["response_format"] == {"type": "json_object"}
    openai.complete(ask(output=schema))
    assert fake_llm.last.body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "output", "schema": schema, "strict": False},
    }


def test_ollama_shortcut_uses_its_base_url_and_dummy_key(fake_llm):
    provider = make_provider(
        "ollama:llama3.2", {"ollama": ProviderOptions(base_url=fake_llm.openai_url)}
    )
    assert provider.spec == "ollama:llama3.2"
    fake_llm.reply("hi")
    response = provider.complete(
        ModelRequest("llama3.2", (Message("user", "hi"),), max_output_tokens=9)
    )
    assert response.text == "hi"
    assert fake_llm.last.headers["authorization"] == "Bearer ollama"
    assert fake_llm.last.body["max_tokens"] == 9


def test_ollama_default_base_url():
    assert make_provider("ollama:llama3.2").base_url == "http://127.0.0.1:11434/v1"


def test_base_url_and_key_from_sdk_environment(fake_llm, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", fake_llm.openai_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    fake_llm.reply("ok")
    assert make_provider("openai:gpt-4o-mini").complete(ask()).text == "ok"
    assert fake_llm.last.headers["authorization"] == "Bearer sk-from-env"
