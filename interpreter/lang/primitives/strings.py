"""Strings, and the parts of the string library that are thin over Python's own
(`string-split`, `string-join`, `string-trim`, `string-contains`, `string-replace`): as
primitives, their errors name the procedure the program called and the argument it got
wrong. The rest of the library is stdlib/strings.scm.

A string literal is a Python str, a constant. Every string these procedures make is a
`MutableString` (R7RS's "newly allocated" string), which `string-set!`, `string-fill!`
and `string-copy!` change in place; every procedure takes either kind.

Every index is checked, so a bad index is an error naming the procedure, the index and
the valid range, never a silent Python slice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from interpreter.errors import SchemeError, SchemeTypeError
from interpreter.lang.datums import UNSPECIFIED, Char, MutableString, python_to_list, string_text
from interpreter.lang.primitives import primitive
from interpreter.lang.primitives.chars import check_char
from interpreter.lang.primitives.common import (
    ORDERINGS,
    check_allocation,
    check_index,
    check_nonnegative,
    check_range,
    check_size,
    check_string,
    define_comparison,
    list_items,
    made_within_limit,
)
from interpreter.lang.printer import write_abbreviated
from interpreter.lang.raising import type_error


def _folded_string(proc: str, value: Any, position: int) -> str:
    return check_string(proc, value, position).casefold()


for _suffix, _op in ORDERINGS.items():
    define_comparison(f"string{_suffix}", check_string, _op)
    define_comparison(f"string-ci{_suffix}", _folded_string, _op)


def _slice(proc: str, string: Any, start: Any, end: Any, position: int = 1) -> str:
    """`string[start:end]`, with the arguments checked (the string is argument `position`,
    start and end the ones after it)."""
    text = check_string(proc, string, position)
    if end is None and type(start) is int and start == 0:
        return text
    first, last = check_range(proc, start, end, len(text), "string", position + 1)
    return text[first:last]


def _mutable(proc: str, value: Any) -> MutableString:
    """The string argument 1 of a mutator; a literal is a constant and cannot change."""
    if type(value) is MutableString:
        return value
    if type(value) is str:
        raise SchemeTypeError(
            f"{proc}: cannot change {write_abbreviated(value)}: it is a literal (constant) "
            "string; (string-copy s) makes a mutable copy"
        )
    raise type_error(proc, "a string", value, 1)


def _chars(proc: str, values: list[Any] | tuple[Any, ...], position: int) -> MutableString:
    """The string made of a sequence of characters; `position` names the sequence's argument."""
    check_allocation(proc, len(values), "string")
    for value in values:
        if type(value) is not Char:
            raise type_error(proc, "a sequence of characters", value, position)
    return MutableString("".join(char.ch for char in values))


@primitive("string?")
def is_string(obj: Any) -> bool:
    return type(obj) is str or type(obj) is MutableString


@primitive("string-length")
def string_length(string: Any) -> int:
    if type(string) is MutableString:
        return len(string)
    return len(check_string("string-length", string, 1))


@primitive("string-null?")
def is_string_null(string: Any) -> bool:
    return check_string("string-null?", string, 1) == ""


@primitive("string-ref")
def string_ref(string: Any, k: Any) -> Char:
    if type(string) is MutableString:
        return Char(string.char_at(check_index("string-ref", k, len(string), "string", 2)))
    text = check_string("string-ref", string, 1)
    return Char(text[check_index("string-ref", k, len(text), "string", 2)])


@primitive("string-set!")
def string_set(string: Any, k: Any, char: Any) -> Any:
    target = _mutable("string-set!", string)
    index = check_index("string-set!", k, len(target), "string", 2)
    target.replace(index, check_char("string-set!", char, 3))
    return UNSPECIFIED


@primitive("string-fill!")
def string_fill(string: Any, fill: Any, start: Any = 0, end: Any = None) -> Any:
    """`(string-fill! string char [start [end]])`: every character in the range becomes `char`."""
    target = _mutable("string-fill!", string)
    char = check_char("string-fill!", fill, 2)
    first, last = check_range("string-fill!", start, end, len(target), "string", 3)
    target.replace(first, char * (last - first))
    return UNSPECIFIED


