"""Programs that would run away (expand, analyze or recurse without end, or far too
long) end promptly with a clean language error. Each runs in a subprocess of the
`taskscheme` command with a timeout, so a regression fails instead of hanging."""

from __future__ import annotations

import subprocess
import sys

import pytest


def run(expression: str, *options: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "interpreter", *options, "eval", expression],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_clean_error(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode == 1, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "expression",
    [
        "(eval (let ((l (list 1 2))) (set-cdr! (cdr l) l) l))",
        "(eval (let ((l (list 'list 1 2))) (set-car! (cddr l) l) l))",
        "(eval (let ((l (list 'quote 1))) (set-cdr! (cdr l) l) l))",
    ],
    ids=["tail", "element", "quoted"],
)
def test_eval_of_a_circular_expression(expression):
    assert_clean_error(run(expression), "eval: the expression contains itself")
