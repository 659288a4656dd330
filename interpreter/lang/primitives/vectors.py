"""Vectors: Python lists, except that a vector written in program text is a tuple and,
being a literal constant, cannot be modified."""

from __future__ import annotations

from typing import Any

from interpreter.errors import SchemeError
from interpreter.lang.datums import UNSPECIFIED, python_to_list
from interpreter.lang.primitives import primitive
from interpreter.lang.primitives.common import (
    check_allocation,
    check_index,
    check_nonnegative,
    check_range,
    check_size,
    list_items,
    made_within_limit,
)
from interpreter.lang.printer import write_abbreviated
from interpreter.lang.raising import type_error

Vector = list[Any] | tuple[Any, ...]


def check_vector(proc: str, value: Any, position: int) -> Vector:
    if type(value) is list or type(value) is tuple:
        return value
    raise type_error(proc, "a vector", value, position)


def _mutable_vector(proc: str, value: Any, position: int) -> list[Any]:
    if type(value) is list:
        return value
    if type(value) is tuple:
        raise SchemeError(
            f"{proc}: cannot modify a literal constant (copy it first with vector-copy)", [value]
        )
    raise type_error(proc, "a vector", value, position)


def _range(proc: str, vector: Vector, start: Any, end: Any, position: int) -> tuple[int, int]:
    return check_range(proc, start, end, len(vector), "vector", position)


@primitive("vector?")
def is_vector(obj: Any) -> bool:
    return type(obj) is list or type(obj) is tuple


@primitive("vector")
def vector(*items: Any) -> list[Any]:
    return list(items)


@primitive("make-vector")
def make_vector(k: Any, fill: Any = False) -> list[Any]:
    return [fill] * check_size("make-vector", k, 1, "vector")


@primitive("vector-length")
def vector_length(vector: Any) -> int:
    return len(check_vector("vector-length", vector, 1))


@primitive("vector-ref")
def vector_ref(vector: Any, k: Any) -> Any:
    items = check_vector("vector-ref", vector, 1)
    return items[check_index("vector-ref", k, len(items), "vector", 2)]


@primitive("vector-set!")
def vector_set(vector: Any, k: Any, obj: Any) -> Any:
    items = _mutable_vector("vector-set!", vector, 1)
    items[check_index("vector-set!", k, len(items), "vector", 2)] = obj
    return UNSPECIFIED


@primitive("vector->list")
def vector_to_list(vector: Any, start: Any = 0, end: Any = None) -> Any:
    items = check_vector("vector->list", vector, 1)
    first, last = _range("vector->list", items, start, end, 2)
    return python_to_list(made_within_limit("vector->list", items[first:last], "list"))


@primitive("list->vector")
def list_to_vector(lst: Any) -> list[Any]:
    return made_within_limit("list->vector", list_items("list->vector", lst, 1), "vector")


@primitive("vector-fill!")
def vector_fill(vector: Any, fill: Any, start: Any = 0, end: Any = None) -> Any:
    items = _mutable_vector("vector-fill!", vector, 1)
    first, last = _range("vector-fill!", items, start, end, 3)
    items[first:last] = [fill] * (last - first)
    return UNSPECIFIED


@primitive("vector-copy")
def vector_copy(vector: Any, start: Any = 0, end: Any = None) -> list[Any]:
    """A fresh, mutable vector (also the way to get a modifiable copy of a literal)."""
    items = check_vector("vector-copy", vector, 1)
    first, last = _range("vector-copy", items, start, end, 2)
    return list(items[first:last])


@primitive("vector-copy!")
def vector_copy_into(to: Any, at: Any, source: Any, start: Any = 0, end: Any = None) -> Any:
    target = _mutable_vector("vector-copy!", to, 1)
    items = check_vector("vector-copy!", source, 3)
    first, last = _range("vector-copy!", items, start, end, 4)
    offset = check_nonnegative("vector-copy!", at, 2)
    if offset + (last - first) > len(target):
        raise SchemeError(
            f"vector-copy!: copying {last - first} elements to index {write_abbreviated(offset)} "
            f"overruns the target vector of length {len(target)}"
        )
    target[offset : offset + last - first] = items[first:last]
    return UNSPECIFIED


@primitive("vector-append")
def vector_append(*vectors: Any) -> list[Any]:
    parts = [check_vector("vector-append", v, position) for position, v in enumerate(vectors, 1)]
    check_allocation("vector-append", sum(map(len, parts)), "vector")
    return [item for part in parts for item in part]
