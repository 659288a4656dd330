"""Every primitive and standard-library procedure, called with random arguments of every
kind, either returns promptly or fails with a language error: never a Python exception,
never a message spelled in Python (`NoneType`, `True`, `'int' object`, `int too large`).

Each example runs a real call through an Interpreter, so the error is the one a program
sees. The normal suite tries a few calls per procedure; `FUZZ_EXAMPLES=500 pytest
tests/test_primitives_sweep.py` tries that many per procedure.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tasks_support import settings as interpreter_settings

from interpreter import Interpreter
from interpreter.diagnostics import format_error
from interpreter.errors import InternalError, SchemeError, TaskschemeError
from interpreter.lang.primitives import all_primitives, numbers
from interpreter.lang.printer import write_string

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
PROMPTLY = 10.0  # seconds one call may take; real calls here take milliseconds

# Procedures the sweep does not call, each with the reason.
SKIPPED = {
    **dict.fromkeys(
        (
            "open-input-file",
            "open-output-file",
            "call-with-input-file",
            "call-with-output-file",
            "with-input-from-file",
            "with-output-to-file",
            "delete-file",
            "file-exists?",
            "file->lines",
            "file->string",
        ),
        "reads, writes or deletes the files its random string arguments name",
    ),
    **dict.fromkeys(
        ("%any-null?", "%cars", "%cdrs"),
        "the library's helper for map and friends, called after %check-lists; like any "
        "loop of the program, it runs until interrupted on a circular list of lists",
    ),
}

# Every kind of value a program can pass: (name, the expression that makes it). A value
# whose expression is a literal is written into the call itself (as a program writes it);
# the others are made fresh for each call, since the call may mutate them.
VALUES: list[tuple[str, str]] = [
    ("zero", "0"),
    ("one", "1"),
    ("minus-one", "-1"),
    ("seven", "7"),
    ("two-64", "18446744073709551616"),
    ("minus-two-64", "-18446744073709551616"),
    ("ten-400", "(expt 10 400)"),
    ("minus-ten-400", "(- (expt 10 400))"),
    ("ten-5000", "(expt 10 5000)"),
    ("ten-100000", "(expt 10 100000)"),
    ("half", "0.5"),
    ("minus-zero", "-0.0"),
    ("float", "1.5"),
    ("big-float", "1e308"),
    ("inf", "+inf.0"),
    ("minus-inf", "-inf.0"),
    ("nan", "+nan.0"),
    ("third", "1/3"),
    ("minus-seven-halves", "-7/2"),
    ("tiny", "(/ 1 (expt 10 400))"),
    ("empty-string", '""'),
    ("string", '"abc"'),
    ("non-ascii", '"héllo wörld ✓ λ 😀"'),
    ("number-text", '"1e400"'),
    ("format-text", '"~a ~s ~% ~"'),
    ("spaced", '"  a b\\tc  "'),
    ("mutable-string", '(string-copy "abc")'),
    ("empty-mutable-string", "(make-string 0)"),
    ("changed-string", '(let ((s (string-copy "héllo"))) (string-set! s 0 #\\j) s)'),
    ("char", "#\\a"),
    ("space-char", "#\\space"),
    ("null-char", "#\\x0"),
    ("last-char", "#\\x10FFFF"),
    ("non-ascii-char", "#\\é"),
    ("symbol", "'a"),
    ("odd-symbol", "'|two words|"),
    ("keyword", "#:k"),
    ("limit-keyword", "#:limit"),
    ("true", "#t"),
    ("false", "#f"),
    ("unspecified", "(if #f #f)"),
    ("void", "(void)"),
    ("eof", "(eof-object)"),
    ("empty-list", "'()"),
    ("list", "(list 1 2 3)"),
    ("mixed-list", '(list "b" #\\a 2.5 (quote c))'),
    ("alist", '(list (cons \'a 1) (cons "b" 2))'),
    ("nested-list", "(list (list 1 2) (list 3 (list 4)))"),
    ("improper-list", "(cons 1 (cons 2 3))"),
    ("pair", "(cons 1 2)"),
    ("circular-list", "(let ((xs (list 1 2 3))) (set-cdr! (cddr xs) xs) xs)"),
    ("long-list", "(iota 1000)"),
    ("empty-vector", "(vector)"),
    ("vector", '(vector 1 "a" #\\b)'),
    ("circular-vector", "(let ((v (vector 1 2))) (vector-set! v 0 v) v)"),
    ("empty-bytevector", "(bytevector)"),
    ("bytevector", "(bytevector 0 255 10)"),
    ("empty-hash-table", "(make-equal-hash-table)"),
    ("hash-table", '(alist->hash-table (list (cons \'a 1) (cons "b" 2)))'),
    ("record", "(make-point 1 2)"),
    ("primitive", "car"),
    ("identity", "(lambda (x) x)"),
    ("variadic", "(lambda args args)"),
    ("comparison", "(lambda (a b) (< a b))"),
    ("always-true", "(lambda args #t)"),
    ("raises-error", '(lambda args (error "boom" args))'),
    ("raises-value", "(lambda args (raise 'oops))"),
    ("host-raises", "%host-raises"),
    ("continuation", "(call/cc (lambda (k) k))"),
    ("promise", "(delay (+ 1 2))"),
    ("failing-promise", '(delay (error "broken promise"))'),
    ("made-promise", "(make-promise 5)"),
    ("parameter", "(make-parameter 10)"),
    ("converting-parameter", "(make-parameter 1 (lambda (x) (list x)))"),
    ("input-port", '(open-input-string "(1 2) x \\"s\\" #\\\\a")'),
    ("output-port", "(open-output-string)"),
    ("closed-port", '(let ((p (open-input-string "x"))) (close-port p) p)'),
    ("error-object", '(guard (e (#t e)) (error "message" 1 "two"))'),
]

# Spellings that only Python would use in a message.
PYTHON_SPELLINGS = (
    "NoneType",
    "True",
    "False",
    "'int'",
    "' object",
    "object at 0x",
    "Error:",
    "tuple",
    "dict",
    "list index",
    "__",
    "int too large",
    "codec",
    "Traceback",
)

_LITERAL_START = tuple("0123456789-+\"#'")


def _is_literal(expression: str) -> bool:
    return expression.startswith(_LITERAL_START) and not expression.startswith("(")


PRELUDE = "(define-record-type point (make-point x y) point? (x point-x) (y point-y))"


def _make_values(arguments: list[tuple[str, str]]) -> str:
    """Definitions of the arguments that are not literals, made afresh for each call."""
    made = {name: expression for name, expression in arguments if not _is_literal(expression)}
    return " ".join(f"(define %v-{name} {expression})" for name, expression in made.items())


def _argument(name: str, expression: str) -> str:
    return expression if _is_literal(expression) else f"%v-{name}"


def _call_text(procedure: str, arguments: list[tuple[str, str]]) -> str:
    """The call, with the current ports redirected to strings so nothing waits on stdin."""
    call = " ".join([procedure, *(_argument(*argument) for argument in arguments)])
    return (
        '(parameterize ((current-input-port (open-input-string "(a b) 1 \\"text\\""))\n'
        "               (current-output-port (open-output-string)))\n"
        f"  ({call}))"
    )


@pytest.fixture(scope="module", autouse=True)
def _in_a_scratch_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """File procedures called with names such as "abc" reach the working directory: make
    it a scratch one, not the checkout."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path_factory.mktemp("sweep"))
        yield