@primitive("string-copy!")
def string_copy_to(to: Any, at: Any, source: Any, start: Any = 0, end: Any = None) -> Any:
    """`(string-copy! to at from [start [end]])`: copy `from[start:end]` into `to` at `at`.
    The piece is taken before anything is written, so overlapping ranges copy correctly."""
    target = _mutable("string-copy!", to)
    piece = _slice("string-copy!", source, start, end, 3)
    first, _ = check_range("string-copy!", at, None, len(target), "string", 2)
    if first + len(piece) > len(target):
        raise SchemeError(
            f"string-copy!: {len(piece)} characters do not fit in a string of length "
            f"{len(target)} from index {first}"
        )
    target.replace(first, piece)
    return UNSPECIFIED


@primitive("substring")
def substring(string: Any, start: Any, end: Any = None) -> MutableString:
    return MutableString(_slice("substring", string, start, end))


@primitive("string-copy")
def string_copy(string: Any, start: Any = 0, end: Any = None) -> MutableString:
    return MutableString(_slice("string-copy", string, start, end))


def _joined(proc: str, pieces: list[str], separator: str = "") -> MutableString:
    """`separator.join(pieces)`, if the result may be made (a doubling loop stops here)."""
    size = sum(map(len, pieces)) + len(separator) * max(len(pieces) - 1, 0)
    check_allocation(proc, size, "string")
    return MutableString(separator.join(pieces))


@primitive("string-append")
def string_append(*strings: Any) -> MutableString:
    return _joined(
        "string-append",
        [check_string("string-append", s, position) for position, s in enumerate(strings, 1)],
    )


@primitive("string")
def string(*chars: Any) -> MutableString:
    return _chars("string", chars, 1)


_SPACE = Char(" ")


@primitive("make-string")
def make_string(k: Any, char: Any = _SPACE) -> MutableString:
    size = check_size("make-string", k, 1, "string")
    return MutableString(check_char("make-string", char, 2) * size)


@primitive("string->list")
def string_to_list(string: Any, start: Any = 0, end: Any = None) -> Any:
    text = made_within_limit("string->list", _slice("string->list", string, start, end), "list")
    return python_to_list([Char(c) for c in text])


@primitive("list->string")
def list_to_string(lst: Any) -> MutableString:
    return _chars("list->string", list_items("list->string", lst, 1), 1)


@primitive("string->vector")
def string_to_vector(string: Any, start: Any = 0, end: Any = None) -> list[Char]:
    text = made_within_limit(
        "string->vector", _slice("string->vector", string, start, end), "vector"
    )
    return [Char(c) for c in text]


@primitive("vector->string")
def vector_to_string(vector: Any, start: Any = 0, end: Any = None) -> MutableString:
    if type(vector) is not list and type(vector) is not tuple:
        raise type_error("vector->string", "a vector", vector, 1)
    first, last = check_range("vector->string", start, end, len(vector), "vector", 2)
    return _chars("vector->string", vector[first:last], 1)


def _string_function(name: str, fn: Callable[[str], str]) -> None:
    def procedure(string: Any) -> MutableString:
        return MutableString(made_within_limit(name, fn(check_string(name, string, 1)), "string"))

    primitive(name)(procedure)


for _name, _fn in {
    "string-upcase": str.upper,
    "string-downcase": str.lower,
    "string-foldcase": str.casefold,
}.items():
    _string_function(_name, _fn)


# --- helpers for the string library ------------------------------------------------------


def _text_or_char(proc: str, value: Any, position: int) -> str:
    text = string_text(value)
    if text is not None:
        return text
    if type(value) is Char:
        return value.ch
    raise type_error(proc, "a string or a character", value, position)


def _pattern(proc: str, value: Any, position: int, what: str) -> str:
    """A non-empty string or a character to look for."""
    text = _text_or_char(proc, value, position)
    if text:
        return text
    raise SchemeError(f"{proc}: the {what} must not be empty")


