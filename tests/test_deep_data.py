"""Data nested 100,000 deep: JSON both ways and conversion to Python end in a clean
language error or a result, never a crash (deep C recursion would kill the process)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from interpreter import Interpreter
from interpreter.errors import SchemeError
from interpreter.lang.reader import MAX_NESTING_DEPTH

DEEP_LIST = "(let loop ((i 0) (acc '())) (if (= i 100000) acc (loop (+ i 1) (list acc))))"

PROGRAMS = [
    ("json-in", "(json->scheme (make-string 100000 #\\[))", "JSON nested more than 10000 deep"),
    (
        "json-in-objects",
        '(json->scheme (apply string-append (make-list 100000 "{\\"a\\": ")))',
        "at line 1 column 60001",
    ),
    ("json-out", f"(scheme->json {DEEP_LIST})", "data nested more than 10000 deep"),
    ("json-out-vectors", f"(scheme->json (list->vector (list {DEEP_LIST})))", "nested more than"),
]


@pytest.mark.parametrize(("program", "message"), [pytest.param(p, m, id=i) for i, p, m in PROGRAMS])
def test_deep_json_on_the_command_line_is_a_clean_error(program: str, message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "interpreter", "eval", program],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("program", "message"), [pytest.param(p, m, id=i) for i, p, m in PROGRAMS])
def test_deep_json_through_the_api_is_a_clean_error(program: str, message: str) -> None:
    with pytest.raises(SchemeError, match=message):
        Interpreter().eval_scheme(program)


def test_json_as_deep_as_the_limit_reads_and_writes() -> None:
    depth = MAX_NESTING_DEPTH
    text = "[" * depth + "]" * depth
    assert Interpreter().eval(f'(scheme->json (json->scheme "{text}"))') == text


def test_huge_integers_are_a_clean_json_error() -> None:
    with pytest.raises(SchemeError, match=r"has 5001 digits; JSON text holds integers of at most"):
        Interpreter().eval_scheme("(scheme->json (expt 10 5000))")
    assert Interpreter().eval("(scheme->json (expt 10 4000))") == "1" + "0" * 4000


def test_deep_data_converts_to_python() -> None:
    value = Interpreter().eval(DEEP_LIST)
    depth = 0
    while value:
        (value,) = value
        depth += 1
    assert depth == 100_000


def test_hash_table_with_list_keys_converts_to_python() -> None:
    program = "(define h (make-hash-table)) (hash-table-set! h '(1 (2)) 'v) h"
    assert Interpreter().eval(program) == {(1, (2,)): "v"}
