"""What every expansion is built from: the registry of derived forms, the symbols of the
core forms they expand into, and helpers that take forms apart and build them with spans.

Expanded pairs carry the span of the form they came from, so errors in expanded code
point at what the user wrote.
"""

from __future__ import annotations

from typing import Any

from interpreter.errors import SchemeSyntaxError
from interpreter.lang.datums import NIL, Alias, SourcePair, Symbol, gensym, is_pair
from interpreter.lang.registry import FormRegistry
from interpreter.source import Span

S = Symbol
QUOTE, QUASIQUOTE, UNQUOTE, UNQUOTE_SPLICING = (
    S("quote"),
    S("quasiquote"),
    S("unquote"),
    S("unquote-splicing"),
)
LAMBDA, IF, BEGIN, LET, LETREC, DEFINE, SET = (
    S("lambda"),
    S("if"),
    S("begin"),
    S("let"),
    S("letrec*"),
    S("define"),
    S("set!"),
)
ELSE, ARROW, ELLIPSIS, UNDERSCORE = S("else"), S("=>"), S("..."), S("_")
# The core form `receive` (SRFI 8) under a name no program can write or rebind, for
# the expansions of let-values and let*-values.
RECEIVE = gensym("receive")
# Words that mean something only inside a form that expects them, never as a value.
AUXILIARY = frozenset(
    {ELSE, ARROW, ELLIPSIS, UNDERSCORE, UNQUOTE, UNQUOTE_SPLICING, S("field"), S("syntax-rules")}
)
# Of those, the ones compared by name wherever they appear, never renamed by a macro
# expansion; `else` and `=>` are renamed, and are keywords only where not bound as
# variables (the `means` test of registry.Rewrite).
NEVER_RENAMED = AUXILIARY - {ELSE, ARROW}

DERIVED_FORMS = FormRegistry("derived forms")


def strip_aliases(datum: Any) -> Any:
    """`datum` with every alias a macro expansion made replaced by its original symbol:
    quoted data is what the macro's author wrote."""
    if isinstance(datum, Symbol):
        while type(datum) is Alias:
            datum = datum.original
        return datum
    if is_pair(datum):
        items, node = [], datum
        while is_pair(node):
            items.append(node)
            node = node.cdr
        tail = strip_aliases(node)
        changed = tail is not node
        cars = []
        for cell in items:
            car = strip_aliases(cell.car)
            changed = changed or car is not cell.car
            cars.append(car)
        if not changed:
            return datum
        result = tail
        for cell, car in zip(reversed(items), reversed(cars), strict=True):
            result = SourcePair(
                car, result, getattr(cell, "span", None), getattr(cell, "car_span", None)
            )
        return result
    if type(datum) is tuple:
        items = tuple(strip_aliases(item) for item in datum)
        return datum if all(a is b for a, b in zip(items, datum, strict=True)) else items
    return datum


def cells(form: Any, span: Span | None, what: str) -> list[tuple[Any, Span | None]]:
    """The elements of a proper list form with their spans; a syntax error otherwise."""
    items = []
    node = form
    while is_pair(node):
        items.append((node.car, getattr(node, "car_span", None) or span))
        node = node.cdr
    if node is not NIL:
        raise SchemeSyntaxError(f"bad {what}: it is not a proper list", span)
    return items


def make(items: list[Any], span: Span | None, tail: Any = NIL) -> Any:
    """Build a list form whose cells carry `span`."""
    result = tail
    for item in reversed(items):
        result = SourcePair(item, result, span, getattr(item, "span", None) or span)
    return result


def check_length(
    items: list, low: int, high: int | None, form_name: str, usage: str, span: Span | None
) -> None:
    """A syntax error unless `items` has from `low` to `high` (None: any number) elements."""
    if len(items) < low or (high is not None and len(items) > high):
        raise SchemeSyntaxError(f"bad {form_name}: expected {usage}", span)
