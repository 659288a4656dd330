"""What the REPL's editor knows of the language: when an input is complete, how deep to
indent the next line, and what to offer for completion.

Completeness is decided by the language's own reader, so the editor submits exactly
the inputs that `run` would read: an input is incomplete only when the reader finds
something still open at its end (a bracket, a string, a block comment, a quote).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from interpreter.errors import SchemeSyntaxError
from interpreter.lang.library import read_forms
from interpreter.lang.runtime import Lambda
from interpreter.tasks.language import LLM_OPTIONS, MAKE_TASK_OPTIONS
from interpreter.tasks.parallel import PARALLEL_MAP_OPTIONS

# How the reader says the text ended with something still open.
_STILL_OPEN = ("is never closed", "must be followed by a datum", "unexpected end of input")
# The characters of a name being typed (what completion replaces).
_NAME = re.compile(r"[^\s()\[\]\"';`,]*$")
# The keywords each form or procedure of the task language takes.
KEYWORDS = {
    "define-task": MAKE_TASK_OPTIONS,
    "make-task": MAKE_TASK_OPTIONS,
    "llm": LLM_OPTIONS,
    "parallel-map": PARALLEL_MAP_OPTIONS,
}


def keywords_of(head: str, value: Any) -> list[str]:
    """The keywords a call headed by `head` (bound to `value`, or None) takes: a task
    form's options, or the #:key parameters of a procedure of the program."""
    if head in KEYWORDS:
        return [keyword.name for keyword in KEYWORDS[head]]
    if isinstance(value, Lambda):
        return [keyword.name for keyword, _, _ in value.keys]
    return []


def is_complete(text: str) -> bool:
    """Whether `text` is ready to evaluate: it reads, or its mistake is not at its end.
    A meta-command (a line starting with a comma) is always complete."""
    if text.lstrip().startswith(","):
        return True
    try:
        for _ in read_forms(text, "<repl>"):
            pass
    except SchemeSyntaxError as error:
        return not error.message.endswith(_STILL_OPEN)
    return True


def open_brackets(text: str) -> tuple[list[int], bool]:
    """The offsets of the brackets still open at the end of `text` (strings, character
    literals and comments skipped), and whether `text` ends inside a string."""
    openers: list[int] = []
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if char == '"':
            index += 1
            while index < length and text[index] != '"':
                index += 2 if text[index] == "\\" else 1
            if index >= length:
                return openers, True
        elif char == ";":
            while index < length and text[index] != "\n":
                index += 1
        elif char == "#" and text.startswith("#\\", index):
            index += 2
        elif char in "([":
            openers.append(index)
        elif char in ")]" and openers:
            openers.pop()
        index += 1
    return openers, False


def indentation(text: str) -> str:
    """The indentation of a new line after `text`: two columns right of the innermost
    open bracket, as Lisp editors indent a body; none inside a string, where it would
    change the string."""
    openers, in_string = open_brackets(text)
    if not openers or in_string:
        return ""
    start = openers[-1]
    column = start - (text.rfind("\n", 0, start) + 1)
    return " " * (column + 2)


def enclosing_head(text: str) -> str | None:
    """The name at the head of the innermost open list: the form being typed."""
    openers, _ = open_brackets(text)
    if not openers:
        return None
    match = re.match(r"[^\s()\[\]\"';`]+", text[openers[-1] + 1 :])
    return match.group(0) if match else None


class ReplCompleter(Completer):
    """Bound names, the keywords of the form being typed, and meta-commands.
    `keywords(head)` gives the keywords a call headed by `head` takes."""

    def __init__(
        self,
        names: Callable[[], Iterable[str]],
        keywords: Callable[[str], Iterable[str]],
        commands: Callable[[], Iterable[str]],
    ):
        self._names = names
        self._keywords = keywords
        self._commands = commands

    def get_completions(self, document: Document, event: CompleteEvent) -> Iterator[Completion]:
        before = document.text_before_cursor
        if before.lstrip().startswith(",") and " " not in before.strip():
            word = before.strip()
            for name in self._commands():
                if name.startswith(word):
                    yield Completion(name, -len(word))
            return
        word = _NAME.search(before).group(0)
        if word.startswith("#:"):
            head = enclosing_head(before[: len(before) - len(word)])
            for keyword in self._keywords(head) if head else []:
                if f"#:{keyword}".startswith(word):
                    yield Completion(f"#:{keyword}", -len(word))
            return
        if not word:
            return
        for name in self._names():
            if name.startswith(word):
                yield Completion(name, -len(word))


def history_path() -> Path:
    """Where the REPL keeps its history: $XDG_DATA_HOME/taskscheme/history, by default
    ~/.local/share/taskscheme/history."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "taskscheme" / "history"
