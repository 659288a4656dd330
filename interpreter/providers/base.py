"""What every model provider is, and the errors providers raise.

A provider turns one `ModelRequest` into one `ModelResponse`. Providers never retry and
never trim: the Handler decides what is sent, and a failure is reported to the program
as a `ProviderError` that says what happened and to which request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from interpreter.limits.messages import ModelRequest, ModelResponse

JSON_INSTRUCTION = (
    "Give your final answer as a single JSON value and nothing else: no prose, no code fence."
)


def output_instruction(output: str | dict[str, Any]) -> str:
    """What the system prompt says to ask for an output form: nothing for text, the JSON
    instruction for JSON, and the instruction with the schema for a schema.

    The task layer puts it in a task's system prompt, where it is charged to the context
    like any other text and sent to every provider (OpenAI's JSON mode also insists that
    the word JSON appear in the messages)."""
    if output == "text":
        return ""
    if output == "json":
        return JSON_INSTRUCTION
    schema = json.dumps(output, ensure_ascii=False)
    return f"{JSON_INSTRUCTION} It must satisfy this JSON schema: {schema}"


DEFAULT_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class ProviderOptions:
    """How to reach one provider. None means: the SDK's environment variable, else the
    provider's default."""

    base_url: str | None = None
    api_key: str | None = None
    timeout: float = DEFAULT_TIMEOUT


@runtime_checkable
class Provider(Protocol):
    """A model behind a spec string such as "openai:gpt-4o-mini".

    `complete` must be safe to call from several threads at once: parallel map runs
    tasks, each with its own Handler, against one provider.
    """

    spec: str

    def complete(self, request: ModelRequest) -> ModelResponse: ...
