"""`--model script:FILE`: a model whose replies are written by hand in a TOML file.

A script is a list of `[[reply]]` tables. Each request gets the first unused reply, in
file order, that fits it: a reply with `task = "NAME"` fits only that task's requests, one
with `match = "TEXT"` only a task whose prompt contains TEXT, one with neither fits any.
So the replies of one task are taken in order, and tasks running in parallel each get
their own. A reply is one of `text`, `json` (any TOML value, sent as its JSON text),
`tool_calls` (a list of `{name, arguments}`, optionally with `text`) or `error` (a
provider error reason, with an optional `status` and `message`).

The whole file is read and checked when the model is made, so a mistake in it is reported
with its line before the program runs.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from interpreter.errors import ProviderConfigError, ProviderError, Reason
from interpreter.limits.messages import ModelRequest
from interpreter.providers.testing import OfflineModel, Scripted, model_turn, numbered_calls

PREFIX = "script"

# The reasons a reply may fail with: those of a real provider, not a cassette's.
ERROR_REASONS = tuple(reason for reason in get_args(Reason) if not reason.startswith("cassette"))
_ANSWERS = ("text", "json", "tool_calls", "error")
_KEYS = {
    "task": str,
    "match": str,
    "text": str,
    "json": object,
    "tool_calls": list,
    "error": str,
    "status": int,
    "message": str,
    "finish_reason": str,
}
_CALL_KEYS = {"name": str, "arguments": dict, "id": str}
_REPLY_HEADER = re.compile(r"^\s*\[\[\s*reply\s*\]\]")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)")
_KIND = {str: "a string", int: "an integer", list: "an array", dict: "a table"}


@dataclass(slots=True)
class _Reply:
    where: str  # file:line, for errors
    task: str | None
    match: str | None
    answer: dict[str, Any]
    used: bool = False

    def fits(self, task: str | None, prompt: str) -> bool:
        return (self.task is None or self.task == task) and (
            self.match is None or self.match in prompt
        )


class ScriptModel(OfflineModel):
    """Answers from the `[[reply]]` tables of a TOML script (see the module docstring).
    A request no unused reply fits is a `ProviderError` naming the task and its turn."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        super().__init__(f"{PREFIX}:{self.path}", 0.0)
        self._replies = _load(self.path)

    def _respond(self, request: ModelRequest) -> Scripted:
        messages = request.messages
        prompt = next((m.content for m in messages if m.role == "user"), "")
        with self._lock:
            reply = next(
                (r for r in self._replies if not r.used and r.fits(request.task, prompt)), None
            )
            if reply is not None:
                reply.used = True
        if reply is None:
            raise self._no_reply(request)
        answer = reply.answer
        if "error" in answer:
            raise ProviderError(
                PREFIX,
                answer["error"],
                answer.get("message", ""),
                request=request,
                status=answer.get("status"),
                where=reply.where,
            )
        if "tool_calls" in answer:
            return {**answer, "tool_calls": numbered_calls(request, answer["tool_calls"])}
        return answer

    def _no_reply(self, request: ModelRequest) -> ProviderError:
        task = request.task or "(unnamed)"
        turn = model_turn(request)
        mine = sum(1 for reply in self._replies if reply.task == task)
        detail = (
            f"task {task}, model turn {turn}: no unused reply fits it "
            f"({len(self._replies)} in the script, {mine} for task {task}); "
            f'add a [[reply]] with task = "{task}"'
        )
        return ProviderError(
            PREFIX, "cassette-mismatch", detail, request=request, where=self.path, what="no reply"
        )


def _load(path: str) -> list[_Reply]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ProviderConfigError(f"script {path}: not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise ProviderConfigError(
            f"cannot read the script {path}: {error.strerror or error}"
        ) from None
    try:
        import tomllib  # only a script run reads TOML (start-up)

        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _toml_problem(path, str(error)) from None
    unknown = [key for key in data if key != "reply"]
    if unknown:
        raise ProviderConfigError(
            f"script {path}: unknown key {unknown[0]!r}; a script is a list of [[reply]] tables"
        )
    replies = data.get("reply", [])
    if not isinstance(replies, list):
        raise ProviderConfigError(f"script {path}: reply must be a list of [[reply]] tables")
    lines = [n for n, line in enumerate(text.splitlines(), 1) if _REPLY_HEADER.match(line)]
    if len(lines) != len(replies):  # replies written as an inline array: no header lines
        lines = []
    return [
        _reply(f"{path}:{lines[index]}" if lines else f"{path} (reply {index + 1})", entry)
        for index, entry in enumerate(replies)
    ]


def _toml_problem(path: str, message: str) -> ProviderConfigError:
    position = _TOML_POSITION.search(message)
    if position is None:
        return ProviderConfigError(f"script {path}: not valid TOML: {message}")
    problem = _TOML_POSITION.sub("", message)
    return ProviderConfigError(
        f"{path}:{position[1]}: not valid TOML: {problem} (column {position[2]})"
    )


def _reply(where: str, entry: Any) -> _Reply:
    def problem(text: str) -> ProviderConfigError:
        return ProviderConfigError(f"{where}: {text}")

    if not isinstance(entry, dict):
        raise problem("a reply must be a table")
    for key, value in entry.items():
        kind = _KEYS.get(key)
        if kind is None:
            raise problem(f"unknown key {key!r}; the keys are {', '.join(_KEYS)}")
        if kind is not object and (isinstance(value, bool) or not isinstance(value, kind)):
            raise problem(f"{key} must be {_KIND[kind]}")
    answers = [key for key in _ANSWERS if key in entry]
    if not answers or (len(answers) > 1 and answers != ["text", "tool_calls"]):
        raise problem(
            "a reply needs one of text, json, tool_calls or error (text may go with "
            f"tool_calls); it has {', '.join(answers) or 'none'}"
        )
    answer = {key: value for key, value in entry.items() if key not in ("task", "match", "json")}
    if "json" in entry:
        try:
            answer["text"] = json.dumps(entry["json"], ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError):
            raise problem(
                "json must be made of strings, finite numbers, booleans, arrays and tables"
            ) from None
    if "error" in entry and entry["error"] not in ERROR_REASONS:
        raise problem(f"error {entry['error']!r} is not one of {', '.join(ERROR_REASONS)}")
    extra = [key for key in ("status", "message") if key in entry and "error" not in entry]
    if extra:
        raise problem(f"{extra[0]} goes only with error")
    for call in entry.get("tool_calls", ()):
        _check_call(call, problem)
    return _Reply(where, entry.get("task"), entry.get("match"), answer)


def _check_call(call: Any, problem: Any) -> None:
    if not isinstance(call, dict) or not isinstance(call.get("name"), str):
        raise problem('each tool call is a table with a name: { name = "tool", arguments = {...} }')
    for key, value in call.items():
        kind = _CALL_KEYS.get(key)
        if kind is None:
            raise problem(f"unknown tool call key {key!r}; the keys are {', '.join(_CALL_KEYS)}")
        if not isinstance(value, kind):
            raise problem(f"tool call {key} must be {_KIND[kind]}")
