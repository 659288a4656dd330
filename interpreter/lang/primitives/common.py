"""Argument checks and helpers shared by the primitive modules.

Each check returns the value it accepted (or its Python form), so a primitive reads as
`text = check_string("string-length", s, 1)`, and every error names the procedure, the
argument position, what was expected and what came instead.
"""

from __future__ import annotations

import operator
import os
import time
import types
from collections.abc import Callable
from contextvars import ContextVar
from functools import partial
from itertools import pairwise
from typing import Any

from interpreter.errors import AllocationLimitError, SchemeError
from interpreter.lang.datums import NIL, MutableString, Parameter, Symbol, bound, pairs
from interpreter.lang.primitives import primitive
from interpreter.lang.printer import write_abbreviated
from interpreter.lang.raising import type_error
from interpreter.lang.runtime import apply_procedure

ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "=?": operator.eq,
    "<?": operator.lt,
    ">?": operator.gt,
    "<=?": operator.le,
    ">=?": operator.ge,
}

Key = Callable[[str, Any, int], Any]


def compare_chain(
    proc: str, args: tuple[Any, ...], key: Key, op: Callable[[Any, Any], bool]
) -> bool:
    """True if `op` holds between each two neighbours; every argument is checked first."""
    keys = [key(proc, value, position) for position, value in enumerate(args, 1)]
    return all(op(a, b) for a, b in pairwise(keys))


def define_comparison(name: str, key: Key, op: Callable[[Any, Any], bool]) -> None:
    """Register `name` as an n-ary comparison of `key(argument)` values, like `string<?`."""

    def compare(*args: Any) -> bool:
        return compare_chain(name, args, key, op)

    primitive(name)(compare)


def check_string(proc: str, value: Any, position: int) -> str:
    """The text of a string argument, mutable or not."""
    if type(value) is str:
        return value
    if type(value) is MutableString:
        return value.text
    raise type_error(proc, "a string", value, position)


def check_nonnegative(proc: str, value: Any, position: int) -> int:
    """An exact non-negative integer: a count, a length or an index."""
    if type(value) is int and value >= 0:
        return value
    raise type_error(proc, "an exact non-negative integer", value, position)


DEFAULT_MAX_ALLOCATION = 10_000_000
_UNITS = {"string": "characters", "datum": "characters", "bytevector": "bytes"}

# The most elements one call may allocate: the engine sets it from the `max_allocation`
# setting for each evaluation, so each Interpreter has its own.
_MAX_ALLOCATION: ContextVar[int] = ContextVar("max_allocation", default=DEFAULT_MAX_ALLOCATION)


def allocation_limit(elements: int) -> bound:
    """Calls in this block may allocate at most `elements` list items, characters or bytes."""
    return bound(_MAX_ALLOCATION, elements)


class MemoryCap:
    """The most resident memory the process may use, and when it was last measured:
    measuring costs a system call, and a table grown one entry at a time asks for a large
    allocation at every step, so the process is measured at most once per interval."""

    __slots__ = ("_next_check", "limit")

    INTERVAL = 0.005  # seconds

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._next_check = 0.0

    def check(self, proc: str) -> None:
        now = time.monotonic()
        if now < self._next_check:
            return
        self._next_check = now + self.INTERVAL
        used = resident_memory()
        if used is not None and used > self.limit:
            raise AllocationLimitError(
                f"{proc}: the process holds {used:,} bytes of memory, more than max_memory "
                f"allows ({self.limit:,}; raise it in taskscheme.toml or with --max-memory)"
            )


# The run's memory cap: the engine sets it from the `max_memory` setting for each
# evaluation; None where it cannot be measured.
_MAX_MEMORY: ContextVar[MemoryCap | None] = ContextVar("max_memory", default=None)
# Allocations at least this large look at the process's memory first (reading it costs
# about as much as making a few thousand elements, so smaller ones do not).
_MEMORY_CHECKED_FROM = 4096
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def default_max_memory() -> int | None:
    """Half of the machine's physical memory, where the system says how much it has."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * _PAGE_SIZE // 2
    except (AttributeError, ValueError, OSError):
        return None


def memory_limit(limit: int | None) -> bound:
    """Checked allocations (and task turns) in this block fail once the process holds
    more than `limit` bytes of resident memory."""
    return bound(_MAX_MEMORY, None if limit is None else MemoryCap(limit))


def resident_memory() -> int | None:
    """The process's resident memory in bytes (Linux /proc); None where it is unknown."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return None


def check_memory(proc: str) -> None:
    """An `allocation-limit` error if the process holds more memory than max_memory
    allows: the bound on what all of a run together (many parallel-map workers) holds."""
    cap = _MAX_MEMORY.get()
    if cap is not None:
        cap.check(proc)


def check_allocation(proc: str, size: int, what: str) -> int:
    """`size`, if a `what` ("list", "string", ...) that long may be made: a size far too
    large is a clear error before anything is allocated, never Python's MemoryError.
    A large one also finds the process within max_memory first."""
    if size <= _MAX_ALLOCATION.get():
        if size >= _MEMORY_CHECKED_FROM:
            check_memory(proc)
        return size
    raise allocation_error(proc, size, what)


