"""Anthropic's Messages API.

Non-streaming: one HTTP request per turn. Anthropic has no JSON mode, so JSON output is
asked for in the system prompt; the task layer validates what comes back.
"""

from __future__ import annotations

from typing import Any

from interpreter.limits.messages import (
    Message,
    ModelRequest,
    ModelResponse,
    ToolCall,
    ToolSpec,
    Usage,
)
from interpreter.providers.base import JSON_INSTRUCTION, output_instruction
from interpreter.providers.sdk import SdkProvider

__all__ = [
    "JSON_INSTRUCTION",
    "AnthropicProvider",
    "messages_arguments",
    "parse_message",
    "tool_entry",
]

DEFAULT_MAX_TOKENS = 4096

# Anthropic's stop reasons in the vocabulary the rest of taskscheme uses (OpenAI's).
_FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "tool_use": "tool_calls",
    "max_tokens": "length",
}


class AnthropicProvider(SdkProvider):
    """`anthropic:MODEL`. Base URL and key come from the options, else ANTHROPIC_BASE_URL
    and ANTHROPIC_API_KEY."""

    name = "anthropic"
    client_class = "Anthropic"
    key_env = "ANTHROPIC_API_KEY"
    base_url_env = "ANTHROPIC_BASE_URL"
    default_base_url = "https://api.anthropic.com"

    def _send(self, client: Any, request: ModelRequest) -> Any:
        return client.messages.create(**messages_arguments(request))

    def _parse(self, raw: Any) -> ModelResponse:
        return parse_message(raw)


def messages_arguments(request: ModelRequest) -> dict[str, Any]:
    """The keyword arguments of `messages.create` for `request`."""
    system = [m.content for m in request.messages if m.role == "system"]
    # Tasks already carry the instruction in their system prompt (where it is charged);
    # a request made some other way gets it here.
    instruction = output_instruction(request.output)
    if instruction and instruction not in "\n\n".join(system):
        system.append(instruction)
    arguments: dict[str, Any] = {
        "model": request.model,
        "max_tokens": request.max_output_tokens or DEFAULT_MAX_TOKENS,
        "messages": _wire_messages(request.messages),
    }
    if system:
        arguments["system"] = "\n\n".join(system)
    if request.tools:
        arguments["tools"] = [tool_entry(tool) for tool in request.tools]
    return arguments


def tool_entry(tool: ToolSpec) -> dict[str, Any]:
    """A tool as the Messages API takes it."""
    return {"name": tool.name, "description": tool.description, "input_schema": tool.parameters}


def _wire_messages(messages: tuple[Message, ...]) -> list[dict[str, Any]]:
    """Conversation turns as content blocks. Tool results travel in a user turn, and
    consecutive turns of one role are merged, as the API expects all results of one
    assistant turn together."""
    turns: list[dict[str, Any]] = []
    for message in messages:
        if message.role == "system":
            continue
        role = "assistant" if message.role == "assistant" else "user"
        blocks = _blocks(message)
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})
    return turns


def _blocks(message: Message) -> list[dict[str, Any]]:
    if message.role == "tool":
        block: dict[str, Any] = {
            "type": "tool_result",
            "tool_use_id": message.tool_call_id,
            "content": message.content,
        }
        if message.is_error:
            block["is_error"] = True
        return [block]
    # The API rejects empty text blocks; an assistant turn may be tool calls only.
    blocks = [{"type": "text", "text": message.content}] if message.content else []
    blocks.extend(
        {"type": "tool_use", "id": call.id, "name": call.name, "input": call.arguments}
        for call in message.tool_calls
    )
    return blocks


def parse_message(raw: Any) -> ModelResponse:
    """A `ModelResponse` from an SDK `Message`; ValueError if it has no content list or a
    tool call's input is not a JSON object."""
    content = getattr(raw, "content", None)
    if not isinstance(content, list):
        raise ValueError("the response has no content blocks")
    texts: list[str] = []
    calls: list[ToolCall] = []
    for block in content:
        if block.type == "text":
            texts.append(block.text)
        elif block.type == "tool_use":
            if not isinstance(block.input, dict):
                raise ValueError(f"tool call {block.name!r} has input that is not a JSON object")
            calls.append(ToolCall(block.id, block.name, dict(block.input)))
    usage = getattr(raw, "usage", None)
    stop = raw.stop_reason or "end_turn"
    return ModelResponse(
        text="".join(texts),
        tool_calls=tuple(calls),
        usage=Usage(usage.input_tokens, usage.output_tokens) if usage else None,
        finish_reason=_FINISH_REASONS.get(stop, stop),
    )
