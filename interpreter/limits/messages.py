"""The data that passes between a task, its Handler and a model provider.

Plain immutable values with no behaviour beyond conversion to and from JSON, so the
Handler, every provider, the cassette recorder and embedders agree on one shape.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["system", "user", "assistant", "tool"]


def wire_json(value: Any) -> str:
    """The one JSON text of a structured part of a request (tool call arguments, a tool's
    description, an output format): compact, Unicode as it is. The Handler charges this
    text and the providers send it, so the two never differ."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class ToolCall:
    """The model asking to run one tool with JSON arguments. `arguments_json` is their
    text, built once: what the Handler charges and what is sent back to the model."""

    id: str
    name: str
    arguments: dict[str, Any]
    arguments_json: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "arguments_json", wire_json(self.arguments))

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "arguments": self.arguments}

    @staticmethod
    def from_json(data: dict[str, Any]) -> ToolCall:
        return ToolCall(data["id"], data["name"], dict(data.get("arguments") or {}))


@dataclass(frozen=True, slots=True)
class Message:
    """One entry of a conversation. `tool_call_id` links a tool result to its call."""

    role: Role
    content: str
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    is_error: bool = False

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.tool_calls:
            data["tool_calls"] = [call.to_json() for call in self.tool_calls]
        if self.tool_call_id is not None:
            data["tool_call_id"] = self.tool_call_id
        if self.is_error:
            data["is_error"] = True
        return data

    @staticmethod
    def from_json(data: dict[str, Any]) -> Message:
        return Message(
            role=data["role"],
            content=data.get("content") or "",
            tool_calls=tuple(ToolCall.from_json(c) for c in data.get("tool_calls") or ()),
            tool_call_id=data.get("tool_call_id"),
            is_error=bool(data.get("is_error", False)),
        )


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A tool offered to the model: its name, what it does, and a JSON schema of its arguments."""

    name: str
    description: str
    parameters: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "parameters": self.parameters}

    @staticmethod
    def from_json(data: dict[str, Any]) -> ToolSpec:
        return ToolSpec(data["name"], data.get("description", ""), dict(data["parameters"]))


@dataclass(frozen=True, slots=True)
class Usage:
    """Token usage as a provider reported it (or a cassette recorded it). The figures go
    into the metrics' totals, so anything but a count of tokens is refused with a
    ValueError, which providers and cassettes report as malformed."""

    input_tokens: int
    output_tokens: int
    # the part of input_tokens the provider served from its prompt cache
    cached_input_tokens: int = 0

    def __post_init__(self) -> None:
        for name in ("input_tokens", "output_tokens", "cached_input_tokens"):
            value = getattr(self, name)
            if type(value) is not int or value < 0:
                raise ValueError(
                    f"usage {name} must be a whole number of tokens, at least 0; "
                    f"got {wire_json(value)}"
                )
        if self.cached_input_tokens > self.input_tokens:
            raise ValueError(
                f"usage cached_input_tokens ({self.cached_input_tokens}) cannot exceed "
                f"input_tokens ({self.input_tokens})"
            )

    @staticmethod
    def from_json(data: Any) -> Usage:
        if not isinstance(data, dict):
            raise ValueError(f"usage must be an object, got {wire_json(data)}")
        return Usage(
            data["input_tokens"], data["output_tokens"], data.get("cached_input_tokens", 0)
        )

    def to_json(self) -> dict[str, int]:
        data = {"input_tokens": self.input_tokens, "output_tokens": self.output_tokens}
        if self.cached_input_tokens:
            data["cached_input_tokens"] = self.cached_input_tokens
        return data


@dataclass(frozen=True, slots=True)
class ModelRequest:
    """Everything one turn sends: the model name as the provider knows it, the whole
    conversation (system prompt first, if any), the tools, and the wanted output form.

    `output` is "text", "json", or a JSON schema (dict) the answer must satisfy.
    `task` names the task that sends it, for offline models that answer by task; it is
    never sent to a model, recorded or compared.
    """

    model: str
    messages: tuple[Message, ...]
    tools: tuple[ToolSpec, ...] = ()
    output: str | dict[str, Any] = "text"
    max_output_tokens: int | None = None
    task: str | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "model": self.model,
            "messages": [m.to_json() for m in self.messages],
        }
        if self.tools:
            data["tools"] = [t.to_json() for t in self.tools]
        if self.output != "text":
            data["output"] = self.output
        if self.max_output_tokens is not None:
            data["max_output_tokens"] = self.max_output_tokens
        return data

    @staticmethod
    def from_json(data: dict[str, Any]) -> ModelRequest:
        return ModelRequest(
            model=data["model"],
            messages=tuple(Message.from_json(m) for m in data["messages"]),
            tools=tuple(ToolSpec.from_json(t) for t in data.get("tools") or ()),
            output=data.get("output", "text"),
            max_output_tokens=data.get("max_output_tokens"),
        )


@dataclass(frozen=True, slots=True)
class ModelResponse:
    """One model answer: text, any tool calls, and the usage the provider reported."""

    text: str
    tool_calls: tuple[ToolCall, ...] = ()
    usage: Usage | None = None
    finish_reason: str = "stop"
    extra: dict[str, Any] = field(default_factory=dict)

    def to_message(self) -> Message:
        return Message("assistant", self.text, self.tool_calls)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text, "finish_reason": self.finish_reason}
        if self.tool_calls:
            data["tool_calls"] = [c.to_json() for c in self.tool_calls]
        if self.usage is not None:
            data["usage"] = self.usage.to_json()
        return data

    @staticmethod
    def from_json(data: dict[str, Any]) -> ModelResponse:
        usage = data.get("usage")
        return ModelResponse(
            text=data.get("text") or "",
            tool_calls=tuple(ToolCall.from_json(c) for c in data.get("tool_calls") or ()),
            usage=None if usage is None else Usage.from_json(usage),
            finish_reason=data.get("finish_reason", "stop"),
        )
