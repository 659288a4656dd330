"""JSON both ways, since models often answer in JSON.

JSON objects become association lists with string keys, in their order
(`(("name" . "Ann") ("age" . 3))`), arrays become vectors, `null` the symbol `null`.
Going back, alists with string or symbol keys and hash tables become objects, vectors and
other proper lists arrays. The plain functions here (`from_json_text`, `to_json_text`,
`from_python`, `to_python`) are what the task layer uses; conversions use explicit stacks,
so deeply nested data cannot exhaust Python's recursion limit.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

from interpreter.errors import SchemeError, TaskschemeError
from interpreter.lang.datums import (
    NIL,
    MutableString,
    Pair,
    SourcePair,
    Symbol,
    python_to_list,
    string_text,
)
from interpreter.lang.primitives import alias, primitive
from interpreter.lang.primitives.common import (
    check_index,
    check_string,
    list_items,
    made_within_limit,
)
from interpreter.lang.primitives.hashtables import HashTable
from interpreter.lang.primitives.number_syntax import format_number, parse_integer, to_float
from interpreter.lang.printer import write_abbreviated
from interpreter.lang.raising import scheme_error, type_error
from interpreter.lang.reader import MAX_NESTING_DEPTH

NULL = Symbol("null")
# Integers shorter than this many bits are well inside Python's limit on printed digits.
_LONG_INT_BITS = 10_000
_JSON_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class _JsonObject(list):
    """The (key, value) pairs of one JSON object, in order, as the decoder found them."""


_DECODER = json.JSONDecoder(object_pairs_hook=_JsonObject, parse_int=parse_integer)


def from_json_text(text: str, proc: str = "json->scheme") -> Any:
    """The Scheme value a JSON text denotes; invalid JSON is an error saying where and why."""
    _check_nesting(text, proc)
    try:
        data = _DECODER.decode(text)
    except json.JSONDecodeError as error:
        raise scheme_error(
            f"{proc}: invalid JSON at line {error.lineno} column {error.colno}: {error.msg}",
            [text],
        ) from None
    except RecursionError:  # nesting within the limit, but called under a low recursion limit
        raise scheme_error(f"{proc}: JSON nested too deeply", [text]) from None
    return from_python(data)


def _check_nesting(text: str, proc: str) -> None:
    """JSON nested deeper than program text may be is an error: Python's decoder recurses
    in C, and deep enough nesting would overflow the C stack."""
    if text.count("[") + text.count("{") <= MAX_NESTING_DEPTH:
        return
    depth = 0
    for match in _JSON_BRACKETS.finditer(text):
        bracket = match.group()
        if bracket == "[" or bracket == "{":
            depth += 1
            if depth > MAX_NESTING_DEPTH:
                at = match.start()
                line = text.count("\n", 0, at) + 1
                column = at - text.rfind("\n", 0, at)
                raise scheme_error(
                    f"{proc}: JSON nested more than {MAX_NESTING_DEPTH} deep "
                    f"at line {line} column {column}",
                    [text],
                )
        elif bracket == "]" or bracket == "}":
            depth -= 1


def from_python(obj: Any) -> Any:
    """A Python JSON-like value as Scheme data: dict → alist, list/tuple → vector, None → 'null.

    Anything else is returned as it is (it may already be a Scheme value). A container met
    twice (or inside itself) is converted once, so sharing and cycles are kept.
    """
    root: list[Any] = [None]
    converted: dict[int, Any] = {}
    stack: list[tuple[Any, Any, int | None]] = [(obj, root, 0)]
    while stack:
        value, target, slot = stack.pop()
        kind = type(value)
        if value is None:
            result = NULL
        elif kind is dict or kind is _JsonObject or kind is list or kind is tuple:
            result = converted.get(id(value))
            if result is None:
                result = converted[id(value)] = _convert_container(value, stack)
        else:
            result = value
        if slot is None:
            target.cdr = result
        else:
            target[slot] = result
    return root[0]


def _convert_container(value: Any, stack: list[tuple[Any, Any, int | None]]) -> Any:
    """The Scheme shell of one container; its elements are pushed onto `stack` to fill in."""
    if type(value) is list or type(value) is tuple:
        vector = [None] * len(value)
        stack.extend((item, vector, index) for index, item in enumerate(value))
        return vector
    entries = value.items() if type(value) is dict else value
    cells = [Pair(key, None) for key, _ in entries]
    stack.extend((item, cell, None) for cell, (_, item) in zip(cells, entries, strict=True))
    return python_to_list(cells)


def to_python(value: Any, proc: str = "scheme->json") -> Any:
    """Scheme data as a Python JSON-like value (the inverse of `from_python`).

    Alists with string or symbol keys and hash tables become dicts, vectors and proper
    lists become lists, `'null` becomes None, other symbols strings, exact rationals
    floats. Anything JSON cannot represent (characters, procedures, circular data, NaN,
    nesting deeper than the reader allows) is an error naming it.
    """
    return convert_nested(
        value,
        lambda item: _open(item, proc),
        lambda: SchemeError(f"{proc}: cannot represent circular data in JSON"),
        MAX_NESTING_DEPTH,
        lambda: SchemeError(f"{proc}: data nested more than {MAX_NESTING_DEPTH} deep"),
    )


Frame = tuple[int, Any, Iterator[tuple[Any, Any]]]
Opener = Callable[[Any], tuple[Any, "Frame | None"]]


def convert_nested(
    value: Any,
    open_value: Opener,
    circular: Callable[[], TaskschemeError],
    max_depth: int | None = None,
    too_deep: Callable[[], TaskschemeError] | None = None,
) -> Any:
    """Convert nested data with an explicit stack, so no depth exhausts Python's stack.

    `open_value(item)` gives `(converted, None)` for a value with nothing inside, or for
    a container `(shell, (id, shell, (slot, child) pairs))`: each child's conversion is
    stored as `shell[slot]`. A container met again inside itself is `circular()`.
    """
    result, frame = open_value(value)
    if frame is None:
        return result
    stack = [frame]
    active = {frame[0]}
    end = object()
    while stack:
        key, target, children = stack[-1]
        item = next(children, end)
        if item is end:
            stack.pop()
            active.discard(key)
            continue
        slot, child = item
        target[slot], child_frame = open_value(child)
        if child_frame is not None:
            if child_frame[0] in active:
                raise circular()
            if max_depth is not None and len(stack) >= max_depth:
                raise too_deep()
            active.add(child_frame[0])
            stack.append(child_frame)
    return result


def _open(value: Any, proc: str) -> tuple[Any, Frame | None]:
    """(the Python form of `value`, or for a container its empty shell; a frame to fill it)."""
    kind = type(value)
    if kind is int and value.bit_length() > _LONG_INT_BITS:
        _check_digits(value, proc)
    if kind is str or kind is bool or kind is int:
        return value, None
    if kind is MutableString:
        return value.text, None
    if kind is float or kind is Fraction:
        number = to_float(value)
        if not math.isfinite(number):
            raise SchemeError(f"{proc}: JSON has no representation for {write_abbreviated(value)}")
        return number, None
    if kind is Symbol:
        return (None if value is NULL else value.name), None
    if value is NIL:
        return [], None
    if kind is list or kind is tuple:
        return _array(value)
    if kind is HashTable:
        return _object(proc, value.items(), value)
    if kind is Pair or kind is SourcePair:
        items = list_items(proc, value, 1)
        if all(_is_entry(item) for item in items):
            return _object(proc, [(item.car, item.cdr) for item in items], value)
        return _array(items, value)
    raise SchemeError(f"{proc}: JSON cannot represent {write_abbreviated(value)}")


def _check_digits(value: int, proc: str) -> None:
    """Python's JSON writer refuses integers of more digits than its limit."""
    digits = len(format_number(abs(value)))
    limit = sys.get_int_max_str_digits()
    if limit and digits > limit:
        raise SchemeError(
            f"{proc}: the integer {write_abbreviated(value)} has {digits} digits; "
            f"JSON text holds integers of at most {limit}"
        )


