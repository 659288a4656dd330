"""Pair and list primitives, and apply, called from Python."""

import pytest

from interpreter.errors import SchemeError, SchemeTypeError
from interpreter.lang.datums import (
    NIL,
    UNSPECIFIED,
    Pair,
    SourcePair,
    python_to_list,
)
from interpreter.lang.primitives import all_primitives

P = all_primitives()


def call(name, *args):
    return P[name](*args)


def L(*items):
    return python_to_list(items)


def circular():
    lst = L(1, 2, 3)
    lst.cdr.cdr.cdr = lst.cdr  # a lasso: the cycle does not include the head
    return lst


def test_pairs():
    pair = call("cons", 1, 2)
    assert (call("car", pair), call("cdr", pair)) == (1, 2)
    assert call("set-car!", pair, 10) is UNSPECIFIED
    call("set-cdr!", pair, NIL)
    assert list(pair) == [10]


def test_cxr_compositions():
    lst = L(1, L(2, 3), 4)
    assert list(call("cadr", lst)) == [2, 3]
    assert call("caadr", lst) == 2
    assert call("caddr", lst) == 4
    assert call("cdddr", lst) is NIL


def test_cxr_error_says_where_the_walk_stopped():
    with pytest.raises(
        SchemeTypeError, match=r"caddr: expected a pair, got \(\) \(after taking cddr\) in \(1 2\)"
    ):
        call("caddr", L(1, 2))


@pytest.mark.parametrize("name", ["car", "cdr", "set-car!"])
def test_pair_type_errors(name):
    args = (NIL,) if name != "set-car!" else (NIL, 1)
    with pytest.raises(
        SchemeTypeError, match=rf"^{name}: expected a pair as argument 1, got \(\)$"
    ):
        call(name, *args)


def test_literal_pairs_are_immutable():
    literal = SourcePair(1, NIL, None)
    for name in ("set-car!", "set-cdr!"):
        with pytest.raises(SchemeError, match="cannot modify a literal constant"):
            call(name, literal, 2)
    with pytest.raises(SchemeError, match="cannot modify a literal constant"):
        call("list-set!", literal, 0, 2)
    copy = call("list-copy", literal)
    call("set-car!", copy, 5)
    assert list(copy) == [5]


def test_predicates_and_length():
    assert call("pair?", SourcePair(1, NIL, None)) is True
    assert call("null?", NIL) is True
    assert call("list?", L(1, 2)) is True
    assert call("list?", Pair(1, 2)) is False
    assert call("list?", circular()) is False
    assert call("length", L(1, 2, 3)) == 3
    assert call("length", NIL) == 0
    with pytest.raises(
        SchemeTypeError, match=r"length: expected a proper list as argument 1, got \(1 \. 2\)"
    ):
        call("length", Pair(1, 2))
    with pytest.raises(SchemeError, match="circular list"):
        call("length", circular())


def test_append():
    assert call("append") is NIL
    assert call("append", NIL, 5) == 5
    tail = L(3)
    result = call("append", L(1), L(2), tail)
    assert list(result) == [1, 2, 3]
    assert result.cdr.cdr is tail  # the last argument is shared, not copied
    dotted = call("append", L(1), 2)
    assert (dotted.car, dotted.cdr) == (1, 2)
    with pytest.raises(SchemeTypeError, match="append: expected a proper list as argument 1"):
        call("append", 1, L(2))
    with pytest.raises(SchemeError, match="circular"):
        call("append", circular(), NIL)


def test_list_operations():
    lst = L(1, 2, 3)
    assert list(call("reverse", lst)) == [3, 2, 1]
    assert list(call("list-tail", lst, 1)) == [2, 3]
    assert call("list-tail", lst, 3) is NIL
    assert call("list-ref", lst, 2) == 3
    assert list(call("last-pair", lst)) == [3]
    assert list(call("make-list", 2, "x")) == ["x", "x"]
    assert list(call("list", 1, 2)) == [1, 2]
    improper = call("list-copy", Pair(1, 2))
    assert (improper.car, improper.cdr) == (1, 2)
    assert call("list-copy", 7) == 7
    mutable = call("list-copy", lst)
    call("list-set!", mutable, 1, "b")
    assert list(mutable) == [1, "b", 3]


def test_index_errors_name_the_length():
    with pytest.raises(
        SchemeError, match=r"list-ref: index 3 is out of range for a list of length 3"
    ):
        call("list-ref", L(1, 2, 3), 3)
    with pytest.raises(
        SchemeError, match=r"list-tail: index 5 is out of range for a list of length 2"
    ):
        call("list-tail", L(1, 2), 5)
    with pytest.raises(SchemeTypeError, match="exact non-negative integer"):
        call("list-ref", L(1), -1)
    with pytest.raises(SchemeTypeError, match="exact non-negative integer"):
        call("make-list", 1.0)


def test_long_lists_do_not_recurse():
    big = python_to_list(range(100_000))
    assert call("length", big) == 100_000
    assert call("car", call("reverse", big)) == 99_999
    assert call("length", call("append", big, NIL)) == 100_000


def test_apply():
    assert call("apply", P["+"], 1, 2, L(3, 4)) == 10
    assert call("apply", P["+"], NIL) == 0
    with pytest.raises(SchemeTypeError, match="apply: expected a procedure as argument 1"):
        call("apply", 1, NIL)
    with pytest.raises(SchemeTypeError, match="apply: expected a proper list as argument 3"):
        call("apply", P["+"], 1, 2)
