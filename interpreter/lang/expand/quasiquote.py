"""Quasiquote: a template becomes the calls that build it, level by level.

`(quasiquote t)` expands to calls of `Pair`, list building and appending that
construct `t` with its `unquote`d parts evaluated and `unquote-splicing`d lists spliced
in, at nesting depth 1; deeper levels are rebuilt as data. The helpers are embedded as
Python functions, so a program that rebinds `cons` or `append` cannot break quasiquote.
"""

from __future__ import annotations

from typing import Any

from interpreter.errors import SchemeSyntaxError
from interpreter.lang.datums import NIL, Pair, Symbol, is_pair, list_to_python, python_to_list
from interpreter.lang.expand.common import (
    DERIVED_FORMS,
    QUASIQUOTE,
    QUOTE,
    UNQUOTE,
    UNQUOTE_SPLICING,
    cells,
    check_length,
    make,
    strip_aliases,
)
from interpreter.lang.raising import type_error
from interpreter.source import Span


@DERIVED_FORMS.derived_form("quasiquote")
def expand_quasiquote(form: Any, span: Span | None) -> Any:
    items = cells(form, span, "quasiquote")
    check_length(items, 2, 2, "quasiquote", "`datum", span)
    return _qq(items[1][0], 1, items[1][1] or span)


def _qq_append(*parts: Any) -> Any:
    if not parts:
        return NIL
    result = parts[-1]
    for part in reversed(parts[:-1]):
        try:
            result = python_to_list(list_to_python(part, "unquote-splicing"), result)
        except ValueError:
            raise type_error("unquote-splicing", "a proper list", part) from None
    return result


def _qq(template: Any, depth: int, span: Span | None) -> Any:
    if isinstance(template, tuple):
        return make(
            [list_to_python, _qq(make(list(template), span), depth, span), "quasiquote"], span
        )
    if not is_pair(template):
        if isinstance(template, Symbol) or template is NIL:
            return make([QUOTE, template], span)
        return template
    head = template.car
    if head is UNQUOTE or head is UNQUOTE_SPLICING:
        argument = _single_argument(template, span, head.name)
        if depth > 1:
            return make([Pair, make([QUOTE, head], span), _qq(template.cdr, depth - 1, span)], span)
        if head is UNQUOTE_SPLICING:
            raise SchemeSyntaxError(
                "bad unquote-splicing: ,@ splices into a list, so it must be an element of one",
                span,
            )
        return argument
    if isinstance(head, Symbol) and strip_aliases(head) is QUASIQUOTE:
        _single_argument(template, span, "quasiquote")
        return make(
            [Pair, make([QUOTE, QUASIQUOTE], span), _qq(template.cdr, depth + 1, span)], span
        )
    if depth == 1 and is_pair(head) and head.car is UNQUOTE_SPLICING:
        argument = _single_argument(head, span, "unquote-splicing")
        return make([_qq_append, argument, _qq(template.cdr, depth, span)], span)
    cell_span = getattr(template, "car_span", None) or span
    return make([Pair, _qq(head, depth, cell_span), _qq(template.cdr, depth, span)], span)


def _single_argument(form: Any, span: Span | None, name: str) -> Any:
    items = cells(form, span, name)
    if len(items) != 2:
        raise SchemeSyntaxError(f"bad {name}: expected exactly one datum", span)
    return items[1][0]