def max_allocation() -> int:
    """The most elements one call may allocate in the evaluation running now."""
    return _MAX_ALLOCATION.get()


def allocation_error(proc: str, size: int, what: str) -> AllocationLimitError:
    """The error for a `what` of `size` elements, more than max_allocation allows."""
    unit = _UNITS.get(what, "elements")
    return AllocationLimitError(
        f"{proc}: a {what} of {_large_count(size)} {unit} is more than max_allocation allows "
        f"({_MAX_ALLOCATION.get():,}; raise it in taskscheme.toml or with --max-allocation)"
    )


def made_within_limit(proc: str, made: Any, what: str) -> Any:
    """`made`, a string, vector or bytevector whose size was known only once it was made
    (`string-upcase` of "ß" is "SS"), if it is within max_allocation: it may be larger
    than what it was made from, so a loop repeating the call stops here."""
    check_allocation(proc, len(made), what)
    return made


def _large_count(n: int) -> str:
    """A count for a message: in full, or for a huge one, the power of ten it exceeds."""
    if n < 10**30:
        return f"{n:,}"
    return f"more than 10^{(n.bit_length() - 1) * 30103 // 100000}"


def check_size(proc: str, value: Any, position: int, what: str) -> int:
    """An exact non-negative integer, the length of a `what` to be made."""
    return check_allocation(proc, check_nonnegative(proc, value, position), what)


def library_caller(proc: str, who: Any, position: Any, at: int) -> tuple[str, int]:
    """For the library's checking helpers, as in `(%check-list 'filter xs 2)`: the name of
    the procedure the program called (a symbol) and the position of the checked argument
    (argument `at` of the helper)."""
    if type(who) is not Symbol:
        raise type_error(proc, "a symbol naming a procedure", who, 1)
    if type(position) is not int or position < 1:
        raise type_error(proc, "an exact positive integer argument position", position, at)
    return who.name, position


def check_index(proc: str, index: Any, size: int, what: str, position: int) -> int:
    """`index` as a valid position in a `what` of `size` elements."""
    if type(index) is not int:
        raise type_error(proc, "an exact integer index", index, position)
    if 0 <= index < size:
        return index
    valid = f"valid indexes are 0 to {size - 1}" if size else f"the {what} is empty"
    raise SchemeError(
        f"{proc}: index {write_abbreviated(index)} is out of range for a {what} of length "
        f"{size} ({valid})"
    )


def check_range(
    proc: str, start: Any, end: Any, size: int, what: str, position: int
) -> tuple[int, int]:
    """Optional `start`/`end` arguments (at `position` and after) as a valid slice of `size`."""
    if type(start) is not int:
        raise type_error(proc, "an exact integer start index", start, position)
    if end is None:
        if 0 <= start <= size:
            return start, size
        raise SchemeError(
            f"{proc}: start index {write_abbreviated(start)} is out of range for a {what} "
            f"of length {size} "
            f"(valid: 0 to {size})"
        )
    if type(end) is not int:
        raise type_error(proc, "an exact integer end index", end, position + 1)
    if 0 <= start <= end <= size:
        return start, end
    raise SchemeError(
        f"{proc}: range {write_abbreviated(start)} to {write_abbreviated(end)} is out of "
        f"bounds for a {what} of length {size} "
        f"(need 0 <= start <= end <= {size})"
    )


def spine(proc: str, value: Any, position: int) -> tuple[list[Any], Any]:
    """The cars along the cdr chain of `value` and what ends it (NIL for a proper list);
    a circular chain is an error."""
    items: list[Any] = []
    tail = value
    for pair in pairs(proc, value, position):
        items.append(pair.car)
        tail = pair.cdr
    return items, tail


def list_items(proc: str, value: Any, position: int) -> list[Any]:
    """The elements of a proper list; an improper or circular list is an error."""
    items, tail = spine(proc, value, position)
    if tail is not NIL:
        raise type_error(proc, "a proper list", value, position)
    return items


_FUNCTION_TYPES = (
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    types.BuiltinMethodType,
    partial,
)


def is_procedure(value: Any) -> bool:
    """A value programs can call: primitives, host functions, lambdas, parameters, continuations."""
    return (
        isinstance(value, _FUNCTION_TYPES)
        or type(value) is Parameter
        or getattr(value, "is_procedure", False) is True
    )


def check_procedure(proc: str, value: Any, position: int) -> Any:
    if is_procedure(value):
        return value
    raise type_error(proc, "a procedure", value, position)


def procedure_argument(proc: str, value: Any, position: int) -> Callable[..., Any]:
    """A procedure argument as a Python function. Calls go through `apply_procedure`, so
    an error inside it is that procedure's error, not one of `proc` itself."""
    check_procedure(proc, value, position)
    return lambda *args: apply_procedure(value, list(args))
