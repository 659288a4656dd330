"""Equivalence (`eq?`, `eqv?`, `equal?`), booleans, symbols, keywords and other type predicates.

`eq?` is identity, except that exact integers and characters compare by value (Python does
not keep one object per integer, and Scheme programs rely on `(eq? 1000 1000)`).
`eqv?` adds numbers of the same exactness and IEEE-distinct floats. `equal?` compares
pairs, vectors, strings and bytevectors by content, with an explicit stack (no recursion
limit) and, past a few thousand steps, a memory of compared pairs so that circular
structures terminate.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from interpreter.lang.datums import (
    EOF,
    Char,
    Keyword,
    MutableString,
    Pair,
    SourcePair,
    Symbol,
    string_text,
)
from interpreter.lang.primitives import primitive
from interpreter.lang.primitives.common import check_string, define_comparison, is_procedure
from interpreter.lang.raising import type_error

# After this many compared nodes, `equal?` starts remembering pairs of nodes it has compared.
_CYCLE_WATCH_AFTER = 10_000
_VECTOR_TYPES = (list, tuple)
# Types whose `==` is exactly `equal?` (not float: 0.0 and -0.0 are not eqv?, NaN is).
_BY_VALUE = frozenset((int, str, Fraction, Char))
_BYTES_TYPES = (bytes, bytearray)


@primitive("eq?")
def is_eq(a: Any, b: Any) -> bool:
    if a is b:
        return True
    kind = type(a)
    return (kind is int or kind is Char) and type(b) is kind and a == b


@primitive("eqv?")
def is_eqv(a: Any, b: Any) -> bool:
    if a is b:
        return True
    kind = type(a)
    if type(b) is not kind:
        return False
    if kind is int or kind is Fraction or kind is Char:
        return a == b
    if kind is float:
        if a != a:
            return b != b
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return False


@primitive("equal?")
def is_equal(a: Any, b: Any) -> bool:
    """Structural equality; records, hash tables and procedures compare by identity."""
    stack = [(a, b)]
    compared: set[tuple[int, int]] = set()
    steps = 0
    while stack:
        x, y = stack.pop()
        while x is not y:
            steps += 1
            if steps > _CYCLE_WATCH_AFTER:
                key = (id(x), id(y))
                if key in compared:
                    break
                compared.add(key)
            kind = type(x)
            if kind is Pair or kind is SourcePair:
                if type(y) is not Pair and type(y) is not SourcePair:
                    return False
                a, b = x.car, y.car
                if a is not b and not (type(a) is type(b) and type(a) in _BY_VALUE and a == b):
                    stack.append((a, b))
                x, y = x.cdr, y.cdr
                continue
            if kind is list or kind is tuple:
                if type(y) not in _VECTOR_TYPES or len(x) != len(y):
                    return False
                stack.extend(zip(x, y, strict=True))
            elif kind is str or kind is MutableString:
                if string_text(x) != string_text(y):
                    return False
            elif kind in _BYTES_TYPES:
                if type(y) not in _BYTES_TYPES or x != y:
                    return False
            elif not is_eqv(x, y):
                return False
            break
    return True


@primitive("not")
def is_not(obj: Any) -> bool:
    return obj is False


@primitive("boolean?")
def is_boolean(obj: Any) -> bool:
    return obj is True or obj is False


def _check_boolean(proc: str, value: Any, position: int) -> bool:
    if value is True or value is False:
        return value
    raise type_error(proc, "a boolean", value, position)


def _check_symbol(proc: str, value: Any, position: int) -> Symbol:
    if type(value) is Symbol:
        return value
    raise type_error(proc, "a symbol", value, position)


def _same(a: Any, b: Any) -> bool:
    return a is b


define_comparison("boolean=?", _check_boolean, _same)
define_comparison("symbol=?", _check_symbol, _same)


@primitive("symbol?")
def is_symbol(obj: Any) -> bool:
    return type(obj) is Symbol


@primitive("symbol->string")
def symbol_to_string(symbol: Any) -> MutableString:
    return MutableString(_check_symbol("symbol->string", symbol, 1).name)


@primitive("string->symbol")
def string_to_symbol(text: Any) -> Symbol:
    return Symbol(check_string("string->symbol", text, 1))


@primitive("keyword?")
def is_keyword(obj: Any) -> bool:
    return type(obj) is Keyword


@primitive("keyword->string")
def keyword_to_string(keyword: Any) -> MutableString:
    if type(keyword) is Keyword:
        return MutableString(keyword.name)
    raise type_error("keyword->string", "a keyword", keyword, 1)


@primitive("string->keyword")
def string_to_keyword(text: Any) -> Keyword:
    return Keyword(check_string("string->keyword", text, 1))


@primitive("procedure?")
def procedure_p(obj: Any) -> bool:
    return is_procedure(obj)


@primitive("eof-object")
def eof_object() -> Any:
    return EOF


@primitive("eof-object?")
def is_eof_object(obj: Any) -> bool:
    return obj is EOF
