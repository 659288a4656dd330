"""A fuzzer for the evaluator: random well-formed programs, only language errors out.

Programs are random nestings of the core forms (if, let, lambda and its calls, begin,
set!, and, or, cond, named let, guard, dynamic-wind, call/cc) around calls of the pure
primitives (numbers, lists, strings, characters, vectors, hash tables, equivalence) on
random arguments (circular lists among them), with variables that may or may not be
bound. Each program runs under
small limits (steps, seconds, allocation); whatever it does, what comes out must be a
value or a language error (a TaskschemeError, not an internal error, its message with
no Python spelling in it).

The same programs also run as the body of a procedure called three times: its first call
runs the analyzed tree, later ones the body compiled hot (analyze/codegen.py), and all
three must give the same value or the same error at the same place.

A bounded, fixed run is part of the normal suite; set FUZZ_EXAMPLES for a longer random
one (tests/README.md).
"""

from __future__ import annotations

import os
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tasks_support import settings as interpreter_settings
from test_primitives_sweep import _assert_language_error

from interpreter import Interpreter
from interpreter.lang.primitives import all_primitives
from interpreter.lang.printer import write_string

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=EXAMPLES or 150,
    deadline=timedelta(seconds=20),  # a hang, not a slow machine
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=not EXAMPLES,  # the bounded run is the same every time
)

# The primitives a program may call here: pure ones, which touch no file, port or process.
PURE_MODULES = {"numbers", "lists", "strings", "chars", "vectors", "hashtables", "equivalence"}
PRIMITIVES = sorted(
    name
    for name, function in all_primitives().items()
    if function.__module__.rsplit(".", 1)[-1] in PURE_MODULES
)
LIBRARY = [
    "map",
    "for-each",
    "filter",
    "fold",
    "reduce",
    "assoc",
    "append",
    "reverse",
    "apply",
    "eval",
]

LITERALS = [
    "0",
    "1",
    "-1",
    "7",
    "18446744073709551616",
    "0.5",
    "-0.0",
    "+inf.0",
    "+nan.0",
    "1/3",
    '""',
    '"abc"',
    '"héllo ✓ 😀"',
    "#\\a",
    "#\\x0",
    "#t",
    "#f",
    "'()",
    "'(1 2 3)",
    "'(a . b)",
    "'sym",
    "#(1 2)",
    '(list 1 "two" \'three)',
    "(make-vector 3 0)",
    "(make-hash-table)",
    "(string #\\a #\\b)",
    "car",
    "+",
    "(lambda (a) a)",
    "(lambda a a)",
    "(let ((c (list 1 2))) (set-cdr! (cdr c) c) c)",
    "(let ((c (list (cons 'a 1)))) (set-cdr! c c) c)",
    "(let ((c (list 1))) (set-car! c c) c)",
    "`(0 ,@(let ((c (list 1 2))) (set-cdr! (cdr c) c) c))",
]
NAMES = ["x", "y", "z"]


def _expressions(depth: int) -> st.SearchStrategy[str]:
    leaf = st.one_of(st.sampled_from(LITERALS), st.sampled_from(NAMES))
    if depth == 0:
        return leaf
    inner = _expressions(depth - 1)
    name = st.sampled_from(NAMES)
    call = st.builds(
        lambda f, args: f"({f}{''.join(' ' + a for a in args)})",
        st.sampled_from(PRIMITIVES + LIBRARY),
        st.lists(inner, max_size=3),
    )
    forms = [
        st.builds("(if {} {} {})".format, inner, inner, inner),
        st.builds("(let (({} {})) {})".format, name, inner, inner),
        st.builds("((lambda ({}) {}) {})".format, name, inner, inner),
        st.builds("(begin {} {})".format, inner, inner),
        st.builds("(set! {} {})".format, name, inner),
        st.builds("(and {} {})".format, inner, inner),
        st.builds("(or {} {})".format, inner, inner),
        st.builds("(cond ({} {}) (else {}))".format, inner, inner, inner),
        st.builds(
            "(let loop (({} {}) (n 3)) (if (> n 0) (loop {} (- n 1)) {}))".format,
            name,
            inner,
            inner,
            name,
        ),
        st.builds("(guard (e (#t (list 'caught e))) {})".format, inner),
        st.builds(
            "(dynamic-wind (lambda () {}) (lambda () {}) (lambda () {}))".format,
            inner,
            inner,
            inner,
        ),
        st.builds("(call/cc (lambda (k) (k {}) {}))".format, inner, inner),
    ]
    return st.one_of(leaf, call, call, *forms)


PROGRAMS = st.integers(1, 4).flatmap(_expressions)


def _interpreter() -> Interpreter:
    return Interpreter(
        interpreter_settings(max_steps=20_000, max_seconds=10, max_allocation=100_000)
    )


INTERP = _interpreter()


@FUZZ
@given(PROGRAMS)
def test_random_programs_fail_only_with_language_errors(program):
    text = f'(define x 1) (define y "s") (define z \'(1 2)) {program}'
    try:
        INTERP.eval_scheme(text)
    except Exception as error:  # whatever came out, the test inspects it
        _assert_language_error(text, error)


# A procedure whose body is the program: its parameters are read in place (the innermost
# frame) or one and more frames out, the shapes a hot body compiles differently.
PROCEDURES = [
    "(define (p x y z) {})",
    "(define (p x y z) (define (q x) {}) (q x))",
    "(define (p x y z) (let ((w x)) (define (q z) {}) (q z)))",
]


def _outcome(interp: Interpreter, text: str) -> str:
    try:
        return "value " + write_string(interp.eval_scheme(text))
    except Exception as error:  # whatever came out, the test inspects it
        _assert_language_error(text, error)
        return f"{type(error).__name__}: {error.message} at {error.span}"


@settings(FUZZ, max_examples=EXAMPLES or 100)
@given(PROGRAMS, st.sampled_from(PROCEDURES))
def test_a_hot_body_does_what_its_first_call_did(program, procedure):
    interp = _interpreter()
    interp.eval_scheme(procedure.format(program))
    outcomes = [_outcome(interp, '(p 1 "s" (list 1 2))') for _ in range(3)]
    assert outcomes == [outcomes[0]] * 3, procedure.format(program)
