"""Bytevectors: bytearray, or bytes for a literal `#u8(...)` read from program text
(immutable), the UTF-8 conversions to and from strings, and the binary ports that read
and write bytes."""

from __future__ import annotations

import io
from typing import Any

from interpreter.errors import SchemeError
from interpreter.lang.datums import EOF, UNSPECIFIED, MutableString
from interpreter.lang.primitives import primitive
from interpreter.lang.primitives.common import (
    check_allocation,
    check_index,
    check_nonnegative,
    check_range,
    check_size,
    check_string,
    made_within_limit,
)
from interpreter.lang.primitives.io import (
    CURRENT_INPUT,
    CURRENT_OUTPUT,
    BinaryInputPort,
    BinaryOutputPort,
    port_argument,
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
    data = _mutable("bytevector-u8-set!", bv, 1)
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
def utf8_to_string(bv: Any, start: Any = 0, end: Any = None) -> MutableString:
    data = _check_bytevector("utf8->string", bv, 1)
    first, last = check_range("utf8->string", start, end, len(data), "bytevector", 2)
    try:
        return MutableString(data[first:last].decode("utf-8"))
    except UnicodeDecodeError as error:
        raise SchemeError(f"utf8->string: invalid UTF-8 at byte {first + error.start}") from None


@primitive("string->utf8")
def string_to_utf8(string: Any, start: Any = 0, end: Any = None) -> bytearray:
    text = check_string("string->utf8", string, 1)
    first, last = check_range("string->utf8", start, end, len(text), "string", 2)
    data = text[first:last].encode("utf-8", errors="surrogatepass")
    return bytearray(made_within_limit("string->utf8", data, "bytevector"))


def _mutable(proc: str, value: Any, position: int) -> bytearray:
    data = _check_bytevector(proc, value, position)
    if type(data) is bytes:
        raise SchemeError(
            f"{proc}: cannot modify a literal constant (copy it first with bytevector-copy)",
            [value],
        )
    return data


@primitive("bytevector-copy!")
def bytevector_copy_into(to: Any, at: Any, source: Any, start: Any = 0, end: Any = None) -> Any:
    target = _mutable("bytevector-copy!", to, 1)
    data = _check_bytevector("bytevector-copy!", source, 3)
    first, last = check_range("bytevector-copy!", start, end, len(data), "bytevector", 4)
    offset = check_nonnegative("bytevector-copy!", at, 2)
    if offset + (last - first) > len(target):
        raise SchemeError(
            f"bytevector-copy!: copying {last - first} bytes to index {offset} "
            f"overruns the target bytevector of length {len(target)}"
        )
    target[offset : offset + last - first] = data[first:last]
    return UNSPECIFIED


# --- binary ports (R7RS 6.13) ----------------------------------------------------------


def _binary_input(proc: str, port: Any, position: int) -> BinaryInputPort:
    return port_argument(
        proc, port, position, BinaryInputPort, "a binary input port", CURRENT_INPUT
    )


def _binary_output(proc: str, port: Any, position: int) -> BinaryOutputPort:
    return port_argument(
        proc, port, position, BinaryOutputPort, "a binary output port", CURRENT_OUTPUT
    )


@primitive("open-input-bytevector")
def open_input_bytevector(bv: Any) -> BinaryInputPort:
    data = _check_bytevector("open-input-bytevector", bv, 1)
    return BinaryInputPort(io.BytesIO(data), name="bytevector")


@primitive("open-output-bytevector")
def open_output_bytevector() -> BinaryOutputPort:
    return BinaryOutputPort(io.BytesIO(), name="bytevector")


@primitive("get-output-bytevector")
def get_output_bytevector(port: Any) -> bytearray:
    written = port.getvalue() if isinstance(port, BinaryOutputPort) else None
    if written is None:
        raise type_error("get-output-bytevector", "a bytevector output port", port, 1)
    return written


@primitive("read-u8")
def read_u8(port: Any = None) -> Any:
    byte = _binary_input("read-u8", port, 1).read(1, "read-u8")
    return byte[0] if byte else EOF


@primitive("peek-u8")
def peek_u8(port: Any = None) -> Any:
    byte = _binary_input("peek-u8", port, 1).peek()
    return byte[0] if byte else EOF


@primitive("u8-ready?")
def u8_ready(port: Any = None) -> bool:
    """Bytevector ports and files never make a read wait."""
    _binary_input("u8-ready?", port, 1)
    return True


@primitive("read-bytevector")
def read_bytevector(k: Any, port: Any = None) -> Any:
    count = check_nonnegative("read-bytevector", k, 1)
    data = _binary_input("read-bytevector", port, 2).read(count, "read-bytevector")
    return EOF if count and not data else bytearray(data)


@primitive("read-bytevector!")
def read_bytevector_into(bv: Any, port: Any = None, start: Any = 0, end: Any = None) -> Any:
    target = _mutable("read-bytevector!", bv, 1)
    source = _binary_input("read-bytevector!", port, 2)
    first, last = check_range("read-bytevector!", start, end, len(target), "bytevector", 3)
    data = source.read(last - first, "read-bytevector!")
    if last > first and not data:
        return EOF
    target[first : first + len(data)] = data
    return len(data)


@primitive("write-u8")
def write_u8(byte: Any, port: Any = None) -> Any:
    value = _check_byte("write-u8", byte, 1)
    _binary_output("write-u8", port, 2).write(bytes([value]))
    return UNSPECIFIED


@primitive("write-bytevector")
def write_bytevector(bv: Any, port: Any = None, start: Any = 0, end: Any = None) -> Any:
    data = _check_bytevector("write-bytevector", bv, 1)
    target = _binary_output("write-bytevector", port, 2)
    first, last = check_range("write-bytevector", start, end, len(data), "bytevector", 3)
    target.write(data[first:last])
    return UNSPECIFIED
