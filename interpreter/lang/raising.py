"""Language errors whose messages show values: the value is written as the language
writes it (`write`), which only this layer knows how to do, abbreviated so that a
message stays one readable line however large the value."""

from __future__ import annotations

from typing import Any

from interpreter.errors import RaisedValue, SchemeError, SchemeTypeError
from interpreter.lang.datums import Values
from interpreter.lang.printer import write_abbreviated
from interpreter.source import Span


def type_error(
    proc: str, expected: str, value: object, position: int | None = None
) -> SchemeTypeError:
    """The error a primitive raises for a bad argument: names the procedure, what it
    wanted and what it got."""
    where = f" as argument {write_abbreviated(position)}" if position is not None else ""
    got = write_abbreviated(value)
    if type(value) is Values:
        got = f"{len(value)} values ({got}) where one was expected"
    return SchemeTypeError(f"{proc}: expected {expected}{where}, got {got}")


def scheme_error(message: str, irritants: list[Any], span: Span | None = None) -> SchemeError:
    """An error object whose headline shows its irritants after the message."""
    return SchemeError(message, irritants, span, shown=[write_abbreviated(i) for i in irritants])


def raised_value(value: Any, continuable: bool = False) -> RaisedValue:
    """The error for `(raise value)` of a value that is not an error object."""
    return RaisedValue(value, write_abbreviated(value), continuable)
