"""Hash table primitives and the HashTable class, called from Python."""

from fractions import Fraction

import pytest

from interpreter.errors import SchemeError, SchemeTypeError
from interpreter.lang.datums import (
    NIL,
    UNSPECIFIED,
    Char,
    Pair,
    Symbol,
    python_to_list,
)
from interpreter.lang.primitives import all_primitives
from interpreter.lang.primitives.hashtables import HashTable
from interpreter.lang.printer import write_string

P = all_primitives()


def call(name, *args):
    return P[name](*args)


def L(*items):
    return python_to_list(items)


def test_equal_tables_compare_keys_by_structure():
    table = call("make-hash-table")
    call("hash-table-set!", table, L(1, "a"), "list")
    call("hash-table-set!", table, [1, 2], "vector")
    call("hash-table-set!", table, "key", "string")
    assert call("hash-table-ref", table, L(1, "a")) == "list"
    assert call("hash-table-ref/default", table, (1, 2), None) == "vector"
    assert call("hash-table-ref/default", table, "k" + "ey", None) == "string"


def test_numbers_keep_exactness_and_booleans_are_not_numbers():
    table = HashTable()
    for key in (
        1,
        1.0,
        True,
        Fraction(1, 2),
        0.5,
        0.0,
        -0.0,
        float("nan"),
        Char("a"),
        Symbol("a"),
        "a",
    ):
        table.set(key, write_string(key))
    assert len(table) == 11
    assert table.get(1) == "1"
    assert table.get(1.0) == "1.0"
    assert table.get(True) == "#t"
    assert table.get(float("nan")) == "+nan.0"
    assert table.get(Char("a")) == "#\\a"


def test_eqv_tables_use_identity_for_strings():
    table = call("make-hash-table", Symbol("eqv"))
    key = "".join(["a", "b"])
    call("hash-table-set!", table, key, 1)
    call("hash-table-set!", table, 5, 2)
    assert call("hash-table-contains?", table, key) is True
    assert call("hash-table-contains?", table, "".join(["a", "b"])) is False
    assert call("hash-table-ref/default", table, 5, None) == 2
    assert call("make-hash-table", P["eq?"]).kind == "eq"
    assert call("make-hash-table", P["string=?"]).kind == "equal"


def test_table_operations():
    table = call("alist->hash-table", L(Pair("a", 1), Pair("b", 2), Pair("a", 99)))
    assert call("hash-table-ref", table, "a") == 1  # the first entry wins, as with assoc
    assert call("hash-table-count", table) == 2
    assert list(call("hash-table-keys", table)) == ["a", "b"]
    assert list(call("hash-table-values", table)) == [1, 2]
    alist = list(call("hash-table->alist", table))
    assert [(p.car, p.cdr) for p in alist] == [("a", 1), ("b", 2)]
    assert call("hash-table-update!", table, "a", lambda v: v + 10) is UNSPECIFIED
    call("hash-table-update!/default", table, "c", lambda v: v + 1, 0)
    call("hash-table-update!", table, "d", lambda v: v * 2, lambda: 21)
    assert [call("hash-table-ref", table, k) for k in "acd"] == [11, 1, 42]
    assert call("hash-table-ref", table, "zz", lambda: "none") == "none"
    copy = call("hash-table-copy", table)
    call("hash-table-delete!", table, "a")
    assert call("hash-table-exists?", table, "a") is False
    assert call("hash-table-size", copy) == 4
    seen = []
    call(
        "hash-table-walk",
        copy,
        lambda k, v: seen.append((k, v)) or call("hash-table-delete!", copy, k),
    )
    assert len(seen) == 4 and call("hash-table-count", copy) == 0
    call("hash-table-clear!", table)
    assert call("hash-table-keys", table) is NIL
    assert write_string(copy) == "#<hash-table 0>"


def test_errors():
    table = call("make-equal-hash-table")
    with pytest.raises(SchemeError) as info:
        call("hash-table-ref", table, "missing")
    assert info.value.headline() == 'hash-table-ref: key not found: "missing"'
    with pytest.raises(SchemeError, match="hash-table-update!: key not found"):
        call("hash-table-update!", table, "k", lambda v: v)
    with pytest.raises(
        SchemeTypeError, match="hash-table-set!: expected a hash table as argument 1"
    ):
        call("hash-table-set!", NIL, 1, 2)
    with pytest.raises(
        SchemeTypeError, match="make-hash-table: expected 'equal, 'eqv, 'eq or 'string"
    ):
        call("make-hash-table", Symbol("weird"))
    with pytest.raises(
        SchemeTypeError, match="hash-table-walk: expected a procedure as argument 2"
    ):
        call("hash-table-walk", table, 5)
    circular = L(1, 2)
    circular.cdr.cdr = circular
    with pytest.raises(SchemeError, match="hash table key is circular"):
        call("hash-table-set!", table, circular, 1)


def test_deeply_nested_keys_do_not_recurse():
    key_a, key_b = NIL, NIL
    for _ in range(20_000):
        key_a, key_b = L(key_a), [key_b]
    table = HashTable()
    table.set(key_a, "list")
    table.set(key_b, "vector")
    rebuilt = NIL
    for _ in range(20_000):
        rebuilt = L(rebuilt)
    assert table.get(rebuilt) == "list"
