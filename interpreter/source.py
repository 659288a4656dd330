"""Where things are in source text: spans, and the named texts they point into.

A span's file is a `SourceName`: it prints as the file name and carries the text that
was read under it, so an error quotes the right line with no registry of sources (two
texts read as "<eval>" each keep their own), and a span from the standard library says
so itself.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """Where a piece of source text sits: 1-based line and column, end exclusive."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class SourceName(str):
    """A file name as a span holds it, with the text read under that name and whether
    that text is the standard library's."""

    text: str
    library: bool

    def __new__(cls, name: str, text: str, library: bool = False) -> SourceName:
        self = super().__new__(cls, name)
        self.text = text
        self.library = library
        return self

    def __reduce__(self):
        return (SourceName, (str(self), self.text, self.library))


def source_line(file: str, number: int) -> str | None:
    """Line `number` of the text a span's file names: the text it carries, or else the
    file on disk as it is now."""
    text = getattr(file, "text", None)
    if text is None:
        try:
            with open(file, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError):
            return None
    lines = text.splitlines()
    return lines[number - 1] if 1 <= number <= len(lines) else None


def in_library(span: Span | None) -> bool:
    """Is `span` in the standard library's own code?"""
    return span is not None and getattr(span.file, "library", False)


class NotUtf8Error(ValueError):
    """Bytes that are not UTF-8 text; the message says where the first bad byte is, as a
    line and column of the text before it (what a person can find in an editor)."""

    def __init__(self, line: int, column: int) -> None:
        super().__init__(f"it is not UTF-8 text (at line {line}, column {column})")
        self.line = line
        self.column = column


class Utf8Decoder:
    """Decodes UTF-8 bytes given in pieces (a whole file, or a file read in chunks),
    keeping the line and column reached, so the first byte that is not UTF-8 is reported
    where it is however the bytes were split."""

    def __init__(self) -> None:
        self._waiting = b""  # the start of a character split between two pieces
        self._line = 1
        self._column = 1

    def decode(self, data: bytes, final: bool = True) -> str:
        """The text of `data` (with any bytes held from the last piece); raises
        NotUtf8Error. Unless `final`, an unfinished character at the end is held back."""
        data = self._waiting + data
        self._waiting = b""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            good = data[: error.start].decode("utf-8")
            if final or error.end < len(data) or error.reason != "unexpected end of data":
                self._advance(good)
                raise NotUtf8Error(self._line, self._column) from None
            self._waiting = data[error.start :]
            text = good
        self._advance(text)
        return text

    def _advance(self, text: str) -> None:
        newlines = text.count("\n")
        if newlines:
            self._line += newlines
            self._column = len(text) - text.rfind("\n")
        else:
            self._column += len(text)
