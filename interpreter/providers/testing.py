"""Offline models for tests and for embedders who want to try programs without a network.

`OfflineTestModel` is the command line's `--model test`: it needs no script. The
others answer as the Python code that makes them says. All report usage as a provider would, counted locally with tiktoken (o200k_base): input
is every message content of the request, output is the response text plus each tool
call as JSON. A response that already carries usage keeps it.

A response can be given as a string (the text), a `ModelResponse`, or a dict
`{"text": ..., "tool_calls": [{"name": ..., "arguments": {...}}], "finish_reason": ...}`
where every key is optional and tool call ids are generated when absent.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from interpreter.errors import RequestSummary, ScriptExhaustedError
from interpreter.limits.messages import ModelRequest, ModelResponse, ToolCall, Usage
from interpreter.limits.tokens import count_tokens

Scripted = str | ModelResponse | Mapping[str, Any]

_USAGE_ENCODING = "o200k_base"
_DICT_KEYS = {"text", "tool_calls", "finish_reason"}


class OfflineModel:
    """Shared behaviour: records requests, optional delay per call (outside the lock, so
    concurrent calls overlap), usage filled in, thread-safe."""

    def __init__(self, spec: str, delay: float) -> None:
        self.spec = spec
        self.delay = delay
        self.requests: list[ModelRequest] = []
        self._lock = threading.Lock()
        self._call_ids = 0

    def complete(self, request: ModelRequest) -> ModelResponse:
        with self._lock:
            self.requests.append(request)
        answer = self._respond(request)
        if self.delay:
            time.sleep(self.delay)
        response = self._coerce(answer)
        return response if response.usage else replace(response, usage=usage_of(request, response))

    def _respond(self, request: ModelRequest) -> Scripted:
        raise NotImplementedError

    def _coerce(self, value: Scripted) -> ModelResponse:
        if isinstance(value, ModelResponse):
            return value
        if isinstance(value, str):
            return ModelResponse(value)
        if isinstance(value, Mapping):
            return self._from_dict(value)
        raise TypeError(
            f"{self.spec}: a response must be a str, a ModelResponse or a dict, "
            f"not {type(value).__name__}"
        )

    def _from_dict(self, value: Mapping[str, Any]) -> ModelResponse:
        unknown = set(value) - _DICT_KEYS
        if unknown:
            raise ValueError(
                f"{self.spec}: unknown response key(s) {sorted(unknown)}; use {sorted(_DICT_KEYS)}"
            )
        calls = tuple(self._tool_call(c) for c in value.get("tool_calls") or ())
        finish = value.get("finish_reason") or ("tool_calls" if calls else "stop")
        return ModelResponse(value.get("text") or "", calls, finish_reason=finish)

    def _tool_call(self, call: Mapping[str, Any]) -> ToolCall:
        if "name" not in call:
            raise ValueError(f"{self.spec}: a scripted tool call needs a 'name': {call!r}")
        call_id = call.get("id")
        if call_id is None:
            with self._lock:
                self._call_ids += 1
                call_id = f"call_{self._call_ids}"
        return ToolCall(call_id, call["name"], dict(call.get("arguments") or {}))


class ScriptedModel(OfflineModel):
    """Answers with `responses` in order; one more request than responses raises
    `ScriptExhaustedError`. `.requests` holds every request received."""

    def __init__(
        self, responses: Iterable[Scripted], *, spec: str = "test:scripted", delay: float = 0.0
    ) -> None:
        super().__init__(spec, delay)
        self._script = [self._coerce(r) for r in responses]
        self._position = 0

    @property
    def remaining(self) -> int:
        return len(self._script) - self._position

    def _respond(self, request: ModelRequest) -> Scripted:
        with self._lock:
            if self._position >= len(self._script):
                raise ScriptExhaustedError(
                    f"{self.spec}: all {len(self._script)} scripted response(s) are used; "
                    f"one more request came: {RequestSummary.of(request)}"
                )
            self._position += 1
            return self._script[self._position - 1]


class FunctionModel(OfflineModel):
    """Answers with `fn(request)`, called outside any lock (it may run concurrently)."""

    def __init__(
        self,
        fn: Callable[[ModelRequest], Scripted],
        *,
        spec: str = "test:function",
        delay: float = 0.0,
    ) -> None:
        super().__init__(spec, delay)
        self.fn = fn

    def _respond(self, request: ModelRequest) -> Scripted:
        return self.fn(request)


def usage_of(request: ModelRequest, response: ModelResponse) -> Usage:
    """Usage counted locally, the way the offline models report it."""
    sent = sum(count_tokens(m.content, _USAGE_ENCODING) for m in request.messages)
    calls = (json.dumps({"name": c.name, "arguments": c.arguments}) for c in response.tool_calls)
    received = count_tokens(response.text, _USAGE_ENCODING) + sum(
        count_tokens(c, _USAGE_ENCODING) for c in calls
    )
    return Usage(sent, received)


NO_TOOL_CALLS = "success (no tool calls)"


class OfflineTestModel(OfflineModel):
    """`--model test`: deterministic, with nothing to write first (after pydantic-ai's
    TestModel). Its first answer calls every offered tool once, with arguments made to
    fit the tool's parameters; its next answers with text (the tools' results as JSON,
    or "success (no tool calls)"), or with data valid for the requested output: a JSON
    object for 'json, a value generated from the schema for a schema."""

    def __init__(self, spec: str = "test:test", *, delay: float = 0.0) -> None:
        super().__init__(spec, delay)

    def _respond(self, request: ModelRequest) -> Scripted:
        asked = [call for message in request.messages for call in message.tool_calls]
        if request.tools and not asked:
            calls = [
                {"name": tool.name, "arguments": sample_value(tool.parameters)}
                for tool in request.tools
            ]
            return {"tool_calls": numbered_calls(request, calls)}
        results = _tool_results(request, {call.id: call.name for call in asked})
        if isinstance(request.output, dict):
            return json.dumps(sample_value(request.output), ensure_ascii=False)
        if request.output == "json":
            return json.dumps(results or {"result": NO_TOOL_CALLS}, ensure_ascii=False)
        return json.dumps(results, ensure_ascii=False) if results else NO_TOOL_CALLS


