"""Record a run's model exchanges to a cassette, and answer from it offline.

A cassette is JSON Lines, one object per line, readable and diffable:

    {"taskscheme_cassette": 1, "model": "openai:gpt-4o-mini", "recorded_at": "..."}
    {"request": {...ModelRequest...}, "response": {...ModelResponse, with usage...}}
    ...

The header may also carry `input_window` and `encoding`, so a replay of a model that was
defined in configuration resolves the same token accounting without that configuration.
Replay matches requests by content, not by position, so runs whose tasks execute in a
different order (parallel map) replay deterministically.

An interactive task's questions to the user are recorded too, each with its answer (null
for end of input), so a replay answers them without reading standard input:

    {"ask_user": {"task": "plan", "question": "...", "answer": "by train"}}
"""

from __future__ import annotations

import difflib
import json
import os
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_args

from interpreter.errors import ProviderConfigError, ProviderError, Reason
from interpreter.limits.messages import ModelRequest, ModelResponse
from interpreter.limits.models import MODEL_FIELDS
from interpreter.providers.base import Provider

CASSETTE_VERSION = 1
_MAX_DIFF_LINES = 40
_LINE_WIDTH = 160


class RecordingProvider:
    """Wraps a provider and appends every exchange to a cassette. The file is written
    from scratch, flushed after each line, and safe under concurrent calls. A call that
    fails with a `ProviderError` is recorded with its error (instead of a response) and
    raises as usual, so a replay fails the same way and a program that handles provider
    errors replays faithfully."""

    def __init__(
        self,
        inner: Provider,
        path: str | os.PathLike[str],
        *,
        input_window: int | None = None,
        encoding: str | None = None,
    ) -> None:
        self.inner = inner
        self.spec = inner.spec
        self.path = Path(path)
        # Re-recording a replay records the model the cassette was made with.
        model = getattr(inner, "recorded_model", None) or inner.spec
        if input_window is None:
            input_window = getattr(inner, "input_window", None)
        if encoding is None:
            encoding = getattr(inner, "encoding", None)
        header: dict[str, Any] = {
            "taskscheme_cassette": CASSETTE_VERSION,
            "model": model,
            "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        if input_window is not None:
            header["input_window"] = input_window
        if encoding is not None:
            header["encoding"] = encoding
        self._lock = threading.Lock()
        try:
            self.path.write_text(_json_line(header), encoding="utf-8")
        except OSError as error:
            raise ProviderConfigError(
                f"cannot record to the cassette {self.path}: {error.strerror or error}"
            ) from None

    def complete(self, request: ModelRequest) -> ModelResponse:
        try:
            response = self.inner.complete(request)
        except ProviderError as error:
            if error.provider != "replay":  # a cassette's own trouble is not the model's
                self._write({"request": request.to_json(), "error": _error_json(error)})
            raise
        self._write({"request": request.to_json(), "response": response.to_json()})
        return response

    def answer_question(self, task: str, question: str, ask: Callable[[str], str]) -> str:
        """Ask the user (or the replayed cassette, when re-recording one) and record the
        answer; end of input is recorded as a null answer and raised again."""
        inner = getattr(self.inner, "answer_question", None)
        asked = {"task": task, "question": question}
        try:
            answer = inner(task, question, ask) if inner is not None else ask(question)
        except EOFError:
            self._write({"ask_user": {**asked, "answer": None}})
            raise
        if isinstance(answer, str):  # anything else is refused by the task layer
            self._write({"ask_user": {**asked, "answer": answer}})
        return answer

    def append(self, exchange: dict[str, Any]) -> None:
        """Write an exchange recorded elsewhere (by a parallel-map item on a Ray worker)."""
        self._write(exchange)

    def _write(self, exchange: dict[str, Any]) -> None:
        line = _json_line(exchange)
        with self._lock, self.path.open("a", encoding="utf-8") as cassette:
            cassette.write(line)


def _error_json(error: ProviderError) -> dict[str, Any]:
    return {
        "provider": error.provider,
        "reason": error.reason,
        "status": error.status,
        "detail": error.detail,
        "where": error.where,
    }


@dataclass(frozen=True, slots=True)
class _Answer:
    """A recorded answer of the user; None: end of input."""

    task: str
    question: str
    answer: str | None


@dataclass(slots=True)
class _Exchange:
    line: int
    request: dict[str, Any]
    key: str
    response: ModelResponse | None
    error: dict[str, Any] | None = None
    used: bool = False

    def answer(self, request: ModelRequest) -> ModelResponse:
        """The recorded response, or the recorded failure raised again."""
        if self.error is not None:
            raise ProviderError(
                self.error["provider"],
                self.error["reason"],
                self.error.get("detail") or "",
                request=request,
                status=self.error.get("status"),
                where=self.error.get("where"),
            )
        assert self.response is not None
        return self.response


class ReplayProvider:
    """Answers each request with the response recorded for an equal request.

    `recorded_model` is the spec the cassette was recorded with: resolve the input window
    and tokenizer against it (or against `input_window`/`encoding` when the header has
    them) so the replayed run is accounted exactly like the recorded one. Each recorded
    exchange answers once; equal requests are answered in recorded order.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self.spec = "replay:" + self.path
        header, entries = _load(self.path)
        self._exchanges = [entry for entry in entries if isinstance(entry, _Exchange)]
        # Answers by task and question, in recorded order.
        self._answers: dict[tuple[str, str], deque[str | None]] = {}
        for entry in entries:
            if isinstance(entry, _Answer):
                self._answers.setdefault((entry.task, entry.question), deque()).append(entry.answer)
        # Unused exchanges by request, in recorded order: a lookup costs the same for a
        # cassette of ten thousand exchanges as for one of ten.
        self._unused: dict[str, deque[_Exchange]] = {}
        for exchange in self._exchanges:
            self._unused.setdefault(exchange.key, deque()).append(exchange)
        self.recorded_model: str = header["model"]
        self.input_window: int | None = header.get("input_window")
        self.encoding: str | None = header.get("encoding")
        self._lock = threading.Lock()

    def complete(self, request: ModelRequest) -> ModelResponse:
        wanted = request.to_json()
        key = _canonical(wanted)
        with self._lock:
            waiting = self._unused.get(key)
            found = waiting.popleft() if waiting else None
            if found is not None:
                found.used = True
            else:
                detail = self._explain_miss(wanted, key)
        if found is not None:
            return found.answer(request)
        raise ProviderError("replay", "cassette-mismatch", detail, request=request, where=self.path)

    def answer_question(self, task: str, question: str, ask: Callable[[str], str]) -> str:
        """The answer recorded for this task's question, without asking (`ask` is unused):
        equal questions of a task get their answers in recorded order."""
        with self._lock:
            waiting = self._answers.get((task, question))
            found = bool(waiting)
            answer = waiting.popleft() if waiting else None
        if not found:
            raise ProviderError(
                "replay",
                "cassette-mismatch",
                f"task {task} asked the user {_json_text(question)}, and the cassette has "
                "no answer to it left",
                where=self.path,
            )
        if answer is None:
            raise EOFError
        return answer

    def _explain_miss(self, wanted: dict[str, Any], key: str) -> str:
        total = len(self._exchanges)
        if total == 0:
            return "the cassette has no recorded exchanges"
        same = sum(1 for e in self._exchanges if e.key == key)
        if same:
            return f"this request was recorded {same} time(s) and each recording is already used"
        unused = [e for e in self._exchanges if not e.used]
        if not unused:
            return f"all {total} recorded exchanges already used"
        mine = _pretty(wanted)
        closest = max(
            unused, key=lambda e: difflib.SequenceMatcher(None, _pretty(e.request), mine).ratio()
        )
        diff = difflib.unified_diff(
            _pretty(closest.request),
            mine,
            fromfile=f"recorded (cassette line {closest.line})",
            tofile="requested",
            n=1,
            lineterm="",
        )
        return "closest recorded request differs:\n" + "\n".join(_compact(list(diff)))


def _load(path: str) -> tuple[dict[str, Any], list[_Exchange | _Answer]]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProviderError("replay", "cassette-missing", "no such file", where=path) from None
    except IsADirectoryError:
        raise ProviderError(
            "replay", "cassette-missing", "it is a directory, not a cassette file", where=path
        ) from None
    except OSError as exc:
        detail = exc.strerror or str(exc)
        raise ProviderError("replay", "cassette-missing", detail, where=path) from exc
    except UnicodeDecodeError as exc:
        raise ProviderError(
            "replay",
            "malformed",
            f"not UTF-8 text ({exc.reason})",
            where=path,
            what="malformed cassette",
        ) from exc
    rows = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not rows:
        raise _malformed(path, 1, "the file is empty; a cassette starts with a header line")
    first, *rest = rows
    header = _parse_line(path, *first)
    if "taskscheme_cassette" not in header or not isinstance(header.get("model"), str):
        raise _malformed(
            path,
            first[0],
            'the first line must be a header: {"taskscheme_cassette": 1, "model": "..."}',
        )
    if header["taskscheme_cassette"] != CASSETTE_VERSION:
        raise _malformed(
            path,
            first[0],
            f"cassette version {header['taskscheme_cassette']!r} is not supported "
            f"(this taskscheme reads version {CASSETTE_VERSION})",
        )
    for field in ("input_window", "encoding"):
        problem = field in header and MODEL_FIELDS[field](header[field])
        if problem:
            raise _malformed(path, first[0], f"{field} {_json_text(header[field])} {problem}")
    return header, [_entry(path, number, line) for number, line in rest]


def _entry(path: str, number: int, line: str) -> _Exchange | _Answer:
    data = _parse_line(path, number, line)
    if "ask_user" not in data:
        return _exchange(path, number, data)
    asked = data["ask_user"]
    if not (
        isinstance(asked, dict)
        and isinstance(asked.get("task"), str)
        and isinstance(asked.get("question"), str)
        and isinstance(asked.get("answer", 0), str | None)
    ):
        raise _malformed(
            path,
            number,
            'a recorded question is {"ask_user": {"task": "...", "question": "...", '
            '"answer": "..." or null}}',
        )
    return _Answer(asked["task"], asked["question"], asked["answer"])


def _exchange(path: str, number: int, data: dict[str, Any]) -> _Exchange:
    answer = "error" if "error" in data and "response" not in data else "response"
    for part in ("request", answer):
        if not isinstance(data.get(part), dict):
            raise _malformed(
                path,
                number,
                f'expected {{"request": {{...}}, "response": {{...}}}}: '
                f'"{part}" is {_json_kind(data.get(part))}',
            )
    problem = _type_problem(data, _EXCHANGE_FIELDS)
    if problem is not None:
        raise _malformed(path, number, problem)
    try:
        request = ModelRequest.from_json(data["request"]).to_json()
        response = ModelResponse.from_json(data["response"]) if answer == "response" else None
    except KeyError as exc:
        raise _malformed(path, number, f"the exchange has no {exc.args[0]!r} field") from exc
    except (TypeError, AttributeError, ValueError) as exc:
        raise _malformed(path, number, f"the exchange cannot be read: {exc}") from exc
    error = data.get("error") if answer == "error" else None
    if error is not None:
        reasons = get_args(Reason)
        if error.get("reason") not in reasons or not isinstance(error.get("provider"), str):
            raise _malformed(
                path,
                number,
                'a recorded error needs "provider" and a "reason", one of ' + ", ".join(reasons),
            )
    return _Exchange(number, request, _canonical(request), response, error)


# The JSON type of each field an exchange may have, as (type, what it is called), and for
# an object or a list of objects the fields of those objects: a cassette edited by hand
# is refused where it is read, naming the field, not when its value is first used.
_Fields = dict[str, tuple[type | tuple[type, ...], str, "_Fields | None"]]
_TOOL_CALL: _Fields = {
    "id": (str, "a string", None),
    "name": (str, "a string", None),
    "arguments": (dict, "an object", None),
}
_MESSAGE: _Fields = {
    "role": (str, "a string", None),
    "content": (str, "a string", None),
    "tool_calls": (list, "an array", _TOOL_CALL),
    "tool_call_id": (str, "a string", None),
    "is_error": (bool, "true or false", None),
}
_EXCHANGE_FIELDS: _Fields = {
    "request": (
        dict,
        "an object",
        {
            "model": (str, "a string", None),
            "messages": (list, "an array", _MESSAGE),
            "tools": (list, "an array", {"name": (str, "a string", None)}),
            "output": ((str, dict), "a string or an object", None),
            "max_output_tokens": (int, "a whole number", None),
        },
    ),
    "response": (
        dict,
        "an object",
        {
            "text": (str, "a string", None),
            "finish_reason": (str, "a string", None),
            "tool_calls": (list, "an array", _TOOL_CALL),
            "usage": (dict, "an object", None),
        },
    ),
}


def _type_problem(data: dict[str, Any], fields: _Fields, where: str = "") -> str | None:
    """What is wrong with the types of `data`'s fields (nested, by `fields`), naming the
    field by its path (`response.text`, `request.messages[2].content`); None if nothing."""
    for name, (kind, called, inner) in fields.items():
        if name not in data:
            continue
        value, at = data[name], f"{where}{name}"
        if not isinstance(value, kind) or (type(value) is bool and kind is not bool):
            return f"{at} must be {called}, got {_json_text(value)}"
        if inner is None:
            continue
        items = enumerate(value) if type(value) is list else [(None, value)]
        for index, item in items:
            path = at if index is None else f"{at}[{index}]"
            if not isinstance(item, dict):
                return f"{path} must be an object, got {_json_text(item)}"
            problem = _type_problem(item, inner, f"{path}.")
            if problem is not None:
                return problem
    return None


def _parse_line(path: str, number: int, line: str) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _malformed(path, number, f"not JSON ({exc.msg}, column {exc.colno})") from exc
    if not isinstance(data, dict):
        raise _malformed(path, number, "expected a JSON object")
    return data


def _json_kind(value: Any) -> str:
    if value is None:
        return "missing"
    kinds = {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "an array",
    }
    return kinds.get(type(value), "not an object")


def _malformed(path: str, number: int, detail: str) -> ProviderError:
    return ProviderError(
        "replay", "malformed", detail, where=f"{path} line {number}", what="malformed cassette"
    )


def _json_line(data: dict[str, Any]) -> str:
    return _json_text(data) + "\n"


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _canonical(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _pretty(data: dict[str, Any]) -> list[str]:
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False).splitlines()


def _compact(diff: list[str]) -> list[str]:
    """The diff, at most `_MAX_DIFF_LINES` lines, with long lines cut to `_LINE_WIDTH`
    characters; a changed line is cut around where it first differs from its counterpart
    (prompts are single long lines in the JSON)."""
    lines = diff[2:]  # after the ---/+++ file header
    out = diff[:2]
    i = 0
    while i < len(lines):
        minus = i
        while minus < len(lines) and lines[minus].startswith("-"):
            minus += 1
        plus = minus
        while plus < len(lines) and lines[plus].startswith("+"):
            plus += 1
        if plus == i:
            out.append(_window(lines[i], 0))
            i += 1
            continue
        focus: dict[int, int] = {}
        for a, b in zip(range(i, minus), range(minus, plus), strict=False):
            focus[a] = focus[b] = _first_difference(lines[a], lines[b]) - _LINE_WIDTH // 2
        out.extend(_window(lines[k], focus.get(k, 0)) for k in range(i, plus))
        i = plus
    if len(out) > _MAX_DIFF_LINES:
        hidden = len(out) - _MAX_DIFF_LINES
        out = [*out[:_MAX_DIFF_LINES], f"… {hidden} more diff lines"]
    return out


def _first_difference(removed: str, added: str) -> int:
    """Where two diff lines' texts (after the sign) first differ."""
    pairs = zip(removed[1:], added[1:], strict=False)
    return next((i for i, (a, b) in enumerate(pairs) if a != b), min(len(removed), len(added)) - 1)


def _window(line: str, start: int) -> str:
    """`line` (a diff line: sign, then text) cut to `_LINE_WIDTH` characters from `start`."""
    sign, text = line[:1], line[1:]
    start = max(0, min(start, len(text) - _LINE_WIDTH))  # a line that fits is not cut
    cut = text[start : start + _LINE_WIDTH]
    head = "…" if start > 0 else ""
    tail = "…" if start + _LINE_WIDTH < len(text) else ""
    return f"{sign}{head}{cut}{tail}"
