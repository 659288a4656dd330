"""Equivalence, booleans, symbols, keywords and procedure?, called from Python."""

from fractions import Fraction

import pytest

from interpreter.errors import SchemeTypeError
from interpreter.lang.datums import (
    EOF,
    NIL,
    Char,
    Keyword,
    Pair,
    Parameter,
    Record,
    RecordType,
    Symbol,
    frozen,
    python_to_list,
)
from interpreter.lang.primitives import all_primitives

P = all_primitives()


def call(name, *args):
    """The primitive's result; a string it made (mutable) as its text, to compare."""
    return frozen(P[name](*args))


def L(*items):
    return python_to_list(items)


def test_eq_compares_small_values_and_identity():
    assert call("eq?", 10**6, int("1000000")) is True
    assert call("eq?", Char("a"), Char("a")) is True
    assert call("eq?", Symbol("a"), Symbol("a")) is True
    assert call("eq?", 1, True) is False
    assert call("eq?", 1, 1.0) is False
    assert call("eq?", "ab", "".join(["a", "b"])) is False
    assert call("eq?", L(1), L(1)) is False


def test_eqv_distinguishes_exactness_and_zero_signs():
    assert call("eqv?", 2, 2.0) is False
    assert call("eqv?", 1, True) is False
    assert call("eqv?", Fraction(1, 2), Fraction(1, 2)) is True
    assert call("eqv?", 1.5, 1.5) is True
    assert call("eqv?", 0.0, -0.0) is False
    assert call("eqv?", float("nan"), float("nan")) is True
    assert call("eqv?", [1], [1]) is False


def test_equal_compares_structure():
    assert call("equal?", L(1, L(2, "x"), (3,)), L(1, L(2, "x"), [3])) is True
    assert call("equal?", L(1, 2), L(1, 2.0)) is False
    assert call("equal?", "abc", "abc") is True
    assert call("equal?", bytearray(b"ab"), b"ab") is True
    assert call("equal?", Pair(1, 2), Pair(1, 2)) is True
    assert call("equal?", Pair(1, 2), Pair(1, 3)) is False
    assert call("equal?", [1, 2], [1, 2, 3]) is False
    point = RecordType("point", ("x",))
    assert call("equal?", Record(point, [1]), Record(point, [1])) is False


def test_equal_on_long_deep_and_circular_data():
    a, b = python_to_list(range(100_000)), python_to_list(range(100_000))
    assert call("equal?", a, b) is True
    deep_a, deep_b = NIL, NIL
    for _ in range(20_000):
        deep_a, deep_b = L(deep_a), L(deep_b)
    assert call("equal?", deep_a, deep_b) is True
    x, y = L(1, 2), L(1, 2)
    x.cdr.cdr, y.cdr.cdr = x, y
    assert call("equal?", x, y) is True
    y.car = 5
    assert call("equal?", x, y) is False


def test_booleans():
    assert call("not", False) is True
    assert call("not", NIL) is False
    assert call("boolean?", 0) is False
    assert call("boolean=?", True, True, True) is True
    assert call("boolean=?", True, False) is False
    with pytest.raises(
        SchemeTypeError, match="boolean=\\?: expected a boolean as argument 2, got 1"
    ):
        call("boolean=?", True, 1)


def test_symbols_and_keywords():
    assert call("symbol->string", Symbol("abc")) == "abc"
    assert call("string->symbol", "a b") is Symbol("a b")
    assert call("symbol=?", Symbol("a"), Symbol("a"), Symbol("a")) is True
    assert call("symbol?", "a") is False
    assert call("keyword->string", Keyword("limit")) == "limit"
    assert call("string->keyword", "limit") is Keyword("limit")
    assert call("keyword?", Keyword("x")) is True
    with pytest.raises(
        SchemeTypeError, match='symbol->string: expected a symbol as argument 1, got "a"'
    ):
        call("symbol->string", "a")
    with pytest.raises(SchemeTypeError, match="string->symbol: expected a string"):
        call("string->symbol", Symbol("a"))


def test_procedure_predicate():
    class SchemeLambda:
        is_procedure = True

        def __call__(self):
            return 1

    assert call("procedure?", P["car"]) is True
    assert call("procedure?", SchemeLambda()) is True
    assert call("procedure?", Parameter(1)) is True
    assert call("procedure?", len) is True
    assert call("procedure?", RecordType("point", ())) is False
    assert call("procedure?", Symbol("car")) is False
    assert call("procedure?", int) is False


def test_eof_object():
    assert call("eof-object") is EOF
    assert call("eof-object?", EOF) is True
    assert call("eof-object?", NIL) is False