def model_turn(request: ModelRequest) -> int:
    """Which of its task's model turns `request` is: 1 for the first."""
    return 1 + sum(1 for message in request.messages if message.role == "assistant")


def numbered_calls(request: ModelRequest, calls: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """`calls` with ids `call_TURN_N` where they have none: unique in the conversation and
    the same on every run, however parallel tasks interleave."""
    turn = model_turn(request)
    return [{"id": f"call_{turn}_{n}", **call} for n, call in enumerate(calls, 1)]


def _tool_results(request: ModelRequest, names: Mapping[str, str]) -> dict[str, Any]:
    """Each tool's latest result by tool name, as JSON data where the result is JSON."""
    results: dict[str, Any] = {}
    for message in request.messages:
        if message.role == "tool" and message.tool_call_id in names:
            try:
                value: Any = json.loads(message.content)
            except json.JSONDecodeError:
                value = message.content
            results[names[message.tool_call_id]] = value
    return results


def sample_value(schema: Mapping[str, Any]) -> Any:
    """A value that satisfies `schema` (the JSON Schema subset task outputs and tool
    parameters use): the first of an `enum`; strings of "a"; numbers at 0 or the nearest
    bound; one item per array (or `minItems`); every declared property of an object."""
    if schema.get("enum"):
        return schema["enum"][0]
    kind = _sample_kind(schema)
    if kind == "object":
        properties = schema.get("properties") or {}
        value = {name: sample_value(sub) for name, sub in properties.items()}
        additional = schema.get("additionalProperties")
        for name in schema.get("required") or ():
            value.setdefault(name, sample_value(additional if isinstance(additional, dict) else {}))
        return value
    if kind == "array":
        count = _sample_size(schema, "minItems", "maxItems")
        return [sample_value(schema.get("items") or {}) for _ in range(count)]
    if kind in ("integer", "number"):
        return _sample_number(schema, kind == "integer")
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return "a" * _sample_size(schema, "minLength", "maxLength")


def _sample_size(schema: Mapping[str, Any], low: str, high: str) -> int:
    """One, or the lower bound if above it, or the upper bound if below it."""
    return int(min(max(schema.get(low, 1), 1), schema.get(high, math.inf)))


def _sample_kind(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = kind[0]
    if kind is not None:
        return kind
    if "properties" in schema or "required" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "string"


def _sample_number(schema: Mapping[str, Any], whole: bool) -> int | float:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and low > 0:
        return math.ceil(low) if whole else low
    if high is not None and high < 0:
        return math.floor(high) if whole else high
    return 0
