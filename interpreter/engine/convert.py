"""Values between Python and the language, for host code that embeds the evaluator."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from interpreter.errors import SchemeError
from interpreter.lang.datums import (
    NIL,
    UNSPECIFIED,
    Char,
    Keyword,
    Pair,
    SourcePair,
    Symbol,
    Values,
)
from interpreter.lang.primitives.hashtables import HashTable


def to_python(value: Any) -> Any:
    """A Scheme value as plain Python: lists and vectors become lists, symbols and chars
    strings, hash tables dicts, the unspecified value None; numbers, strings and booleans
    stay as they are, and anything else (procedures, records) is returned unchanged.
    A circular structure is an error (it has no Python equivalent as plain data)."""
    return _convert(value, set())


def _convert(value: Any, active: set[int]) -> Any:
    kind = type(value)
    if kind is Symbol:
        return value.name
    if kind is Char:
        return value.ch
    if value is UNSPECIFIED:
        return None
    if value is NIL:
        return []
    if kind not in (Pair, SourcePair, list, tuple, Values, HashTable):
        return value
    key = id(value)
    if key in active:
        raise SchemeError("cannot convert a circular structure to a Python value")
    active.add(key)
    try:
        if kind is HashTable:
            return {_convert(k, active): _convert(v, active) for k, v in value.items()}
        if kind is Pair or kind is SourcePair:
            items = []
            spine: set[int] = set()
            while type(value) is Pair or type(value) is SourcePair:
                if id(value) in spine:
                    raise SchemeError("cannot convert a circular list to a Python value")
                spine.add(id(value))
                items.append(_convert(value.car, active))
                value = value.cdr
            if value is not NIL:
                items.append(_convert(value, active))
            return items
        return [_convert(v, active) for v in value]
    finally:
        active.discard(key)


def keyword_adapter(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    """`fn` as a host procedure whose `#:name value` arguments arrive as Python keyword
    arguments (`#:max-items 3` -> `max_items=3`)."""

    @wraps(fn)
    def call(*args: Any) -> Any:
        positional: list[Any] = []
        options: dict[str, Any] = {}
        index = 0
        while index < len(args):
            item = args[index]
            if type(item) is Keyword:
                if index + 1 >= len(args):
                    raise SchemeError(f"{name}: keyword #:{item.name} needs a value after it")
                options[item.name.replace("-", "_")] = args[index + 1]
                index += 2
            else:
                positional.append(item)
                index += 1
        return fn(*positional, **options)

    call.scheme_name = name
    return call
