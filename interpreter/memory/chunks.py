"""What one file becomes in memory: chunks of its text, and the procedures it defines.

Text is cut at paragraph boundaries (blank lines) into chunks of about `CHUNK_SIZE`
characters; a chunk starts with the last paragraph of the one before when that is short,
so a passage that straddles a cut is still found whole, and a Markdown heading starts a
new chunk once the current one has some body. Each chunk's title is the document's
title and the heading it sits under, which BM25 weighs above the text.

A Scheme file's top-level `define`, `define-task` and `define-tool` forms are also
procedure entries, found with the language's own reader (which keeps spans): the name,
the parameters, the doc comment (the `;;` lines right above) or docstring, the other
definitions of the file it refers to (`needs`), and the source text with its comment,
which `memory-import` evaluates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from interpreter.errors import SchemeSyntaxError
from interpreter.lang.datums import Keyword, Symbol, is_pair
from interpreter.lang.reader import read_all

CHUNK_SIZE = 1500
# A paragraph at most this long is repeated at the start of the next chunk.
OVERLAP = 400

MARKDOWN = (".md", ".markdown")
SCHEME = (".scm", ".ss", ".sld", ".sls")
CODE = (".py", ".js", ".ts", ".c", ".h", ".go", ".rs", ".java", ".sh", ".rb", ".lark", ".toml")
DEFINING_FORMS = ("define", "define-task", "define-tool")

_GAP = "\n\n"  # between the paragraphs of a chunk
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_FRONT_MATTER_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)\s*:\s*(.*?)\s*$")


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry to store: `key` makes its id unique within its file."""

    kind: str
    key: str
    line: int
    title: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)


def file_type(suffix: str) -> str:
    suffix = suffix.lower()
    if suffix in MARKDOWN:
        return "markdown"
    if suffix in SCHEME:
        return "scheme"
    return "code" if suffix in CODE else "text"


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """The `key: value` lines of a Markdown file's leading `---` block, and the text with
    the block blanked out (its lines kept, so line numbers stay true)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        return {}, text
    found = [_FRONT_MATTER_LINE.match(line) for line in lines[1:end]]
    values = {match[1]: match[2].strip("'\"") for match in found if match}
    return values, "\n" * end + "\n".join(lines[end + 1 :])


def document_title(text: str, kind: str, fallback: str) -> str:
    """A Markdown document's first heading, else `fallback` (the file name)."""
    if kind == "markdown":
        for line in text.split("\n"):
            heading = _HEADING.match(line)
            if heading:
                return heading[1]
    return fallback


def paragraphs(text: str) -> list[tuple[int, str]]:
    """(first line, text) of each paragraph; one longer than CHUNK_SIZE is cut at line
    ends, and a line longer than that at spaces."""
    found: list[tuple[int, str]] = []
    start, lines = 0, []
    for number, line in enumerate([*text.split("\n"), ""], 1):
        if line.strip():
            if not lines:
                start = number
            lines.append(line)
        elif lines:
            found.extend(_pieces(start, lines))
            lines = []
    return found


def _pieces(start: int, lines: list[str]) -> list[tuple[int, str]]:
    pieces: list[tuple[int, str]] = []
    first, current = start, ""
    for offset, line in enumerate(lines):
        while len(line) > CHUNK_SIZE:
            cut = line.rfind(" ", 0, CHUNK_SIZE)
            cut = CHUNK_SIZE if cut <= 0 else cut
            if current:
                pieces.append((first, current))
            pieces.append((start + offset, line[:cut]))
            line, current, first = line[cut:].lstrip(), "", start + offset
        if current and len(current) + len(line) + 1 > CHUNK_SIZE:
            pieces.append((first, current))
            current, first = "", start + offset
        current = f"{current}\n{line}" if current else line
    if current:
        pieces.append((first, current))
    return pieces


