"""JSON conversion both ways, called from Python."""

import math
from fractions import Fraction

import pytest

from interpreter.errors import SchemeError, SchemeTypeError
from interpreter.lang.datums import NIL, Char, Pair, Symbol, frozen, python_to_list
from interpreter.lang.primitives import all_primitives
from interpreter.lang.primitives.hashtables import HashTable
from interpreter.lang.primitives.json import (
    NULL,
    from_json_text,
    from_python,
    to_json_text,
    to_python,
)
from interpreter.lang.printer import write_string
from interpreter.lang.reader import MAX_NESTING_DEPTH

P = all_primitives()


def call(name, *args):
    """The primitive's result; a string it made (mutable) as its text, to compare."""
    return frozen(P[name](*args))


def L(*items):
    return python_to_list(items)


def test_reading_json():
    value = from_json_text('{"name": "Ann", "age": 3, "tags": ["a", null], "ok": true, "x": 1.5}')
    assert (
        write_string(value)
        == '(("name" . "Ann") ("age" . 3) ("tags" . #("a" null)) ("ok" . #t) ("x" . 1.5))'
    )
    assert from_json_text("{}") is NIL
    assert from_json_text("[]") == []
    assert from_json_text("null") is NULL
    assert from_json_text("1" + "0" * 5000) == 10**5000


def test_invalid_json_says_where():
    with pytest.raises(
        SchemeError, match=r"json->scheme: invalid JSON at line 2 column 5: Expecting value"
    ) as info:
        call("json->scheme", '{"a":\n    }')
    assert info.value.irritants == ['{"a":\n    }']
    with pytest.raises(SchemeError) as info:
        from_json_text("[" * 300 + "x")
    assert info.value.irritants == ["[" * 300 + "x"]  # the text itself; its message abbreviates it
    assert len(info.value.headline()) < 400 and info.value.headline().endswith("[[[...")
    with pytest.raises(SchemeTypeError, match="json->scheme: expected a string"):
        call("json->scheme", 5)


def test_writing_json():
    alist = L(Pair("name", "Ann"), Pair(Symbol("age"), 3), Pair("tags", ["a", NULL]))
    assert to_json_text(alist) == '{"name": "Ann", "age": 3, "tags": ["a", null]}'
    assert call("scheme->json", L(1, 2, L(3))) == "[1, 2, [3]]"
    assert call("scheme->json", NIL) == "[]"
    assert (
        call("scheme->json", (True, False, Fraction(1, 2), Symbol("ok"), "é"))
        == '[true, false, 0.5, "ok", "é"]'
    )
    assert call("scheme->json", L(1), 2) == "[\n  1\n]"
    table = HashTable()
    table.set("k", L(Pair("inner", 1)))
    assert call("json->string", table) == '{"k": {"inner": 1}}'


def test_unrepresentable_values():
    with pytest.raises(SchemeError, match=r"scheme->json: JSON cannot represent #\\a"):
        call("scheme->json", L(Char("a")))
    with pytest.raises(SchemeError, match="JSON cannot represent #<procedure car>"):
        call("scheme->json", P["car"])
    with pytest.raises(SchemeError, match=r"no representation for \+nan\.0"):
        call("scheme->json", math.nan)
    with pytest.raises(SchemeError, match="expected a proper list"):
        call("scheme->json", Pair(1, 2))
    cycle = [1]
    cycle.append(cycle)
    with pytest.raises(SchemeError, match="circular"):
        call("scheme->json", cycle)
    table = HashTable()
    table.set(1, 2)
    with pytest.raises(SchemeError, match="keys must be strings or symbols, got 1"):
        call("scheme->json", table)


def test_python_round_trip_and_deep_data():
    data = {"a": [1, {"b": None}], "c": "d"}
    assert to_python(from_python(data)) == data
    deep = []
    for _ in range(MAX_NESTING_DEPTH - 1):
        deep = [deep]
    back = to_python(from_python(deep))
    for _ in range(MAX_NESTING_DEPTH - 1):
        assert len(back) == 1
        back = back[0]
    assert back == []
    shared = [1]
    converted = from_python([shared, shared])
    assert converted[0] is converted[1]


def test_json_ref():
    data = from_json_text('{"user": {"name": "Ann", "langs": ["en", "fr"]}}')
    assert call("json-ref", data, "user", Symbol("langs"), 1) == "fr"
    assert call("json-ref", data) is data
    assert call("json-ref", L(10, 20), 1) == 20
    with pytest.raises(
        SchemeError, match='json-ref: no key "email"; available keys: "name", "langs"'
    ):
        call("json-ref", data, "user", "email")
    with pytest.raises(
        SchemeError, match=r"json-ref: index 2 is out of range for a JSON array of length 2"
    ):
        call("json-ref", data, "user", "langs", 2)
    with pytest.raises(SchemeError, match="not an object"):
        call("json-ref", data, "user", "name", "x")
    with pytest.raises(SchemeError, match='cannot take index 0 of "Ann": not an array'):
        call("json-ref", data, "user", "name", 0)
    with pytest.raises(SchemeTypeError, match="json-ref: expected a key"):
        call("json-ref", data, 1.5)
    assert list(call("json-ref", L(L(1, 2)), 0)) == [1, 2]
