"""What long-term memory adds to the language: its procedures' names and what `check`
finds in calls of them.

The procedures themselves (memory/procedures.py) are made on the first use of any of
`MEMORY_PROCEDURES`, so a program that never names one never opens SQLite's module.
"""

from __future__ import annotations

from interpreter.errors import ArityError, SchemeError, TaskschemeError
from interpreter.lang.datums import Keyword, Symbol, is_pair, string_text
from interpreter.lang.registry import Arguments, FormRegistry
from interpreter.lang.runtime import split_keywords
from interpreter.memory.constants import KINDS
from interpreter.source import Span

MEMORY_FORMS = FormRegistry("long-term memory")
RECORD_FIELDS = ("id", "kind", "path", "line", "title", "text", "score", "snippet", "metadata")
MEMORY_PROCEDURES = frozenset(
    [
        "memory-lookup",
        "memory-get",
        "memory-import",
        "memory-record?",
        *(f"memory-record-{name}" for name in RECORD_FIELDS),
    ]
)
LOOKUP_OPTIONS = [Keyword(name) for name in ("limit", "kind", "where", "fts")]


def kind_problem(value: object) -> SchemeError | None:
    """The error for a `#:kind` that is neither 'document nor 'procedure, if it is not."""
    name = value.name if isinstance(value, Symbol) else string_text(value)
    if name in KINDS:
        return None
    return SchemeError("memory-lookup: #:kind is 'document or 'procedure")


@MEMORY_FORMS.call_check("memory-lookup")
def check_memory_lookup(args: Arguments, span: Span | None) -> list[TaskschemeError]:
    """Unknown options, and a #:kind written out that is no kind of entry."""
    problems: list[TaskschemeError] = []
    for index, (arg, arg_span) in enumerate(args):
        if not isinstance(arg, Keyword):
            continue
        try:
            split_keywords("memory-lookup", [arg, None], LOOKUP_OPTIONS)
        except ArityError as error:
            problems.append(error.located(arg_span))
            continue
        if arg.name == "kind" and index + 1 < len(args):
            written, written_span = args[index + 1]
            quoted = is_pair(written) and written.car == Symbol("quote") and is_pair(written.cdr)
            value = written.cdr.car if quoted else written
            if isinstance(value, Symbol | str) and (quoted or isinstance(value, str)):
                error = kind_problem(value)
                if error is not None:
                    problems.append(error.located(written_span))
    return problems
