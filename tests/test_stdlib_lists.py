"""The list procedures of the standard library, run as programs: sorting, circular
lists, and results that must match Python's own."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interpreter import Interpreter
from interpreter.errors import TaskschemeError
from interpreter.lang.datums import list_to_python, python_to_list
from interpreter.lang.printer import write_string

INTERPRETER = Interpreter()
SORT_BY = INTERPRETER.eval_scheme("(lambda (xs less?) (sort xs less?))")


def scheme_sort(items, less):
    return list_to_python(SORT_BY(python_to_list(items), INTERPRETER.eval_scheme(less)))


def error_of(program: str) -> TaskschemeError:
    with pytest.raises(TaskschemeError) as caught:
        Interpreter().eval_scheme(program)
    return caught.value


reals = st.one_of(
    st.integers(-5, 5),
    st.sampled_from([0.5, 1.0, -0.0, 0.0, math.inf, math.nan]),
    st.fractions(max_denominator=4),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(reals, max_size=30))
def test_sort_with_a_primitive_ordering_matches_sort_with_a_lambda(items):
    """`<` and `>` are compared by Python itself; the result must be the one calling
    the procedure gives, NaNs and ties between 1 and 1.0 included."""
    for op in ("<", ">"):
        native = scheme_sort(items, op)
        called = scheme_sort(items, f"(lambda (a b) ({op} a b))")
        assert [write_string(x) for x in native] == [write_string(x) for x in called]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers()), max_size=40))
def test_sort_is_stable(pairs):
    items = [python_to_list(pair) for pair in pairs]
    result = scheme_sort(items, "(lambda (a b) (< (car a) (car b)))")
    assert [list_to_python(x) for x in result] == sorted(
        [list(pair) for pair in pairs], key=lambda pair: pair[0]
    )


def test_sort_strings_and_chars_natively_and_vectors():
    program = """(list (sort '("b" "a" "c") string>?) (sort (list #\\b #\\a) char<?)
                       (sort (vector 3 1 2) >) (list-sort < '(2 1)))"""
    assert (
        write_string(Interpreter().eval_scheme(program))
        == '(("c" "b" "a") (#\\a #\\b) #(3 2 1) (1 2))'
    )


def test_sort_errors_name_the_procedure():
    assert "<: expected a number as argument" in error_of('(sort (list 3 "a" 1) <)').message
    assert error_of("(sort '(1 . 2) <)").message == (
        "sort: expected a proper list as argument 1, got (1 . 2)"
    )
    assert error_of("(list-sort < 5)").message == (
        "list-sort: expected a proper list as argument 2, got 5"
    )
    caught = error_of('(sort (list 2 1) (lambda (a b) (error "no order" a b)))')
    assert caught.headline() in ("no order 1 2", "no order 2 1")


def test_sort_leaves_a_vector_alone_and_an_escape_leaves_the_list_alone():
    program = """(define v (vector 3 1 2))
                 (define xs (list 3 1 2))
                 (sort v <)
                 (call/cc (lambda (k) (sort xs (lambda (a b) (k 'escaped)))))
                 (list v xs)"""
    assert write_string(Interpreter().eval_scheme(program)) == "(#(3 1 2) (3 1 2))"


def test_sort_nan_free_floats_and_exact_numbers_mix():
    result = Interpreter().eval("(sort (list 1/2 0.25 -inf.0 3 1 1.0) <)")
    assert result[:2] == [-math.inf, 0.25]