def _find(proc: str, text: str, needle: Any, needle_position: int, start: Any) -> int | bool:
    """The first index at or after `start` where `needle` (string or char) occurs, or #f."""
    pattern = _text_or_char(proc, needle, needle_position)
    first, _ = check_range(proc, start, None, len(text), "string", 3)
    index = text.find(pattern, first)
    return False if index < 0 else index


@primitive("string-search")
def string_search(needle: Any, haystack: Any, start: Any = 0) -> int | bool:
    """`(string-search needle haystack [start])`: where needle first occurs, or #f."""
    text = check_string("string-search", haystack, 2)
    return _find("string-search", text, needle, 1, start)


@primitive("string-contains")
def string_contains(haystack: Any, needle: Any, start: Any = 0) -> int | bool:
    """`(string-contains haystack needle [start])`: where needle first occurs, or #f."""
    text = check_string("string-contains", haystack, 1)
    return _find("string-contains", text, needle, 2, start)


@primitive("string-split")
def string_split(string: Any, separator: Any = None) -> Any:
    """The pieces of `string` between occurrences of `separator` (a string or a
    character); without one, the words between runs of whitespace."""
    text = check_string("string-split", string, 1)
    pieces = (
        text.split()
        if separator is None
        else text.split(_pattern("string-split", separator, 2, "separator"))
    )
    return python_to_list([MutableString(piece) for piece in pieces])


@primitive("string-join")
def string_join(strings: Any, separator: Any = " ") -> MutableString:
    pieces = [string_text(piece) for piece in list_items("string-join", strings, 1)]
    if None in pieces:
        raise type_error("string-join", "a list of strings", strings, 1)
    return _joined("string-join", pieces, check_string("string-join", separator, 2))


def _trimmer(name: str, trim: Callable[[str, str | None], str]) -> None:
    """Register a trim: whitespace by default, or the characters of an optional string."""

    def procedure(string: Any, chars: Any = None) -> MutableString:
        text = check_string(name, string, 1)
        return MutableString(trim(text, None if chars is None else check_string(name, chars, 2)))

    primitive(name)(procedure)


for _name, _trim in {
    "string-trim": str.strip,
    "string-trim-left": str.lstrip,
    "string-trim-right": str.rstrip,
}.items():
    _trimmer(_name, _trim)


@primitive("string-replace")
def string_replace(string: Any, old: Any, new: Any) -> MutableString:
    """`string` with every occurrence of `old` replaced by `new`."""
    text = check_string("string-replace", string, 1)
    pattern = _pattern("string-replace", old, 2, "text to replace")
    replacement = _text_or_char("string-replace", new, 3)
    growth = text.count(pattern) * (len(replacement) - len(pattern))
    check_allocation("string-replace", len(text) + growth, "string")
    return MutableString(text.replace(pattern, replacement))


@primitive("string-prefix?")
def is_string_prefix(prefix: Any, string: Any) -> bool:
    return check_string("string-prefix?", string, 2).startswith(
        check_string("string-prefix?", prefix, 1)
    )


@primitive("string-suffix?")
def is_string_suffix(suffix: Any, string: Any) -> bool:
    return check_string("string-suffix?", string, 2).endswith(
        check_string("string-suffix?", suffix, 1)
    )


@primitive("string-repeat")
def string_repeat(string: Any, n: Any) -> MutableString:
    """`string` written `n` times over."""
    text = check_string("string-repeat", string, 1)
    count = check_nonnegative("string-repeat", n, 2)
    check_allocation("string-repeat", len(text) * count, "string")
    return MutableString(text * count)


def _padder(name: str, pad: Callable[[str, int, str], str]) -> None:
    """Register `(name string width [char])`: `string` made `width` characters long with
    `char` (a space by default); a string already that long is returned as it is."""

    def procedure(string: Any, width: Any, char: Any = _SPACE) -> MutableString:
        text = check_string(name, string, 1)
        size = check_size(name, width, 2, "string")
        return MutableString(pad(text, size, check_char(name, char, 3)))

    primitive(name)(procedure)


_padder("string-pad-left", str.rjust)
_padder("string-pad-right", str.ljust)
