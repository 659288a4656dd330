"""Control procedures: continuations, dynamic-wind, exceptions, values, promises, parameters."""

from __future__ import annotations

import time
from typing import Any

from interpreter.errors import FileError, SchemeSyntaxError, TaskschemeError
from interpreter.lang.control import (
    call_cc,
    call_with_values,
    dynamic_wind,
    force,
    make_error,
    make_promise,
    raise_continuable,
    raise_value,
    values,
    with_exception_handler,
)
from interpreter.lang.datums import (
    UNSPECIFIED,
    Parameter,
    Promise,
    Symbol,
    python_to_list,
    string_text,
)
from interpreter.lang.primitives import alias, primitive
from interpreter.lang.primitives.common import library_caller, procedure_argument
from interpreter.lang.raising import type_error

for _name, _fn in [
    ("call-with-current-continuation", call_cc),
    ("call/cc", call_cc),
    ("call-with-escape-continuation", call_cc),
    ("dynamic-wind", dynamic_wind),
    ("raise", raise_value),
    ("raise-continuable", raise_continuable),
    ("with-exception-handler", with_exception_handler),
    ("error", make_error),
    ("values", values),
    ("call-with-values", call_with_values),
    ("force", force),
    ("make-promise", make_promise),
]:
    _fn.scheme_name = _name
    alias(_name, _fn)


@primitive("promise?")
def is_promise(value: Any) -> bool:
    return isinstance(value, Promise)


@primitive("make-parameter")
def make_parameter(value: Any, converter: Any = None) -> Parameter:
    if converter is not None:
        value = procedure_argument("make-parameter", converter, 2)(value)
    return Parameter(value, converter)


@primitive("error-object?")
def is_error_object(value: Any) -> bool:
    return isinstance(value, TaskschemeError)


def _expect_error(proc: str, value: Any) -> TaskschemeError:
    if not isinstance(value, TaskschemeError):
        raise type_error(proc, "an error object", value, 1)
    return value


@primitive("error-object-message")
def error_object_message(value: Any) -> str:
    return _expect_error("error-object-message", value).message


@primitive("error-object-irritants")
def error_object_irritants(value: Any) -> Any:
    return python_to_list(_expect_error("error-object-irritants", value).irritants)


@primitive("error-object-kind")
def error_object_kind(value: Any) -> Any:
    return Symbol(_expect_error("error-object-kind", value).kind)


@primitive("error-object-location")
def error_object_location(value: Any) -> Any:
    span = _expect_error("error-object-location", value).span
    return str(span) if span else False


@primitive("file-error?")
def is_file_error(value: Any) -> bool:
    return isinstance(value, FileError)


@primitive("read-error?")
def is_read_error(value: Any) -> bool:
    return isinstance(value, SchemeSyntaxError)


@primitive("error-message-string")
def error_message_string(value: Any) -> str:
    """The one-line text of an error object, as the CLI would print it (without location)."""
    return _expect_error("error-message-string", value).headline()


@primitive("current-second")
def current_second() -> float:
    return time.time()


@primitive("current-jiffy")
def current_jiffy() -> int:
    return time.perf_counter_ns() // 1000


@primitive("jiffies-per-second")
def jiffies_per_second() -> int:
    return 1_000_000


@primitive("void")
def void(*_: Any) -> Any:
    return UNSPECIFIED


@primitive("%type-error")
def library_type_error(who: Any, expected: Any, value: Any, position: Any) -> Any:
    """`(%type-error 'filter "a procedure" x 1)`: the standard library's procedures
    report a bad argument as a primitive does (a type-error naming the procedure, the
    argument's position, what it wanted and what it got)."""
    name, position = library_caller("%type-error", who, position, 4)
    text = string_text(expected)
    if text is None:
        raise type_error("%type-error", "a string saying what was expected", expected, 2)
    raise type_error(name, text, value, position)
