"""`read` from a port: it reads only as much text as the datum needs, so reading one large
datum, or many small ones, costs time in proportion to the text, and a port keeps what
follows the datum for the next read."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from interpreter import Interpreter
from interpreter.lang.printer import write_string

READ_ALL = """
(define (read-all port)
  (let loop ((n 0))
    (if (eof-object? (read port)) n (loop (+ n 1)))))
"""


def _seconds(action) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def _growth(program_for, small: int, factor: int) -> float:
    """How much longer the program takes when its input is `factor` times larger."""
    interp = Interpreter()
    interp.eval_scheme(READ_ALL)
    interp.eval_scheme(program_for(small))  # warm up: parser, library
    return _seconds(lambda: interp.eval_scheme(program_for(small * factor))) / _seconds(
        lambda: interp.eval_scheme(program_for(small))
    )


def _one_datum_of_lines(lines: int) -> str:
    text = "(" + "\n".join(f'(item {i} "text {i}")' for i in range(lines)) + ")"
    return f"(length (read (open-input-string {write_string(text)})))"


def _many_datums(count: int) -> str:
    text = " ".join(f"(item {i})" for i in range(count))
    return f"(read-all (open-input-string {write_string(text)}))"


@pytest.mark.parametrize(
    "program_for", [_one_datum_of_lines, _many_datums], ids=["one-long-datum", "many-datums"]
)
def test_read_takes_time_in_proportion_to_the_text(program_for):
    """8 times the text: linear is about 8 times the time; quadratic would be 64."""
    assert _growth(program_for, 200, 8) < 24


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(a\n b\n c) rest", "((a b c) rest)"),
        ("abc", "(abc)"),
        ('"a string\nover lines" 2', '("a string\\nover lines" 2)'),
        ("#| comment\n|# x ; more\n y", "(x y)"),
        ("#;(skipped\n datum) kept", "(kept)"),
        ("'quoted\n(1 . 2)", "((quote quoted) (1 . 2))"),
        ("#!fold-case ABC DEF #!no-fold-case GHI", "(abc def GHI)"),
        ("|bar sym| #\\x41 #t #:kw #x1F", "(|bar sym| #\\A #t #:kw 31)"),
        ("   ; only a comment\n", "()"),
    ],
)
def test_read_gives_each_datum_in_turn(text, expected):
    program = f"(let ((port (open-input-string {write_string(text)}))) (let loop ((items '())) (let ((datum (read port))) (if (eof-object? datum) (reverse items) (loop (cons datum items))))))"
    assert write_string(Interpreter().eval_scheme(program)) == expected


def test_read_leaves_the_rest_for_other_procedures():
    program = '(let ((port (open-input-string "(a b) tail of line\\nnext"))) (list (read port) (read-line port) (read-line port)))'
    assert write_string(Interpreter().eval_scheme(program)) == '((a b) " tail of line" "next")'


def test_a_long_atom_split_by_the_window_is_read_whole():
    program = (
        '(symbol->string (read (open-input-string (string-append (make-string 100000 #\\a) " b"))))'
    )
    assert len(Interpreter().eval_scheme(program)) == 100_000


def test_read_from_a_pipe_returns_once_the_datum_has_arrived():
    """An interactive `read` must not wait for more input than its datum: the program
    answers the first datum before the second is sent."""
    program = "(let loop () (let ((d (read))) (unless (eof-object? d) (write d) (newline) (flush-output-port) (loop))))"
    child = subprocess.Popen(
        [sys.executable, "-m", "interpreter", "eval", program],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        child.stdin.write("(x\n y) (partial\n")
        child.stdin.flush()
        answered = _line_within(child.stdout, seconds=60)
        child.stdin.write(" done)\n")
        child.stdin.close()
        rest = child.stdout.read()
    finally:
        child.kill()
        child.wait()
    assert answered == "(x y)\n"
    assert rest == "(partial done)\n"


def _line_within(stream, seconds: float) -> str | None:
    """The next line of `stream`, or None if none comes in time."""
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(seconds)
    return lines[0] if lines else None