@pytest.fixture(scope="module")
def interp() -> Interpreter:
    interp = Interpreter(interpreter_settings(max_allocation=100_000))
    interp.eval_scheme(PRELUDE)
    interp.define("%host-raises", _host_raises)
    return interp


def _host_raises(*args: object) -> object:
    """An embedder's procedure that fails with a Python exception of its own."""
    raise ValueError("the host refused")


def _library_procedures() -> list[str]:
    """The procedures the standard library (stdlib/*.scm) defines."""
    interp = Interpreter(interpreter_settings())
    names = [symbol.name for symbol in interp.library.index]
    return [name for name in names if interp.eval_scheme(f"(procedure? {name})") is True]


PROCEDURES = sorted(set(all_primitives()) | set(_library_procedures()))
CALLED = [name for name in PROCEDURES if name not in SKIPPED]
ARGUMENTS = st.lists(st.sampled_from(VALUES), max_size=5)


def _run_promptly(interp: Interpreter, text: str) -> tuple[object, BaseException | None]:
    """The value of `text`, or the exception it raised; fails if it does not return."""
    outcome: list = [None, None]

    def run() -> None:
        try:
            outcome[0] = write_string(interp.eval_scheme(text))
        except BaseException as error:  # whatever came out, the test inspects it
            outcome[1] = error

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(PROMPTLY)
    if worker.is_alive():
        interp.interrupt()
        pytest.fail(f"did not return within {PROMPTLY} seconds: {text}")
    return outcome[0], outcome[1]


def _assert_language_error(text: str, error: BaseException) -> str:
    """`error` is a language error whose message has no Python in it; returns it shown."""
    assert isinstance(error, TaskschemeError), f"{text}\nraised {error!r}"
    assert not isinstance(error, InternalError), f"{text}\n{format_error(error)}"
    shown = format_error(error)
    leaks = [spelling for spelling in PYTHON_SPELLINGS if spelling in shown]
    assert not leaks, f"{text}\nshows {leaks}:\n{shown}"
    return shown