def _is_entry(item: Any) -> bool:
    """An alist entry that can be a JSON object member: a pair with a string or symbol key."""
    return (type(item) is Pair or type(item) is SourcePair) and _key_name(item.car) is not None


def _key_name(key: Any) -> str | None:
    if type(key) is Symbol:
        return key.name
    return string_text(key)


def _array(items: list[Any] | tuple[Any, ...], source: Any = None) -> tuple[list[Any], Frame]:
    array = [None] * len(items)
    return array, (id(items if source is None else source), array, enumerate(items))


def _object(proc: str, entries: list[tuple[Any, Any]], source: Any) -> tuple[dict[str, Any], Frame]:
    keys = [_key_name(key) for key, _ in entries]
    if None in keys:
        bad = next(key for key, _ in entries if _key_name(key) is None)
        raise SchemeError(
            f"{proc}: JSON object keys must be strings or symbols, got {write_abbreviated(bad)}"
        )
    obj: dict[str, Any] = {}
    return obj, (id(source), obj, zip(keys, (v for _, v in entries), strict=True))


def to_json_text(value: Any, indent: int | None = None, proc: str = "scheme->json") -> str:
    """`value` as JSON text (non-ASCII characters kept as they are)."""
    data = to_python(value, proc)
    try:
        return json.dumps(data, ensure_ascii=False, indent=indent, allow_nan=False)
    except RecursionError:  # nesting within the limit, but called under a low recursion limit
        raise SchemeError(f"{proc}: data nested too deeply") from None


