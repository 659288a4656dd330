"""The evaluator's compiled fast paths (analyze/codegen.py) behave exactly as the general
path: arithmetic on two integers computed in place, constants and variables read in
place, `if` reading its test and branches in place, and a procedure's body, compiled
with its calls taken in from its second call on, doing what its first call did."""

from __future__ import annotations

import threading
from fractions import Fraction

import pytest

from interpreter.engine.interpreter import Interpreter
from interpreter.errors import TaskschemeError, UnboundVariableError


def run(program: str):
    return Interpreter().eval(program)


def test_a_redefined_operator_is_called_not_computed_in_place():
    program = """
    (define (f x) (if (< x 2) (+ x 1) (- x 1)))
    (define before (list (f 1) (f 5)))
    (set! + (lambda (a b) 'plus))
    (set! < (lambda (a b) #f))
    (define (- a b) 'minus)
    (list before (f 1) (f 5))
    """
    assert run(program) == [[2, 4], "minus", "minus"]


def test_a_local_operator_named_like_a_primitive_is_called():
    assert run("(define (f + x) (+ x 1)) (f (lambda (a b) (* a 10)) 4)") == 40


@pytest.mark.parametrize(
    ("program", "value"),
    [
        ("(define (f x) (+ x 1)) (f 1.5)", 2.5),
        ("(define (f x) (* x 2)) (f 1/3)", Fraction(2, 3)),
        ("(define (f x) (< x 2)) (f 1.5)", True),
        ("(define (f x) (= x 2)) (f 2.0)", True),
        ("(define (f x) (- x 1)) (f #t)", None),
        ("(define (f x) (+ 1 x)) (f (expt 2 100))", 2**100 + 1),
    ],
)
def test_other_numbers_and_wrong_types_take_the_general_path(program, value):
    if value is None:
        with pytest.raises(TaskschemeError, match="-"):
            run(program)
    else:
        assert run(program) == value


def test_an_error_in_an_inlined_call_points_at_that_call():
    program = "(define (f x)\n  (if (< x 'a) 1 2))\n(f 1)"
    with pytest.raises(TaskschemeError) as caught:
        run(program)
    span = caught.value.span
    assert (span.line, span.col) == (2, 7)
    assert "<" in caught.value.message


def test_a_local_read_in_place_before_its_definition_is_the_usual_error():
    program = "(define (g) (define a (+ b 1)) (define b 2) a) (g)"
    with pytest.raises(UnboundVariableError, match="b is used before its definition") as caught:
        run(program)
    assert caught.value.span.col == 26


def test_if_reads_constant_and_local_branches_in_place():
    assert run("(define (f x y) (if (> x y) x 'smaller)) (list (f 3 2) (f 1 2))") == [
        3,
        "smaller",
    ]
    assert run("(define (f x) (if x 'yes)) (list (f #f) (f 0))") == [None, "yes"]


def test_arithmetic_in_a_call_of_many_arguments_keeps_its_meaning():
    program = """
    (define (f a b c d) (list a b c d))
    (define (g x) (f (+ x 1) (- x 1) (* x 2) (< x 3)))
    (define before (g 5))
    (set! * (lambda (a b) 'times))
    (list before (g 5))
    """
    assert run(program) == [[6, 4, 10, False], [6, 4, "times", False]]


# Procedures whose bodies take in calls, `if`s and sequences when compiled: each is
# called several times, so the first call runs the tree and the later ones the compiled
# body; every call must give the same value, or the same error at the same place.
PROCEDURES = """
(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))
(define (walk tree) (cond ((null? tree) 0) ((pair? tree) (+ (walk (car tree)) (walk (cdr tree)))) (else 1)))
(define (noisy x) (display x) (newline) (* x x))
(define (divide a b) (if (> a 0) (quotient a b) (car b)))
(define (spread a b c d e f g) (list (+ a b) (- c d) (* e f) g))
(define (ask f x) (if (procedure? f) (f x) (f)))
"""

CALLS = [
    "(fib 10)",
    "(walk '((1 2) (3 (4 5)) 6))",
    "(noisy 7)",
    "(divide 7 2)",
    "(divide 7 0)",
    "(divide -1 2)",
    "(spread 1 2 3 4 5 6 7)",
    "(ask car '(1 2))",
    "(ask 5 1)",
    "(fib 'x)",
]


def _outcome(interp, call):
    try:
        return ("value", interp.eval(call))
    except TaskschemeError as error:
        span = (error.span.line, error.span.col) if error.span else None
        return ("error", error.message, span, [(f.name, f.via) for f in error.chain])


@pytest.mark.parametrize("call", CALLS)
def test_a_body_does_the_same_before_and_after_it_is_compiled(call):
    interp = Interpreter()
    interp.eval(PROCEDURES)
    outcomes = [_outcome(interp, call) for _ in range(3)]
    assert outcomes[0] == outcomes[1] == outcomes[2]


def test_a_compiled_body_still_calls_a_redefined_operator():
    program = """
    (define (f x) (if (< x 2) (+ x 1) (g (- x 1))))
    (define (g x) (* x 10))
    (define first (list (f 1) (f 5) (f 5)))
    (set! + (lambda (a b) 'plus))
    (set! g (lambda (x) 'g))
    (list first (f 1) (f 5))
    """
    assert run(program) == [[2, 40, 40], "plus", "g"]


def test_threads_calling_a_new_procedure_at_once_all_get_its_value():
    """The first calls of a procedure, from many threads at once, race to compile its
    body: every one of them still runs it."""
    for _ in range(20):
        assert _calls_at_once(8) == [55] * 8


def _calls_at_once(count: int) -> list:
    interp = Interpreter()
    interp.eval("(define (f n) (if (< n 2) n (+ (f (- n 1)) (f (- n 2)))))")
    start = threading.Barrier(count)
    results = []

    def call():
        start.wait()
        results.append(interp.call("f", 10))

    threads = [threading.Thread(target=call) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
