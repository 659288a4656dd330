"""`,describe NAME`: what a name is, read from its value and the source that defined it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from interpreter.cli.repl.session import ReplSession
from interpreter.errors import TaskschemeError
from interpreter.lang.analyze import LANGUAGE_FORMS
from interpreter.lang.datums import Symbol, is_pair, list_to_python
from interpreter.lang.library import read_forms
from interpreter.lang.printer import write_string
from interpreter.lang.runtime import CaseLambda, Lambda
from interpreter.source import Span
from interpreter.tasks.language import TASK_FORMS
from interpreter.tasks.runner import Task


@dataclass
class Description:
    name: str
    kind: str
    arity: str = ""
    doc: str = ""
    where: str = ""

    def text(self) -> str:
        lines = [f"{self.name}: {self.kind}"]
        if self.arity:
            lines.append(f"  takes {self.arity}")
        if self.doc:
            lines.append(f"  {self.doc}")
        if self.where:
            lines.append(f"  defined at {self.where}")
        return "\n".join(lines)


def describe(session: ReplSession, name: str, value: Any) -> Description:
    """What `name`, bound to `value` (None: not a variable), is."""
    if value is None:
        return _form(name)
    if isinstance(value, Task):
        params = " ".join(value.params)
        return Description(
            name,
            "task",
            f"{len(value.params)} argument(s): ({name}{' ' if params else ''}{params})",
            f"model {value.options.model or session.settings.get('model')}, "
            f"max-turns {value.options.config.max_turns}",
        )
    if isinstance(value, Lambda):
        return Description(
            name, "procedure", value.arity_text(), _doc(value.span), _where(value.span)
        )
    if isinstance(value, CaseLambda):
        arities = ", ".join(clause.arity_text() for clause in value.clauses)
        return Description(name, "procedure (case-lambda)", arities)
    if callable(value):
        doc = (getattr(value, "__doc__", None) or "").strip().splitlines()
        return Description(name, "built-in procedure", "", doc[0] if doc else "")
    return Description(name, f"variable, value {_short(write_string(value))}")


def _form(name: str) -> Description:
    symbol = Symbol(name)
    for registry in (*LANGUAGE_FORMS, TASK_FORMS):
        if symbol in registry.special:
            return Description(name, "special form", "", f"usage: {registry.special[symbol].usage}")
        if symbol in registry.derived:
            return Description(name, "derived form")
    return Description(name, "unbound")


def _doc(span: Span | None) -> str:
    """The documentation string of the definition at `span`: a string that starts a
    body with more after it, as in (define (f x) "what f does" ...)."""
    text = getattr(span.file, "text", None) if span is not None else None
    if text is None:
        return ""
    lines = text.splitlines(keepends=True)
    start = sum(len(line) for line in lines[: span.line - 1]) + span.col - 1
    try:
        form = next(iter(read_forms(text[start:], "<describe>")), None)
    except TaskschemeError:
        return ""
    if form is None or not is_pair(form[0]):
        return ""
    try:
        parts = list_to_python(form[0], "describe")
    except ValueError:
        return ""
    if len(parts) >= 4 and isinstance(parts[2], str):
        return parts[2]
    return ""


def _where(span: Span | None) -> str:
    return f"{span.file}:{span.line}:{span.col}" if span is not None else ""


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
