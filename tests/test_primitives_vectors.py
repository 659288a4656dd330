"""Vector and bytevector primitives, called from Python."""

import pytest

from interpreter.errors import SchemeError, SchemeTypeError
from interpreter.lang.datums import UNSPECIFIED, frozen, python_to_list
from interpreter.lang.primitives import all_primitives

P = all_primitives()


def call(name, *args):
    """The primitive's result; a string it made (mutable) as its text, to compare."""
    return frozen(P[name](*args))


def test_vectors():
    vector = call("vector", 1, 2, 3)
    assert vector == [1, 2, 3]
    assert call("vector?", (1,)) is True
    assert call("vector?", python_to_list([1])) is False
    assert call("make-vector", 2, "x") == ["x", "x"]
    assert call("vector-length", vector) == 3
    assert call("vector-ref", (7, 8), 1) == 8
    assert call("vector-set!", vector, 0, "a") is UNSPECIFIED
    assert vector == ["a", 2, 3]
    assert list(call("vector->list", vector, 1)) == [2, 3]
    assert call("list->vector", python_to_list([1, 2])) == [1, 2]
    assert call("vector-append", (1,), [2]) == [1, 2]


def test_copies_and_fills():
    literal = (1, 2, 3, 4)
    copy = call("vector-copy", literal, 1, 3)
    assert copy == [2, 3] and type(copy) is list
    target = [0, 0, 0, 0]
    call("vector-copy!", target, 1, literal, 0, 2)
    assert target == [0, 1, 2, 0]
    overlapping = [1, 2, 3, 4]
    call("vector-copy!", overlapping, 1, overlapping, 0, 3)
    assert overlapping == [1, 1, 2, 3]
    call("vector-fill!", target, 9, 2)
    assert target == [0, 1, 9, 9]


def test_vector_errors():
    with pytest.raises(SchemeError, match="vector-set!: cannot modify a literal constant"):
        call("vector-set!", (1, 2), 0, 5)
    with pytest.raises(SchemeError, match="vector-fill!: cannot modify a literal constant"):
        call("vector-fill!", (1,), 0)
    with pytest.raises(
        SchemeError,
        match=r"vector-ref: index 2 is out of range for a vector of length 2 \(valid indexes are 0 to 1\)",
    ):
        call("vector-ref", [1, 2], 2)
    with pytest.raises(SchemeTypeError, match="vector-ref: expected a vector as argument 1"):
        call("vector-ref", "ab", 0)
    with pytest.raises(
        SchemeTypeError,
        match=r"vector-ref: expected an exact integer index as argument 2, got 1\.0",
    ):
        call("vector-ref", [1, 2], 1.0)
    with pytest.raises(SchemeError, match="vector-copy!: copying 3 elements to index 2 overruns"):
        call("vector-copy!", [0, 0, 0], 2, [1, 2, 3])


def test_bytevectors():
    bv = call("bytevector", 1, 2, 255)
    assert bv == bytearray([1, 2, 255])
    assert call("bytevector?", b"") is True
    assert call("bytevector-length", bv) == 3
    assert call("bytevector-u8-ref", bv, 2) == 255
    call("bytevector-u8-set!", bv, 0, 7)
    assert bv[0] == 7
    assert call("make-bytevector", 2, 5) == bytearray([5, 5])
    assert call("bytevector-copy", b"abc", 1) == bytearray(b"bc")
    assert call("bytevector-append", b"a", bytearray(b"b")) == bytearray(b"ab")
    assert call("utf8->string", "λx".encode()) == "λx"
    assert call("string->utf8", "λ") == bytearray("λ".encode())
    with pytest.raises(SchemeTypeError, match="a byte"):
        call("bytevector", 256)
    with pytest.raises(SchemeError, match="cannot modify a literal constant"):
        call("bytevector-u8-set!", b"a", 0, 1)
    with pytest.raises(SchemeError, match="invalid UTF-8 at byte 1"):
        call("utf8->string", b"a\xff")