def text_entries(text: str, title: str, kind: str) -> list[Entry]:
    """The chunks of a document, each titled with the document's title and its heading."""
    chunks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    size = 0  # of the current chunk's text, the blank lines between paragraphs included
    for line, paragraph in paragraphs(text):
        heading = kind == "markdown" and _HEADING.match(paragraph.split("\n")[0])
        full = current and size + len(_GAP) + len(paragraph) > CHUNK_SIZE
        if full or (heading and size > CHUNK_SIZE // 3):
            chunks.append(current)
            tail = current[-1][1]
            fits = len(tail) + len(_GAP) + len(paragraph) <= CHUNK_SIZE
            current = [current[-1]] if not heading and len(tail) <= OVERLAP and fits else []
            size = len(tail) if current else 0
        size += (len(_GAP) if current else 0) + len(paragraph)
        current.append((line, paragraph))
    if current:
        chunks.append(current)
    entries = []
    section = None
    for number, chunk in enumerate(chunks, 1):
        body = _GAP.join(part for _, part in chunk)
        section = _last_heading(body, kind) or section
        shown = title if section in (None, title) else f"{title} > {section}"
        entries.append(Entry("document", str(number), chunk[0][0], shown, body))
    return entries


def _last_heading(body: str, kind: str) -> str | None:
    """The first heading of a chunk (the section it is about), if it has one."""
    if kind != "markdown":
        return None
    for line in body.split("\n"):
        heading = _HEADING.match(line)
        if heading:
            return heading[1]
    return None


def procedure_entries(text: str, name: str) -> list[Entry]:
    """One entry per top-level define, define-task and define-tool of the Scheme `text`.
    A file the reader cannot read has none (it is still indexed as a document)."""
    try:
        data = read_all(text, name)
    except SchemeSyntaxError:
        return []
    lines = text.split("\n")
    definitions = []
    for form, span in zip(data, data.spans, strict=True):
        if is_pair(form) and form.car in _DEFINERS and is_pair(form.cdr):
            found = _definition(form)
            if found is not None:
                definitions.append((form, span, *found))
    defined = {name for _, _, name, _, _ in definitions}
    entries = []
    for form, span, proc, params, docstring in definitions:
        comment_line = _comment_start(lines, span.line)
        comment = [_uncomment(lines[i - 1]) for i in range(comment_line, span.line)]
        doc = " ".join(line for line in comment if line) or docstring or ""
        source = _source(lines, comment_line, span)
        usage = f"({' '.join([proc, *params])})"
        needs = sorted((_symbols(form.cdr) & defined) - {proc})
        metadata = {
            "form": form.car.name,
            "name": proc,
            "params": params,
            "doc": doc,
            "needs": needs,
        }
        entries.append(Entry("procedure", proc, comment_line, usage, source, metadata))
    return entries


_DEFINERS = frozenset(Symbol(name) for name in DEFINING_FORMS)


def _definition(form: Any) -> tuple[str, list[str], str | None] | None:
    """(name, parameters, docstring) of a defining form, or None if it names nothing."""
    head = form.cdr.car
    body = form.cdr.cdr
    if form.car.name == "define" and isinstance(head, Symbol):
        value = body.car if is_pair(body) else None
        if is_pair(value) and value.car == Symbol("lambda") and is_pair(value.cdr):
            return head.name, _parameters(value.cdr.car), _docstring(value.cdr.cdr)
        return head.name, [], None
    while is_pair(head) and is_pair(head.car):  # curried: (define ((f a) b) ...)
        head = head.car
    if not is_pair(head) or not isinstance(head.car, Symbol):
        return None
    if form.car.name == "define-tool":
        params = [spec.car.name for spec in _items(head.cdr) if is_pair(spec)]
        description = body.car if is_pair(body) and isinstance(body.car, str) else None
        return head.car.name, params, description
    if form.car.name == "define-task":
        return head.car.name, _parameters(head.cdr), _task_system(body)
    return head.car.name, _parameters(head.cdr), _docstring(body)


def _symbols(datum: Any) -> set[str]:
    """The names of every symbol in `datum` (what a definition may refer to)."""
    found: set[str] = set()
    pending = [datum]
    while pending:
        item = pending.pop()
        if is_pair(item):
            pending += [item.car, item.cdr]
        elif isinstance(item, Symbol):
            found.add(item.name)
    return found


def _items(value: Any) -> list[Any]:
    items = []
    while is_pair(value):
        items.append(value.car)
        value = value.cdr
    return items


def _parameters(value: Any) -> list[str]:
    """Parameter names as written: `(a b . rest)` gives a, b, ., rest."""
    names = [item.name for item in _items(value) if isinstance(item, Symbol)]
    while is_pair(value):
        value = value.cdr
    return [*names, ".", value.name] if isinstance(value, Symbol) else names


def _docstring(body: Any) -> str | None:
    """A body's leading string, when more of the body follows it."""
    if is_pair(body) and isinstance(body.car, str) and is_pair(body.cdr):
        return body.car
    return None


def _task_system(body: Any) -> str | None:
    """A task's #:system prompt, which says what it does."""
    items = _items(body)
    for index, item in enumerate(items[:-1]):
        if item == Keyword("system") and isinstance(items[index + 1], str):
            return items[index + 1]
    return None


def _comment_start(lines: list[str], line: int) -> int:
    """The first line of the `;;` comment block right above `line` (`line` if none)."""
    start = line
    while start > 1 and lines[start - 2].lstrip().startswith(";;"):
        start -= 1
    return start


def _uncomment(line: str) -> str:
    return line.lstrip().lstrip(";").strip()


def _source(lines: list[str], first: int, span: Any) -> str:
    """The text from line `first` to the end of the form at `span`."""
    text = lines[first - 1 : span.end_line]
    text[-1] = text[-1][: span.end_col - 1]
    return "\n".join(text)
