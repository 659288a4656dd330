"""Values both ways between Python and the language, as docs/embedding.md's table says."""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interpreter import Interpreter
from interpreter.errors import RecursionDepthError, SchemeTypeError, TaskschemeError


@dataclasses.dataclass
class Order:
    id: int
    items: list
    note: str | None = None


INTERP = Interpreter()
INTERP.define("echo", lambda value: value)

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.fractions().filter(lambda f: f.denominator != 1)
    | st.text()
    | st.binary(max_size=8)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=5), inner, max_size=4)
        | st.builds(Order, st.integers(), st.lists(inner, max_size=3), st.none() | st.text())
    ),
    max_leaves=20,
)


def plain(value):
    """What `value` comes back as: tuples as lists, dataclasses as dicts of their fields."""
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value):
        return {
            field.name: plain(getattr(value, field.name)) for field in dataclasses.fields(value)
        }
    return value


@settings(max_examples=150, deadline=None)
@given(values)
def test_python_values_come_back_as_they_went_in(value):
    assert INTERP.export(INTERP.to_language(value)) == plain(value)
    # and through a program: a host procedure's argument and result, a global
    assert INTERP.call("echo", value) == plain(value)
    INTERP.define("given-value", value)
    assert INTERP.eval("given-value") == plain(value)


@settings(max_examples=100, deadline=None)
@given(values)
def test_the_language_sees_lists_as_lists_and_dicts_as_hash_tables(value):
    INTERP.define("given-value", value)
    kind = INTERP.eval(
        "(cond ((null? given-value) 'empty-list) ((list? given-value) 'list)"
        " ((vector? given-value) 'vector) ((hash-table? given-value) 'table)"
        " ((string? given-value) 'string) ((bytevector? given-value) 'bytevector)"
        " ((boolean? given-value) 'boolean) ((number? given-value) 'number)"
        " (else 'other))"
    )
    expected = {
        list: "list",
        tuple: "vector",
        dict: "table",
        Order: "table",
        str: "string",
        bytes: "bytevector",
        bool: "boolean",
        int: "number",
        float: "number",
        Fraction: "number",
        type(None): "other",
    }[type(value)]
    if value == []:
        expected = "empty-list"
    assert kind == expected


def test_a_host_list_is_a_list_of_the_language():
    interp = Interpreter()
    interp.define("give-list", lambda: [1, "a", [2, 3]])
    assert interp.eval("(length (give-list))") == 3
    assert interp.eval("(apply + (caddr (give-list)))") == 5


def test_dicts_and_dataclasses_are_hash_tables_with_their_keys():
    interp = Interpreter()
    interp.define("config", {"model": "small", "limits": {"turns": 3}})
    interp.define("order", Order(7, ["tea"]))
    assert interp.eval('(hash-table-ref (hash-table-ref config "limits") "turns")') == 3
    assert interp.eval('(hash-table-ref order "items")') == ["tea"]
    assert interp.eval("config") == {"model": "small", "limits": {"turns": 3}}


def test_none_is_the_unspecified_value_both_ways():
    interp = Interpreter()
    interp.define("nothing", lambda: None)
    assert interp.eval("(eq? (nothing) (if #f #f))") is True
    assert interp.eval("(if #f #f)") is None
    assert interp.eval("(nothing)") is None


def test_special_floats_and_big_numbers_pass_unchanged():
    interp = Interpreter()
    interp.define("echo", lambda value: value)
    assert interp.call("echo", -math.inf) == -math.inf
    assert math.isnan(interp.call("echo", math.nan))
    assert interp.call("*", 10**40, Fraction(1, 3)) == Fraction(10**40, 3)


def test_a_procedure_of_the_program_is_a_python_callable_under_the_rules():
    interp = Interpreter(config={"max_recursion_depth": 300})
    interp.eval("(define (deep n) (if (= n 0) 0 (+ 1 (deep (- n 1)))))")
    deep = interp.lookup("deep")
    assert deep(100) == 100
    with pytest.raises(RecursionDepthError):
        deep(100_000)
    with pytest.raises(SchemeTypeError, match=r"=: expected a number"):
        deep("many")
    pair_up = interp.eval("(lambda (a b) (list a b))")
    assert pair_up([1], {"k": (2,)}) == [[1], {"k": [2]}]


def test_procedures_pass_both_ways_and_come_back_as_themselves():
    interp = Interpreter()
    interp.define("twice", lambda f, x: f(f(x)))
    assert interp.eval("(twice (lambda (n) (* n 3)) 2)") == 18
    add_one = interp.eval("(lambda (n) (+ n 1))")
    interp.define("add-one", add_one)
    assert interp.eval("(eq? add-one add-one)") is True
    assert interp.call("map", add_one, [1, 2]) == [2, 3]
    interp.define("make-adder", lambda n: lambda x: x + n)
    assert interp.eval("((make-adder 10) 5)") == 15


def test_a_circular_structure_cannot_leave_as_python_data():
    interp = Interpreter()
    with pytest.raises(TaskschemeError, match="circular"):
        interp.eval("(let ((x (list 1 2))) (set-cdr! (cdr x) x) x)")
