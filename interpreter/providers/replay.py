"""Record a run's model exchanges to a cassette, and answer from it offline.

A cassette is JSON Lines, one object per line, readable and diffable:

    {"taskscheme_cassette": 1, "model": "openai:gpt-4o-mini", "recorded_at": "..."}
    {"request": {...ModelRequest...}, "response": {...ModelResponse, with usage...}}
    ...

The header may also carry `input_window` and `encoding`, so a replay of a model that was
defined in configuration resolves the same token accounting without that configuration.
Replay matches requests by content, not by position, so runs whose tasks execute in a
different order (parallel map) replay deterministically.
"""

from __future__ import annotations

import difflib
import json
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from interpreter.messages import ModelRequest, ModelResponse
from interpreter.providers.base import Provider, ProviderError

CASSETTE_VERSION = 1
_MAX_DIFF_LINES = 40
_LINE_WIDTH = 160


class RecordingProvider:
    """Wraps a provider and appends every successful exchange to a cassette. The file is
    written from scratch, flushed after each line, and safe under concurrent calls.
    Failed calls are not recorded: they raise as usual."""

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
        header: dict[str, Any] = {
            "taskscheme_cassette": CASSETTE_VERSION,
            "model": inner.spec,
            "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        if input_window is not None:
            header["input_window"] = input_window
        if encoding is not None:
            header["encoding"] = encoding
        self._lock = threading.Lock()
        self.path.write_text(_json_line(header), encoding="utf-8")

    def complete(self, request: ModelRequest) -> ModelResponse:
        response = self.inner.complete(request)
        line = _json_line({"request": request.to_json(), "response": response.to_json()})
        with self._lock, self.path.open("a", encoding="utf-8") as cassette:
            cassette.write(line)
        return response


@dataclass(slots=True)
class _Exchange:
    line: int
    request: dict[str, Any]
    key: str
    response: ModelResponse
    used: bool = False


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
        header, self._exchanges = _load(self.path)
        self.recorded_model: str = header["model"]
        self.input_window: int | None = header.get("input_window")
        self.encoding: str | None = header.get("encoding")
        self._lock = threading.Lock()

    def complete(self, request: ModelRequest) -> ModelResponse:
        wanted = request.to_json()
        key = _canonical(wanted)
        with self._lock:
            for exchange in self._exchanges:
                if not exchange.used and exchange.key == key:
                    exchange.used = True
                    return exchange.response
            detail = self._explain_miss(wanted, key)
        raise ProviderError("replay", "cassette-mismatch", detail, request=request, where=self.path)

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


def _load(path: str) -> tuple[dict[str, Any], list[_Exchange]]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProviderError("replay", "cassette-missing", "no such file", where=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProviderError("replay", "cassette-missing", str(exc), where=path) from exc
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
    return header, [_exchange(path, number, line) for number, line in rest]


def _exchange(path: str, number: int, line: str) -> _Exchange:
    data = _parse_line(path, number, line)
    try:
        request = ModelRequest.from_json(data["request"]).to_json()
        response = ModelResponse.from_json(data["response"])
    except (KeyError, TypeError, AttributeError) as exc:
        raise _malformed(
            path, number, f'expected {{"request": ..., "response": ...}}, not usable: {exc!r}'
        ) from exc
    return _Exchange(number, request, _canonical(request), response)


def _parse_line(path: str, number: int, line: str) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _malformed(path, number, f"not JSON ({exc.msg}, column {exc.colno})") from exc
    if not isinstance(data, dict):
        raise _malformed(path, number, "expected a JSON object")
    return data


def _malformed(path: str, number: int, detail: str) -> ProviderError:
    return ProviderError(
        "replay", "malformed", detail, where=f"{path} line {number}", what="malformed cassette"
    )


def _json_line(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False) + "\n"


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
    start = max(0, start)
    cut = text[start : start + _LINE_WIDTH]
    head = "…" if start > 0 else ""
    tail = "…" if start + _LINE_WIDTH < len(text) else ""
    return f"{sign}{head}{cut}{tail}"
