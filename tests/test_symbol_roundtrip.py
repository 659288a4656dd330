"""`write` of a symbol reads back as the same symbol: a name the reader would take for
something else (a number, `.`, a `#` syntax, a delimiter, whitespace, nothing at all) is
written in bars, and `display` writes the plain name."""

from __future__ import annotations

import gc
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interpreter import Interpreter

ROUND_TRIP = """
(define (round-trip name)
  (let* ((symbol (string->symbol name))
         (text (call-with-output-string (lambda (port) (write symbol port))))
         (back (read (open-input-string text))))
    (list text (eq? back symbol) (call-with-output-string (lambda (port) (display symbol port))))))
"""


@pytest.fixture(scope="module")
def round_trip():
    interp = Interpreter()
    interp.eval_scheme(ROUND_TRIP)
    return lambda name: interp.eval(f"(round-trip {_scheme_string(name)})")


def _scheme_string(text: str) -> str:
    return '"' + "".join(f"\\x{ord(c):x};" for c in text) + '"'


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("+i", "|+i|"),
        ("-i", "|-i|"),
        ("1+2i", "|1+2i|"),
        ("+inf.0i", "|+inf.0i|"),
        ("-2.5e3-i", "|-2.5e3-i|"),
        ("1@2", "|1@2|"),
        ("#x1/2i", "|#x1/2i|"),
        ("1", "|1|"),
        ("-1/2", "|-1/2|"),
        ("+nan.0", "|+nan.0|"),
        (".", "|.|"),
        ("", "||"),
        ("a b", "|a b|"),
        ("a|b", "|a\\|b|"),
        ("#foo", "|#foo|"),
        ("a;b", "|a;b|"),
        ("tab\there", "|tab\\x9;here|"),
        ("plain", "plain"),
        ("+", "+"),
        ("...", "..."),
        ("->x", "->x"),
        ("1+", "1+"),
        ("a#b", "a#b"),
        ("λ", "λ"),
    ],
)
def test_symbols_that_need_bars_get_them(round_trip, name, written):
    text, same, displayed = round_trip(name)
    assert (text, same, displayed) == (written, True, name)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(
        st.text(st.characters(exclude_categories=("Cs",)), max_size=8),
        st.text("+-.0123456789eiI@/#xXnaf|\\ ;()\"'`,", max_size=8),
    )
)
def test_written_symbols_read_back_as_themselves(round_trip, name):
    text, same, displayed = round_trip(name)
    assert same, f"{name!r} written as {text!r} does not read back"
    assert displayed == name


def test_symbols_no_value_holds_any_more_are_not_kept():
    """A program making symbols from data (here 30,000) must not keep them all alive."""
    interp = Interpreter()
    program = """(let loop ((i 0) (last #f))
      (if (< i 30000)
          (loop (+ i 1) (string->symbol (string-append "made-" (number->string i))))
          (list last (eq? last (string->symbol "made-29999")))))"""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        assert interp.eval(program) == ["made-29999", True]
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 1_000_000, f"{kept:,} bytes kept"
