"""A fuzzer for the reader: random text, and near-valid programs made by mutating the
programs in examples/ and stdlib/. Reading (`read_all`), checking
(`Interpreter().check`) and `read` from a port must only ever raise language errors,
never a Python exception, and `read` must agree with `read_all`.

A bounded run is part of the normal suite; set FUZZ_EXAMPLES for a longer one
(`FUZZ_EXAMPLES=20000 python -m pytest tests/test_reader_fuzz.py`).
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interpreter import Interpreter
from interpreter.errors import TaskschemeError
from interpreter.lang.datums import NIL
from interpreter.lang.printer import write_string
from interpreter.lang.reader import read_all

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = [
    path.read_text(encoding="utf-8")
    for path in sorted([*ROOT.glob("examples/*.scm"), *ROOT.glob("stdlib/*.scm")])
]
# Tokens, roughly: runs of name characters, strings, and every other character alone.
_PIECES = re.compile(r'"(?:[^"\\]|\\.)*"|[^\s()\[\]";\'`,]+|\s+|.', re.S)
INSERTS = [
    "(",
    ")",
    "[",
    "]",
    "'",
    "`",
    ",",
    ",@",
    "#",
    "|",
    '"',
    "\\",
    "#|",
    "|#",
    "#;",
    "#\\",
    "#(",
    "#u8(",
    ".",
    " . ",
    "#!fold-case",
    "#!no-fold-case",
    "#!",
    "#x",
    "#e",
    "#:",
    "\x00",
    "\x0b",
    "\x1c",
    "\r",
    "\u2028",
    "\ud800",
    "\\x",
    "\\x41;",
    "\\xD800;",
    "#\\x",
    "1/0",
    "+i",
    "1e400",
    "#e1e400",
    "...",
    ";",
    "\n",
]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=EXAMPLES or 150,
    deadline=timedelta(seconds=20),  # a hang, not a slow machine
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=not EXAMPLES,  # the bounded run is the same every time
)


@st.composite
def mutated_programs(draw) -> str:
    program = draw(st.sampled_from(PROGRAMS))
    pieces = _PIECES.findall(program)
    start = draw(st.integers(0, max(0, len(pieces) - 1)))
    pieces = pieces[start : start + draw(st.integers(1, 400))]
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(pieces)))
        action = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "insert"]))
        if action == "insert" or not pieces:
            pieces.insert(at, draw(st.sampled_from(INSERTS)))
            continue
        at = min(at, len(pieces) - 1)
        if action == "delete":
            del pieces[at]
        elif action == "duplicate":
            pieces.insert(at, pieces[at])
        else:
            other = draw(st.integers(0, len(pieces) - 1))
            pieces[at], pieces[other] = pieces[other], pieces[at]
    return "".join(pieces)


TEXTS = st.one_of(
    mutated_programs(),
    st.text(max_size=200),
    st.lists(st.sampled_from([*INSERTS, "a", "1", " "]), max_size=60).map("".join),
    st.binary(max_size=200).map(lambda data: data.decode("utf-8", "surrogateescape")),
)


def _read_or_language_error(text: str):
    try:
        return read_all(text, "<fuzz>")
    except TaskschemeError:
        return None


def _read_from_port(text: str) -> list[str] | None:
    """Each datum `read` takes from a string port holding `text`, as `write` shows it;
    None if a read fails (with a language error)."""
    interp = Interpreter()
    interp.define("fuzz-text", text)
    try:
        data = interp.eval_scheme(
            "(let ((port (open-input-string fuzz-text))) (let loop ((items '())) "
            "(let ((datum (read port))) (if (eof-object? datum) (reverse items) "
            "(loop (cons datum items))))))"
        )
    except TaskschemeError:
        return None
    return [write_string(datum) for datum in _items(data)]


def _items(data):
    while data is not NIL:
        yield data.car
        data = data.cdr


@FUZZ
@given(TEXTS)
def test_reading_raises_only_language_errors(text):
    data = _read_or_language_error(text)
    by_port = _read_from_port(text)
    if data is not None:
        assert by_port == [write_string(datum) for datum in data]


@FUZZ
@given(TEXTS)
def test_checking_raises_only_language_errors(text):
    errors = Interpreter().check(text, "<fuzz>")
    assert all(isinstance(error, TaskschemeError) for error in errors)
