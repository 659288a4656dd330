"""What every model provider is, and the errors providers raise.

A provider turns one `ModelRequest` into one `ModelResponse`. Providers never retry and
never trim: the Handler decides what is sent, and a failure is reported to the program
as a `ProviderError` that says what happened and to which request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from interpreter.errors import TaskschemeError
from interpreter.limits.messages import ModelRequest, ModelResponse

Reason = Literal[
    "auth",
    "rate-limit",
    "timeout",
    "connection",
    "server",
    "bad-request",
    "malformed",
    "cassette-mismatch",
    "cassette-missing",
]

_REASON_TEXT: dict[str, str] = {
    "auth": "authentication failed",
    "rate-limit": "rate limited",
    "timeout": "timed out",
    "connection": "could not connect",
    "server": "server error",
    "bad-request": "request rejected",
    "malformed": "malformed response",
    "cassette-mismatch": "request not in cassette",
    "cassette-missing": "cassette not found",
}

_ABBREVIATE_AT = 40

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


@runtime_checkable
class Provider(Protocol):
    """A model behind a spec string such as "openai:gpt-4o-mini".

    `complete` must be safe to call from several threads at once: parallel map runs
    tasks, each with its own Handler, against one provider.
    """

    spec: str

    def complete(self, request: ModelRequest) -> ModelResponse: ...


@dataclass(frozen=True, slots=True)
class RequestSummary:
    """Enough of a request to recognise it in an error message."""

    model: str
    message_count: int
    last_user: str | None

    @staticmethod
    def of(request: ModelRequest) -> RequestSummary:
        last = next((m.content for m in reversed(request.messages) if m.role == "user"), None)
        return RequestSummary(request.model, len(request.messages), last)

    def counts(self) -> str:
        plural = "" if self.message_count == 1 else "s"
        text = f"{self.message_count} message{plural}"
        if self.last_user is not None:
            text += f', last: "{abbreviate(self.last_user)}"'
        return text

    def __str__(self) -> str:
        return f"{self.model} ({self.counts()})"


def abbreviate(text: str, limit: int = _ABBREVIATE_AT) -> str:
    """One line of at most `limit` characters, with an ellipsis when cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


class ProviderError(TaskschemeError):
    """A model call that failed. `reason` is one of `Reason`; `status` is the HTTP status
    when there was one; `detail` is the server's own message (or ours, when there was no
    server); `where` is the base URL or cassette path that was used.

    The message reads, for example:
    openai: rate limited (HTTP 429) calling gpt-4o-mini at http://127.0.0.1:5555/v1
    (3 messages, last: "Label this ticket…"): slow down
    """

    kind = "provider-error"

    def __init__(
        self,
        provider: str,
        reason: Reason,
        detail: str = "",
        *,
        request: ModelRequest | None = None,
        status: int | None = None,
        where: str | None = None,
        what: str | None = None,
    ) -> None:
        self.provider = provider
        self.reason = reason
        self.status = status
        self.detail = detail
        self.where = where
        self.request_summary = RequestSummary.of(request) if request is not None else None
        super().__init__(self._compose(what or _REASON_TEXT[reason]))

    def _compose(self, what: str) -> str:
        summary = self.request_summary
        text = f"{self.provider}: {what}"
        if self.status is not None:
            text += f" (HTTP {self.status})"
        if summary is not None:
            text += f" calling {summary.model}"
        if self.where:
            text += f" at {self.where}"
        if summary is not None:
            text += f" ({summary.counts()})"
        if self.detail:
            text += f": {self.detail}"
        return text


class ProviderConfigError(TaskschemeError):
    """A model that cannot be set up: an unknown spec prefix or a missing SDK."""

    kind = "provider-config-error"
