"""Strings, which are immutable in taskscheme (Python str), and the parts of the string
library that are thin over Python's own (`string-split`, `string-join`, `string-trim`,
`string-contains`, `string-replace`): as primitives, their errors name the procedure the
program called and the argument it got wrong. The rest of the library is stdlib/strings.scm.

Every index is checked, so a bad index is an error naming the procedure, the index and
the valid range, never a silent Python slice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from interpreter.errors import SchemeError
from interpreter.lang.datums import Char, python_to_list
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
)
from interpreter.lang.raising import type_error


def _folded_string(proc: str, value: Any, position: int) -> str:
    return check_string(proc, value, position).casefold()


for _suffix, _op in ORDERINGS.items():
    define_comparison(f"string{_suffix}", check_string, _op)
    define_comparison(f"string-ci{_suffix}", _folded_string, _op)


def _slice(proc: str, string: Any, start: Any, end: Any) -> str:
    """`string[start:end]`, with the arguments checked (start is argument 2)."""
    text = check_string(proc, string, 1)
    if end is None and type(start) is int and start == 0:
        return text
    first, last = check_range(proc, start, end, len(text), "string", 2)
    return text[first:last]


def _chars(proc: str, values: list[Any] | tuple[Any, ...], position: int) -> str:
    """The text made of a sequence of characters; `position` names the sequence's argument."""
    for value in values:
        if type(value) is not Char:
            raise type_error(proc, "a sequence of characters", value, position)
    return "".join(char.ch for char in values)


@primitive("string?")
def is_string(obj: Any) -> bool:
    return type(obj) is str


@primitive("string-length")
def string_length(string: Any) -> int:
    return len(check_string("string-length", string, 1))


@primitive("string-null?")
def is_string_null(string: Any) -> bool:
    return check_string("string-null?", string, 1) == ""


@primitive("string-ref")
def string_ref(string: Any, k: Any) -> Char:
    text = check_string("string-ref", string, 1)
    return Char(text[check_index("string-ref", k, len(text), "string", 2)])


@primitive("substring")
def substring(string: Any, start: Any, end: Any = None) -> str:
    return _slice("substring", string, start, end)


@primitive("string-copy")
def string_copy(string: Any, start: Any = 0, end: Any = None) -> str:
    return _slice("string-copy", string, start, end)


def _joined(proc: str, pieces: list[str], separator: str = "") -> str:
    """`separator.join(pieces)`, if the result may be made (a doubling loop stops here)."""
    size = sum(map(len, pieces)) + len(separator) * max(len(pieces) - 1, 0)
    check_allocation(proc, size, "string")
    return separator.join(pieces)


@primitive("string-append")
def string_append(*strings: Any) -> str:
    return _joined(
        "string-append",
        [check_string("string-append", s, position) for position, s in enumerate(strings, 1)],
    )


@primitive("string")
def string(*chars: Any) -> str:
    return _chars("string", chars, 1)


_SPACE = Char(" ")


@primitive("make-string")
def make_string(k: Any, char: Any = _SPACE) -> str:
    size = check_size("make-string", k, 1, "string")
    return check_char("make-string", char, 2) * size


@primitive("string->list")
def string_to_list(string: Any, start: Any = 0, end: Any = None) -> Any:
    return python_to_list([Char(c) for c in _slice("string->list", string, start, end)])


@primitive("list->string")
def list_to_string(lst: Any) -> str:
    return _chars("list->string", list_items("list->string", lst, 1), 1)


@primitive("string->vector")
def string_to_vector(string: Any, start: Any = 0, end: Any = None) -> list[Char]:
    return [Char(c) for c in _slice("string->vector", string, start, end)]


@primitive("vector->string")
def vector_to_string(vector: Any, start: Any = 0, end: Any = None) -> str:
    if type(vector) is not list and type(vector) is not tuple:
        raise type_error("vector->string", "a vector", vector, 1)
    first, last = check_range("vector->string", start, end, len(vector), "vector", 2)
    return _chars("vector->string", vector[first:last], 1)


def _string_function(name: str, fn: Callable[[str], Any]) -> None:
    def procedure(string: Any) -> Any:
        return fn(check_string(name, string, 1))

    primitive(name)(procedure)


for _name, _fn in {
    "string-upcase": str.upper,
    "string-downcase": str.lower,
    "string-foldcase": str.casefold,
}.items():
    _string_function(_name, _fn)


def _immutable(name: str, instead: str) -> None:
    """Register a mutator that explains strings cannot change."""

    def refuse(*_args: Any) -> Any:
        raise SchemeError(f"{name}: strings are immutable in taskscheme; {instead}")

    primitive(name)(refuse)


_immutable("string-set!", "build a new string instead (string-append, substring, list->string)")
_immutable("string-fill!", "use (make-string k char) to make a string of one character")
_immutable("string-copy!", "build a new string instead (string-append, substring)")


# --- helpers for the string library ------------------------------------------------------


def _text_or_char(proc: str, value: Any, position: int) -> str:
    if type(value) is str:
        return value
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
    if separator is None:
        return python_to_list(text.split())
    return python_to_list(text.split(_pattern("string-split", separator, 2, "separator")))


@primitive("string-join")
def string_join(strings: Any, separator: Any = " ") -> str:
    pieces = list_items("string-join", strings, 1)
    for piece in pieces:
        if type(piece) is not str:
            raise type_error("string-join", "a list of strings", strings, 1)
    return _joined("string-join", pieces, check_string("string-join", separator, 2))


def _trimmer(name: str, trim: Callable[[str, str | None], str]) -> None:
    """Register a trim: whitespace by default, or the characters of an optional string."""

    def procedure(string: Any, chars: Any = None) -> str:
        text = check_string(name, string, 1)
        return trim(text, None if chars is None else check_string(name, chars, 2))

    primitive(name)(procedure)


for _name, _trim in {
    "string-trim": str.strip,
    "string-trim-left": str.lstrip,
    "string-trim-right": str.rstrip,
}.items():
    _trimmer(_name, _trim)


@primitive("string-replace")
def string_replace(string: Any, old: Any, new: Any) -> str:
    """`string` with every occurrence of `old` replaced by `new`."""
    text = check_string("string-replace", string, 1)
    pattern = _pattern("string-replace", old, 2, "text to replace")
    replacement = _text_or_char("string-replace", new, 3)
    growth = text.count(pattern) * (len(replacement) - len(pattern))
    check_allocation("string-replace", len(text) + growth, "string")
    return text.replace(pattern, replacement)


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
def string_repeat(string: Any, n: Any) -> str:
    """`string` written `n` times over."""
    text = check_string("string-repeat", string, 1)
    count = check_nonnegative("string-repeat", n, 2)
    check_allocation("string-repeat", len(text) * count, "string")
    return text * count


def _padder(name: str, pad: Callable[[str, int, str], str]) -> None:
    """Register `(name string width [char])`: `string` made `width` characters long with
    `char` (a space by default); a string already that long is returned as it is."""

    def procedure(string: Any, width: Any, char: Any = _SPACE) -> str:
        text = check_string(name, string, 1)
        size = check_size(name, width, 2, "string")
        return pad(text, size, check_char(name, char, 3))

    primitive(name)(procedure)


_padder("string-pad-left", str.rjust)
_padder("string-pad-right", str.ljust)
