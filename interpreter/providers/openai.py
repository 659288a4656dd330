"""OpenAI chat completions, and any server that speaks them (Ollama, vLLM, llama.cpp).

Non-streaming: one HTTP request per turn, which is what the Handler counts.
"""

from __future__ import annotations

import json
from typing import Any

from interpreter.limits.messages import (
    Message,
    ModelRequest,
    ModelResponse,
    ToolCall,
    ToolSpec,
    Usage,
)
from interpreter.providers.sdk import SdkProvider


class OpenAIProvider(SdkProvider):
    """`openai:MODEL`. Base URL and key come from the options, else OPENAI_BASE_URL and
    OPENAI_API_KEY."""

    name = "openai"
    client_class = "OpenAI"
    key_env = "OPENAI_API_KEY"
    base_url_env = "OPENAI_BASE_URL"
    default_base_url = "https://api.openai.com/v1"
    # OpenAI's reasoning models reject the older `max_tokens`.
    max_tokens_field = "max_completion_tokens"

    def _send(self, client: Any, request: ModelRequest) -> Any:
        return client.chat.completions.create(**chat_arguments(request, self.max_tokens_field))

    def _parse(self, raw: Any) -> ModelResponse:
        return parse_completion(raw)


class OllamaProvider(OpenAIProvider):
    """`ollama:MODEL`: Ollama's OpenAI-compatible endpoint, local by default; Ollama
    ignores the key but the SDK insists on one."""

    name = "ollama"
    key_env = None
    base_url_env = None
    default_base_url = "http://127.0.0.1:11434/v1"
    default_api_key = "ollama"
    max_tokens_field = "max_tokens"


def chat_arguments(request: ModelRequest, max_tokens_field: str) -> dict[str, Any]:
    """The keyword arguments of `chat.completions.create` for `request`."""
    arguments: dict[str, Any] = {
        "model": request.model,
        "messages": [_wire_message(m) for m in request.messages],
    }
    if request.tools:
        arguments["tools"] = [tool_entry(tool) for tool in request.tools]
    output_format = response_format(request.output)
    if output_format is not None:
        arguments["response_format"] = output_format
    if request.max_output_tokens is not None:
        arguments[max_tokens_field] = request.max_output_tokens
    return arguments


def tool_entry(tool: ToolSpec) -> dict[str, Any]:
    """A tool as chat completions take it: a function tool."""
    return {"type": "function", "function": tool.to_json()}


def response_format(output: str | dict[str, Any]) -> dict[str, Any] | None:
    """The `response_format` that asks for `output`: JSON mode, a JSON schema, or none."""
    if output == "json":
        return {"type": "json_object"}
    if isinstance(output, dict):
        return {
            "type": "json_schema",
            "json_schema": {"name": "output", "schema": output, "strict": False},
        }
    return None


def _wire_message(message: Message) -> dict[str, Any]:
    if message.role == "tool":
        # The API has no error flag for tool results; the content says what went wrong.
        return {"role": "tool", "tool_call_id": message.tool_call_id, "content": message.content}
    wire: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.tool_calls:
        wire["content"] = message.content or None
        wire["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments_json},
            }
            for call in message.tool_calls
        ]
    return wire


def parse_completion(raw: Any) -> ModelResponse:
    """A `ModelResponse` from an SDK `ChatCompletion`; ValueError if it lacks a choice or
    a tool call's arguments are not a JSON object."""
    choices = getattr(raw, "choices", None)
    if not choices:
        raise ValueError("the response has no choices")
    choice = choices[0]
    message = choice.message
    calls = tuple(_tool_call(call) for call in message.tool_calls or ())
    usage = getattr(raw, "usage", None)
    return ModelResponse(
        text=message.content or "",
        tool_calls=calls,
        usage=_usage(usage) if usage else None,
        finish_reason=choice.finish_reason or "stop",
    )


def _usage(usage: Any) -> Usage:
    """The usage, with the prompt tokens OpenAI served from its prompt cache (billed at
    the cached-input price), where it says."""
    details = getattr(usage, "prompt_tokens_details", None)
    cached = getattr(details, "cached_tokens", None) or 0
    return Usage(usage.prompt_tokens, usage.completion_tokens, cached)


def _tool_call(call: Any) -> ToolCall:
    name = call.function.name
    try:
        arguments = json.loads(call.function.arguments or "{}")
    except json.JSONDecodeError:
        arguments = None
    if not isinstance(arguments, dict):
        raise ValueError(
            f"tool call {name!r} has arguments that are not a JSON object: "
            f"{call.function.arguments!r}"
        )
    return ToolCall(call.id, name, arguments)
