"""What `eval` and `environment` accept: the standard libraries by name, and expressions
that do not contain themselves."""

from __future__ import annotations

from typing import Any

from interpreter.lang.datums import is_pair, list_to_python
from interpreter.lang.raising import scheme_error

# The libraries `environment` accepts: R7RS's, (scheme r5rs) and taskscheme's own. They
# are not separated: each gives the whole standard language.
STANDARD_LIBRARIES = frozenset(
    [
        *(
            ("scheme", part)
            for part in [
                "base",
                "case-lambda",
                "char",
                "complex",
                "cxr",
                "eval",
                "file",
                "inexact",
                "lazy",
                "load",
                "process-context",
                "read",
                "repl",
                "time",
                "write",
                "r5rs",
            ]
        ),
        ("taskscheme",),
    ]
)


def check_library_name(proc: str, import_set: Any) -> None:
    """`import_set` must name one of the standard libraries, as `(scheme base)` does."""
    try:
        parts = tuple(part.name for part in list_to_python(import_set, proc))
    except (ValueError, AttributeError):
        parts = None
    if parts is None or parts not in STANDARD_LIBRARIES:
        raise scheme_error(
            f"{proc}: not a library taskscheme has (it has (scheme base), (scheme write), "
            "... and (taskscheme); import sets like (only ...) are not supported)",
            [import_set],
        )


def is_circular(datum: Any) -> bool:
    """Does `datum` contain itself (a list whose tail or an element leads back to it)?
    Analysis would follow it forever, so eval refuses it, quoted data included."""
    on_path: set[int] = set()
    finished: set[int] = set()
    pending: list[tuple[Any, bool]] = [(datum, False)]
    while pending:
        node, leaving = pending.pop()
        if leaving:
            on_path.discard(id(node))
            finished.add(id(node))
            continue
        if not is_pair(node) or id(node) in finished:
            continue
        if id(node) in on_path:
            return True
        on_path.add(id(node))
        pending.extend(((node, True), (node.cdr, False), (node.car, False)))
    return False
