"""The list procedures of the standard library, run as programs: sorting, circular
lists, and results that must match Python's own."""

import math
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interpreter import Interpreter
from interpreter.errors import TaskschemeError
from interpreter.lang.datums import python_to_list
from interpreter.lang.printer import write_string

INTERPRETER = Interpreter()
SORT_BY = INTERPRETER.eval_scheme("(lambda (xs less?) (sort xs less?))")


def scheme_sort(items, less):
    return list(SORT_BY(python_to_list(items), INTERPRETER.eval_scheme(less)))


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
    assert [list(x) for x in result] == sorted(
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


def finishes(program: str, seconds: float = 20.0):
    """The program's value, or its error, if it ends within `seconds` (a loop that never
    ends fails the test instead of hanging the suite)."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = Interpreter().eval_scheme(program)
        except TaskschemeError as error:
            outcome["error"] = error

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert outcome, f"still running after {seconds} s: {program}"
    return outcome.get("error", outcome.get("value"))


CIRCULAR = "(define c (list 1 2 3)) (set-cdr! (cddr c) c) "


@pytest.mark.parametrize(
    ("call", "name"),
    [
        ("(map car c)", "map"),
        ("(for-each car c)", "for-each"),
        ("(filter odd? c)", "filter"),
        ("(remove odd? c)", "remove"),
        ("(partition odd? c)", "partition"),
        ("(fold + 0 c)", "fold"),
        ("(fold-left + 0 c)", "fold-left"),
        ("(fold-right + 0 c)", "fold-right"),
        ("(reduce + 0 c)", "reduce"),
        ("(count odd? c)", "count"),
        ("(find zero? c)", "find"),
        ("(find-tail zero? c)", "find-tail"),
        ("(any zero? c)", "any"),
        ("(every odd? c)", "every"),
        ("(list-index zero? c)", "list-index"),
        ("(delete 0 c)", "delete"),
        ("(member 0 c)", "member"),
        ("(member 0 c =)", "member"),
        ("(memq 'x c)", "memq"),
        ("(memv 0 c)", "memv"),
        ("(assoc 0 (let ((a (list (cons 1 2)))) (set-cdr! a a) a))", "assoc"),
        ("(assq 0 (let ((a (list (cons 1 2)))) (set-cdr! a a) a))", "assq"),
        ("(delete-duplicates c)", "delete-duplicates"),
        ("(flatten c)", "flatten"),
        ("(sort c <)", "sort"),
        ("(append-map list c)", "map"),
        ("(filter-map odd? c)", "map"),
        ("(map + c c)", "map"),
        ("(for-each + c c)", "for-each"),
        ("(fold + 0 c c)", "fold"),
        ("(any = c c)", "any"),
    ],
)
def test_a_circular_list_is_an_error_not_a_loop_without_end(call, name):
    error = finishes(CIRCULAR + call)
    assert isinstance(error, TaskschemeError), error
    assert error.message.startswith(f"{name}: ")
    assert "circular" in error.message


def test_a_search_finds_its_element_in_a_circular_list_and_finite_lists_bound_one():
    value = finishes(CIRCULAR + "(list (memv 2 c) (map + c '(10 20 30 40)) (any = c '(0 2)))")
    assert write_string(value) == "(#0=(2 3 1 . #0#) (11 22 33 41) #t)"


def test_searches_keep_their_argument_errors():
    assert error_of("(memq 1 5)").message == "memq: expected a list as argument 2, got 5"
    assert error_of("(assq 1 '(1))").message == (
        "assq: expected an association list (a list of pairs) as argument 2, got (1)"
    )
    assert error_of("(member 1 '(1) 5)").message == (
        "member: expected a procedure as argument 3, got 5"
    )
    assert error_of("(memq 1 '(2) eq?)").kind == "arity-error"
    assert Interpreter().eval("(list (assoc 2.0 '((1 . a) (2 . b)) =) (memq 'c '(a b c)))") == [
        [2, "b"],
        ["c"],
    ]


def test_delete_duplicates_keeps_first_occurrences_in_order():
    program = """(define c (list 1)) (set-cdr! c c)
                 (list (delete-duplicates '(1 2 1.0 (a) 2 (a) 1))
                       (delete-duplicates '(1 2 1.0 3) =)
                       (delete-duplicates (list c 1 c)))"""
    assert write_string(finishes(program)) == "((1 2 1.0 (a)) (1 2 3) (#0=(1 . #0#) 1))"


def growth(template: str, small: int, factor: int = 8) -> float:
    """How much longer the program takes on `factor` times the data (best of five, in
    CPU time: on a busy machine, wall-clock time of a few milliseconds is mostly noise)."""

    def seconds(n: int) -> float:
        interpreter = Interpreter()
        interpreter.eval_scheme(f"(define xs (iota {n}))")
        program = template.format(n=n)
        times = []
        for _ in range(5):
            start = time.process_time()
            interpreter.eval_scheme(program)
            times.append(time.process_time() - start)
        return min(times)

    return seconds(small * factor) / seconds(small)


def test_delete_duplicates_grows_linearly():
    # quadratic would be 64 times longer on 8 times the data
    assert growth("(delete-duplicates (append xs xs))", 1000) < 25


def test_flatten_has_no_depth_limit_and_refuses_a_tree_inside_itself():
    deep = "(define (nest k acc) (if (= k 0) acc (nest (- k 1) (list acc k))))"
    value = finishes(deep + "(length (flatten (nest 300000 '())))", seconds=60)
    assert value == 300000
    assert finishes("(flatten '(1 (2 . 3) () #(4) ((5))))") is not None
    assert write_string(finishes("(flatten '(1 (2 . 3) () #(4) ((5))))")) == "(1 2 3 #(4) 5)"
    error = finishes("(define t (list 1 (list 2))) (set-car! (cadr t) t) (flatten t)")
    assert error.message == "flatten: the tree contains itself"