@pytest.mark.parametrize("procedure", CALLED)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(arguments=ARGUMENTS)
def test_calls_fail_only_with_language_errors(
    interp: Interpreter, procedure: str, arguments: list[tuple[str, str]]
) -> None:
    definitions = _make_values(arguments)
    if definitions:
        interp.eval_scheme(definitions)
    text = _call_text(procedure, arguments)
    _, error = _run_promptly(interp, text)
    if error is not None:
        _assert_language_error(text, error)


def test_every_procedure_is_called_or_skipped_for_a_reason() -> None:
    assert set(SKIPPED) <= set(PROCEDURES)
    assert {"car", "string-append", "map", "fold", "format"} <= set(CALLED)


HUGE = "1" + "0" * 99 + "..."  # 10^5000 and larger, as an error message abbreviates them
HOST_REFUSED = "%host-raises: the host refused"  # the error of the procedure that raised it

# Calls the sweep found failing with Python's words (or a Python exception, or taking
# a minute to report): each is now the language error shown.
FOUND = [
    ("(make-parameter 1 5)", "make-parameter: expected a procedure as argument 2, got 5"),
    ("(make-parameter 1 %host-raises)", HOST_REFUSED),
    ("((make-parameter 1) 2)", "a parameter object takes no arguments, got 1"),
    (
        '(%type-error 1 "a list" 2 3)',
        "%type-error: expected a symbol naming a procedure as argument 1, got 1",
    ),
    ("(%type-error 'f 'x 2 3)", "%type-error: expected a string saying what was expected"),
    ("(%check-list 'f '(1) #t)", "expected an exact positive integer argument position"),
    ("(%check-lists 'f (list '(1)) #\\a)", "as argument 3, got #\\a"),
    ('(%type-error \'f "x" 1 (expt 10 5000))', f"as argument {HUGE}, got 1"),
    ("(scheme->json '(1) (expt 10 400))", "expected an indent of 0 to 10 spaces"),
    ("(scheme->json (/ (expt 10 400) 3))", f"JSON has no representation for {HUGE}"),
    ("(integer->char (expt 10 5000))", f"integer->char: {HUGE} is not a Unicode"),
    ('(string-ref "abc" (expt 10 5000))', f"string-ref: index {HUGE} is out of range"),
    ('(string-copy "abc" (expt 10 5000))', f"start index {HUGE} is out of range"),
    ("(list-ref '(1 2) (expt 10 5000))", f"list-ref: index {HUGE} is out of range"),
    ("(utf8->string (bytevector 65) 0 (expt 10 5000))", f"range 0 to {HUGE} is out"),
    ("(vector-copy! (vector 1) (expt 10 5000) (vector 2))", f"to index {HUGE} overruns"),
    ("(json-ref (vector) (expt 10 5000))", f"json-ref: index {HUGE} is out of range"),
    ("(car (expt 10 1000000))", f"car: expected a pair as argument 1, got {HUGE}"),
    ("(call-with-output-string %host-raises)", HOST_REFUSED),
    ("(with-output-to-string %host-raises)", HOST_REFUSED),
    ('(call-with-port (open-input-string "") %host-raises)', HOST_REFUSED),
    ("(hash-table-walk (alist->hash-table '((a . 1))) %host-raises)", HOST_REFUSED),
    ("(hash-table-update!/default (make-equal-hash-table) 'k %host-raises 0)", HOST_REFUSED),
    ("(hash-table-ref (make-equal-hash-table) 'k %host-raises)", HOST_REFUSED),
]


@pytest.mark.parametrize(("text", "message"), FOUND)
def test_found_leaks_are_language_errors(interp: Interpreter, text: str, message: str) -> None:
    _, error = _run_promptly(interp, text)
    assert error is not None, text
    assert message in _assert_language_error(text, error)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("(rationalize (- (expt 10 400)) 1.5)", "-inf.0"),
        ('(read-string (expt 10 400) (open-input-string "abc"))', '"abc"'),
        ("(quotient (expt 10 5000) 1e308)", "+inf.0"),
        ("(denominator 5e-324)", "+inf.0"),
    ],
)
def test_found_leaks_now_give_values(interp: Interpreter, text: str, value: str) -> None:
    assert _run_promptly(interp, text) == (value, None)


def test_a_python_exception_inside_a_primitive_is_an_internal_error(
    interp: Interpreter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A primitive checks its arguments, so a Python exception from one is a bug of ours:
    shown as one, with the original kept for --debug, never as the program's mistake."""

    def broken(value: object) -> float:
        raise ValueError("math domain error")

    monkeypatch.setattr(numbers, "to_float", broken)
    with pytest.raises(InternalError) as caught:
        interp.eval_scheme("(exact->inexact 1)")
    assert caught.value.message.startswith("internal error in inexact: ValueError")
    assert isinstance(caught.value.original, ValueError)


def test_an_embedders_exception_keeps_its_message(interp: Interpreter) -> None:
    with pytest.raises(SchemeError) as caught:
        interp.eval_scheme("(%host-raises 1)")
    assert caught.value.message == HOST_REFUSED
