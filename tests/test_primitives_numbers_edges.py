"""Numbers at the edges: exact numbers too large for a float, infinities, powers too large
to hold. Each gives a clean value or a clean language error, run as a program would."""

from __future__ import annotations

import time

import pytest
from tasks_support import settings

from interpreter import Interpreter
from interpreter.errors import TaskschemeError
from interpreter.lang.printer import write_string

HUGE = "-1" + "0" * 98 + "..."  # -10^400 as an error message abbreviates it


@pytest.fixture(scope="module")
def interp() -> Interpreter:
    return Interpreter(settings())


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("(exact->inexact (expt 10 400))", "+inf.0"),
        ("(exact->inexact (- (expt 10 400)))", "-inf.0"),
        ("(sqrt (expt 10 400))", "1" + "0" * 200),
        ("(sqrt (+ 1 (expt 10 400)))", "1e+200"),
        ("(number->string 1e400)", '"+inf.0"'),
        ('(string->number "1e400000")', "+inf.0"),
        ('(string->number "-1e400000")', "-inf.0"),
        ('(string->number "1e-400000")', "0.0"),
        ("(string-length (number->string (expt 10 5000)))", "5001"),
        # arithmetic with a float is inexact, and an exact number too large for a float
        # is infinite there, as exact->inexact makes it
        ("(* 1.0 (expt 10 400))", "+inf.0"),
        ("(+ (expt 10 400) 0.5)", "+inf.0"),
        ("(- 0.5 (expt 10 400))", "-inf.0"),
        ("(/ 2.0 (expt 10 400))", "0.0"),
        ("(/ (/ (expt 10 400) 3) 2.0)", "+inf.0"),
        ("(max 1.0 (expt 10 400))", "+inf.0"),
        ("(< 1e308 (expt 10 400))", "#t"),
        ("(expt 0.5 (expt 10 400))", "0.0"),
        ("(expt 2.0 (expt 10 400))", "+inf.0"),
        ("(expt -2.0 (+ 1 (expt 10 400)))", "-inf.0"),
        ("(expt -2.0 1025)", "-inf.0"),
        ("(expt -0.0 -1)", "-inf.0"),
        ("(expt (expt 10 400) -0.5)", "1.0000000000000348e-200"),
        ("(expt 1 (expt 10 400))", "1"),
        ("(expt -1 (+ 1 (expt 10 400)))", "-1"),
        ("(exp 1000)", "+inf.0"),
        ("(log (expt 10 400))", "921.0340371976182"),
        ("(atan (expt 10 400) 1)", "1.5707963267948966"),
        ("(round 1e400)", "+inf.0"),
        ("(exact 1e18)", "1000000000000000000"),
    ],
)
def test_values(interp: Interpreter, text: str, written: str) -> None:
    assert write_string(interp.eval_scheme(text)) == written


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        (
            "(expt 10 (expt 10 9))",
            "allocation-limit",
            "expt: the result would be too large: exact numbers are limited to",
        ),
        ("(expt 1/2 (expt 10 400))", "allocation-limit", "expt: the result would be too large"),
        ("(exact (/ 1.0 0))", "error", "exact: +inf.0 has no exact counterpart"),
        ("(exact +nan.0)", "error", "exact: +nan.0 has no exact counterpart"),
        (
            "(expt (- (expt 10 400)) 0.5)",
            "error",
            f"expt: (expt {HUGE} 0.5) has no real value, and taskscheme has no complex numbers",
        ),
        ("(expt -inf.0 0.5)", "error", "(expt -inf.0 0.5) has no real value"),
        ("(sqrt (- (expt 10 400)))", "error", f"sqrt: (sqrt {HUGE}) has no real value"),
        ("(number->string 1e400 2)", "error", "inexact numbers can only be written in radix 10"),
        # a million digits take seconds to write: a message shows the first ones only
        ("(car (- (expt 10 1000000)))", "type-error", f"expected a pair as argument 1, got {HUGE}"),
    ],
)
def test_errors(interp: Interpreter, text: str, kind: str, message: str) -> None:
    with pytest.raises(TaskschemeError) as caught:
        interp.eval_scheme(text)
    assert caught.value.kind == kind
    assert message in caught.value.message


def _seconds_to_run(interp: Interpreter, text: str) -> float:
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        interp.eval(text)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize(
    "conversion",
    ["(string-length (number->string n))", "(string->number (number->string n))"],
)
def test_long_integers_convert_to_and_from_decimal_in_less_than_quadratic_time(conversion):
    """One conversion is one C call that no deadline interrupts: in quadratic time, a
    million digits took 14 seconds past any max_seconds (27 to read back)."""
    interp = Interpreter()
    small, factor = 60_000, 8

    def seconds(digits: int) -> float:
        interp.eval(f"(define n (- (expt 7 {digits * 100 // 85}) 1))")
        return _seconds_to_run(interp, conversion)

    growth = seconds(small * factor) / seconds(small)
    assert growth < factor**2 / 2, f"{factor}x the digits took {growth:.0f}x as long"


def test_long_integers_written_and_read_back_are_equal():
    interp = Interpreter()
    program = """(let loop ((k 13000) (ok #t))
      (if (> k 13100) ok
          (let ((n (- (expt 2 k) (* k 7))))
            (loop (+ k 1) (and ok (= n (string->number (number->string n)))
                                  (= (- n) (string->number (number->string (- n)))))))))"""
    assert interp.eval(program) is True
    assert interp.eval("(number->string (expt 10 5000))") == "1" + "0" * 5000
    assert interp.eval('(string->number (string-append "-" (make-string 9000 #\\0) "12"))') == -12
