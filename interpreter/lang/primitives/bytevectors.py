"""Bytevectors: bytearray, or bytes for a literal `#u8(...)` read from program text
(immutable), and the UTF-8 conversions to and from strings."""

from __future__ import annotations

from typing import Any

from interpreter.errors import SchemeError
from interpreter.lang.datums import UNSPECIFIED
from interpreter.lang.primitives import primitive
from interpreter.lang.primitives.common import (
    check_allocation,
    check_index,
    check_range,
    check_size,
    check_string,
)
from interpreter.lang.raising import type_error


def _check_bytevector(proc: str, value: Any, position: int) -> bytes | bytearray:
    if type(value) is bytearray or type(value) is bytes:
        return value
    raise type_error(proc, "a bytevector", value, position)


def _check_byte(proc: str, value: Any, position: int) -> int:
    if type(value) is int and 0 <= value < 256:
        return value
    raise type_error(proc, "a byte (an exact integer from 0 to 255)", value, position)


@primitive("bytevector?")
def is_bytevector(obj: Any) -> bool:
    return type(obj) is bytearray or type(obj) is bytes


@primitive("bytevector")
def bytevector(*values: Any) -> bytearray:
    return bytearray(_check_byte("bytevector", v, position) for position, v in enumerate(values, 1))


@primitive("make-bytevector")
def make_bytevector(k: Any, fill: Any = 0) -> bytearray:
    size = check_size("make-bytevector", k, 1, "bytevector")
    return bytearray([_check_byte("make-bytevector", fill, 2)]) * size


@primitive("bytevector-length")
def bytevector_length(bv: Any) -> int:
    return len(_check_bytevector("bytevector-length", bv, 1))


@primitive("bytevector-u8-ref")
def bytevector_u8_ref(bv: Any, k: Any) -> int:
    data = _check_bytevector("bytevector-u8-ref", bv, 1)
    return data[check_index("bytevector-u8-ref", k, len(data), "bytevector", 2)]


@primitive("bytevector-u8-set!")
def bytevector_u8_set(bv: Any, k: Any, byte: Any) -> Any:
    data = _check_bytevector("bytevector-u8-set!", bv, 1)
    if type(data) is bytes:
        raise SchemeError(
            "bytevector-u8-set!: cannot modify a literal constant (copy it first with bytevector-copy)",
            [bv],
        )
    data[check_index("bytevector-u8-set!", k, len(data), "bytevector", 2)] = _check_byte(
        "bytevector-u8-set!", byte, 3
    )
    return UNSPECIFIED


@primitive("bytevector-copy")
def bytevector_copy(bv: Any, start: Any = 0, end: Any = None) -> bytearray:
    data = _check_bytevector("bytevector-copy", bv, 1)
    first, last = check_range("bytevector-copy", start, end, len(data), "bytevector", 2)
    return bytearray(data[first:last])


@primitive("bytevector-append")
def bytevector_append(*bvs: Any) -> bytearray:
    parts = [
        _check_bytevector("bytevector-append", bv, position) for position, bv in enumerate(bvs, 1)
    ]
    check_allocation("bytevector-append", sum(map(len, parts)), "bytevector")
    return bytearray().join(parts)


@primitive("utf8->string")
def utf8_to_string(bv: Any, start: Any = 0, end: Any = None) -> str:
    data = _check_bytevector("utf8->string", bv, 1)
    first, last = check_range("utf8->string", start, end, len(data), "bytevector", 2)
    try:
        return data[first:last].decode("utf-8")
    except UnicodeDecodeError as error:
        raise SchemeError(f"utf8->string: invalid UTF-8 at byte {first + error.start}") from None


@primitive("string->utf8")
def string_to_utf8(string: Any, start: Any = 0, end: Any = None) -> bytearray:
    text = check_string("string->utf8", string, 1)
    first, last = check_range("string->utf8", start, end, len(text), "string", 2)
    return bytearray(text[first:last].encode("utf-8", errors="surrogatepass"))
