"""Characters: conversions, comparisons and Unicode classification (`char-alphabetic?` ...)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

from interpreter.errors import SchemeError
from interpreter.lang.datums import Char
from interpreter.lang.primitives import primitive
from interpreter.lang.primitives.common import ORDERINGS, check_nonnegative, define_comparison
from interpreter.lang.printer import write_abbreviated
from interpreter.lang.raising import type_error

_MAX_CODE_POINT = 0x10FFFF
_SURROGATES = range(0xD800, 0xE000)


def check_char(proc: str, value: Any, position: int) -> str:
    """The character's text (a one-character Python string)."""
    if type(value) is Char:
        return value.ch
    raise type_error(proc, "a character", value, position)


def _folded_char(proc: str, value: Any, position: int) -> str:
    return check_char(proc, value, position).casefold()


for _suffix, _op in ORDERINGS.items():
    define_comparison(f"char{_suffix}", check_char, _op)
    define_comparison(f"char-ci{_suffix}", _folded_char, _op)


@primitive("char?")
def is_char(obj: Any) -> bool:
    return type(obj) is Char


@primitive("char->integer")
def char_to_integer(char: Any) -> int:
    return ord(check_char("char->integer", char, 1))


@primitive("integer->char")
def integer_to_char(n: Any) -> Char:
    code = check_nonnegative("integer->char", n, 1)
    if code > _MAX_CODE_POINT or code in _SURROGATES:
        raise SchemeError(
            f"integer->char: {write_abbreviated(code)} is not a Unicode scalar value "
            "(valid: 0 to #x10FFFF, except the surrogates #xD800 to #xDFFF)"
        )
    return Char(chr(code))


def _char_predicate(name: str, test: Callable[[str], bool]) -> None:
    def predicate(char: Any) -> bool:
        return test(check_char(name, char, 1))

    primitive(name)(predicate)


for _name, _test in {
    "char-alphabetic?": str.isalpha,
    "char-numeric?": str.isdecimal,
    "char-whitespace?": str.isspace,
    "char-upper-case?": str.isupper,
    "char-lower-case?": str.islower,
}.items():
    _char_predicate(_name, _test)


def _case_mapping(name: str, mapping: Callable[[str], str]) -> None:
    """Register a case conversion; a character whose mapping is several characters is kept."""

    def convert(char: Any) -> Char:
        mapped = mapping(check_char(name, char, 1))
        return Char(mapped) if len(mapped) == 1 else char

    primitive(name)(convert)


for _name, _mapping in {
    "char-upcase": str.upper,
    "char-downcase": str.lower,
    "char-foldcase": str.casefold,
}.items():
    _case_mapping(_name, _mapping)


@primitive("digit-value")
def digit_value(char: Any) -> int | bool:
    """The value of a decimal digit in any script, or #f."""
    value = unicodedata.decimal(check_char("digit-value", char, 1), None)
    return False if value is None else value