@primitive("json->scheme")
def json_to_scheme(text: Any) -> Any:
    return from_json_text(check_string("json->scheme", text, 1))


# as JavaScript's JSON.stringify allows: every line repeats the indent once per level
_MAX_INDENT = 10


@primitive("scheme->json")
def scheme_to_json(value: Any, indent: Any = None) -> MutableString:
    if indent is not None and (type(indent) is not int or not 0 <= indent <= _MAX_INDENT):
        raise type_error("scheme->json", f"an indent of 0 to {_MAX_INDENT} spaces", indent, 2)
    return MutableString(made_within_limit("scheme->json", to_json_text(value, indent), "string"))


alias("string->json", json_to_scheme)
alias("json->string", scheme_to_json)


@primitive("json-ref")
def json_ref(obj: Any, *path: Any) -> Any:
    """Walk into JSON data: string or symbol keys select object members, integers array elements."""
    for position, step in enumerate(path, 2):
        key = _key_name(step)
        if key is not None:
            obj = _member(obj, key)
        elif type(step) is int:
            items = obj if type(obj) is list or type(obj) is tuple else _sequence(obj, step)
            obj = items[check_index("json-ref", step, len(items), "JSON array", position)]
        else:
            raise type_error("json-ref", "a key (string or symbol) or an index", step, position)
    return obj


def _sequence(obj: Any, index: int) -> list[Any]:
    if obj is NIL or type(obj) is Pair or type(obj) is SourcePair:
        return list_items("json-ref", obj, 1)
    raise SchemeError(
        f"json-ref: cannot take index {write_abbreviated(index)} of {write_abbreviated(obj)}: "
        "not an array"
    )


def _member(obj: Any, key: str) -> Any:
    if type(obj) is HashTable:
        entries = obj.items()
    elif obj is NIL or ((type(obj) is Pair or type(obj) is SourcePair) and _is_entry(obj.car)):
        entries = [
            (entry.car, entry.cdr) for entry in list_items("json-ref", obj, 1) if _is_entry(entry)
        ]
    else:
        raise SchemeError(
            f"json-ref: cannot look up key {write_abbreviated(key)} in {write_abbreviated(obj)}: not an object"
        )
    names = []
    for name, value in entries:
        if _key_name(name) == key:
            return value
        names.append(name)
    available = ", ".join(write_abbreviated(name) for name in names) or "none"
    raise SchemeError(f"json-ref: no key {write_abbreviated(key)}; available keys: {available}")
