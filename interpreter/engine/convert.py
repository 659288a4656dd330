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
    MutableString,
    Pair,
    SourcePair,
    Symbol,
    Values,
    frozen,
)
from interpreter.lang.primitives.hashtables import HashTable
from interpreter.lang.primitives.json import Frame, convert_nested


def to_python(value: Any) -> Any:
    """A Scheme value as plain Python: lists and vectors become lists, symbols and chars
    strings, hash tables dicts, the unspecified value None; numbers, strings and booleans
    stay as they are, and anything else (procedures, records) is returned unchanged.
    A circular structure is an error (it has no Python equivalent as plain data); data
    of any depth converts (with an explicit stack). Hash table keys that convert to
    lists become tuples, so they can be dict keys."""
    return convert_nested(value, _open, _circular)


def _circular() -> SchemeError:
    return SchemeError("cannot convert a circular structure to a Python value")


def _open(value: Any) -> tuple[Any, Frame | None]:
    """(the Python form of `value`, or for a container its empty shell; a frame to fill it)."""
    kind = type(value)
    if kind is Symbol:
        return value.name, None
    if kind is MutableString:
        return value.text, None
    if kind is Char:
        return value.ch, None
    if value is UNSPECIFIED:
        return None, None
    if value is NIL:
        return [], None
    if kind is HashTable:
        shell: dict[Any, Any] = {}
        entries = ((_hashable(to_python(k)), v) for k, v in value.items())
        return shell, (id(value), shell, entries)
    if kind is Pair or kind is SourcePair:
        items, tail = _spine(value)
        if tail is not NIL:
            items.append(tail)
    elif kind in (list, tuple, Values):
        items = value
    else:
        return value, None
    shell = [None] * len(items)
    return shell, (id(value), shell, enumerate(items))


def _spine(value: Any) -> tuple[list[Any], Any]:
    items = []
    seen: set[int] = set()
    while type(value) is Pair or type(value) is SourcePair:
        if id(value) in seen:
            raise SchemeError("cannot convert a circular list to a Python value")
        seen.add(id(value))
        items.append(value.car)
        value = value.cdr
    return items, value


def _hashable(key: Any) -> Any:
    """A converted key usable in a dict: lists (at any depth) as tuples."""
    if type(key) is not list:
        return key
    return tuple(_hashable(item) for item in key)


def host_adapter(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    """`fn` as a host procedure: a string argument arrives as a Python str (as it is at the
    call) whether the program made it or wrote it as a literal."""

    @wraps(fn)
    def call(*args: Any) -> Any:
        return fn(*map(frozen, args))

    call.scheme_name = name
    return call


def keyword_adapter(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    """`fn` as a host procedure whose `#:name value` arguments arrive as Python keyword
    arguments (`#:max-items 3` -> `max_items=3`), and strings as Python str."""

    @wraps(fn)
    def call(*args: Any) -> Any:
        positional: list[Any] = []
        options: dict[str, Any] = {}
        index = 0
        while index < len(args):
            item = frozen(args[index])
            if type(item) is Keyword:
                if index + 1 >= len(args):
                    raise SchemeError(f"{name}: keyword #:{item.name} needs a value after it")
                options[item.name.replace("-", "_")] = frozen(args[index + 1])
                index += 2
            else:
                positional.append(item)
                index += 1
        return fn(*positional, **options)

    call.scheme_name = name
    return call
