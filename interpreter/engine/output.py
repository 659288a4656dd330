"""A sink for a program's output that holds at most so much: a program that floods its
output ends with an error instead of filling the host's memory or log."""

from __future__ import annotations

from typing import TextIO

from interpreter.errors import OutputLimitError


class LimitedOutput:
    """A text stream for `Interpreter(stdout=...)` that keeps what the program writes
    (`getvalue()`), or passes it on to `stream`, up to `limit` characters in all; the
    write that would pass the limit is an `output-limit` error and writes nothing."""

    def __init__(self, limit: int, stream: TextIO | None = None) -> None:
        self.limit = limit
        self.written = 0
        self._stream = stream
        self._parts: list[str] = []

    def write(self, text: str) -> int:
        if self.written + len(text) > self.limit:
            raise OutputLimitError(
                f"output limit: the program wrote more than {self.limit} characters",
                limit=self.limit,
            )
        self.written += len(text)
        if self._stream is None:
            self._parts.append(text)
        else:
            self._stream.write(text)
        return len(text)

    def flush(self) -> None:
        if self._stream is not None:
            self._stream.flush()

    def getvalue(self) -> str:
        """What was written (when there is no `stream` to pass it on to)."""
        return "".join(self._parts)
