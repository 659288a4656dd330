"""Programs that would run away (expand, analyze or recurse without end, or far too
long) end promptly with a clean language error. Each runs in a subprocess of the
`taskscheme` command with a timeout, so a regression fails instead of hanging."""

from __future__ import annotations

import gc
import subprocess
import sys
import time

import pytest

from interpreter import Interpreter
from interpreter.engine.stack import run_with_deep_stack
from interpreter.errors import SchemeSyntaxError, TaskschemeError


def run(expression: str, *options: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "interpreter", "eval", *options, expression],
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


SELF_EXPANDING = "(define-syntax m (syntax-rules () ((_ x) (m (x)))))"


@pytest.mark.parametrize(
    "use",
    ["(m 1)", "(list (m 1))", "(define (f) (m 1) 2)"],
    ids=["top-level", "argument", "body"],
)
def test_a_macro_that_expands_into_itself_is_stopped(use):
    result = run(f"{SELF_EXPANDING} {use}")
    assert_clean_error(result, "macro m expands more than 10,000 levels deep")


def nested(template: str, depth: int) -> str:
    """A Scheme expression that builds `template` nested `depth` deep around 0, as data
    (so the reader is not what is measured)."""
    return (
        f"(define (nest n) (if (= n 0) 0 {template.replace('HOLE', '(nest (- n 1))')}))"
        f" (define form (nest {depth}))"
    )


NESTINGS = {
    "calls": "(list '+ 1 HOLE)",
    "lets": "(list 'let (list (list 'x 1)) HOLE)",
    "lambdas": "(list (list 'lambda (list 'x) HOLE) 1)",
}


@pytest.mark.parametrize("template", NESTINGS.values(), ids=NESTINGS.keys())
def test_nesting_past_the_limit_is_a_syntax_error(template):
    interpreter = Interpreter()
    interpreter.eval_scheme(nested(template, 10_050))
    with pytest.raises(SchemeSyntaxError, match="forms nested more than 10,000 levels deep"):
        interpreter.eval_scheme("(eval form)")


def analysis_seconds(template: str, depth: int) -> float:
    """The least of three timings of evaluating `template` nested `depth` deep (analysis
    dominates: running it is a few operations per level)."""
    interpreter = Interpreter()
    interpreter.eval_scheme(nested(template, depth))
    timings = []
    # the collector's full passes cost what the whole test process holds, not what the
    # analysis does: they are kept out of the measurement
    gc.disable()
    try:
        for _ in range(3):
            start = time.perf_counter()
            interpreter.eval_scheme("(eval form)")
            timings.append(time.perf_counter() - start)
    finally:
        gc.enable()
    return min(timings)


@pytest.mark.parametrize("template", NESTINGS.values(), ids=NESTINGS.keys())
def test_analysis_of_nested_forms_grows_linearly(template):
    # 8 times deeper: about 8 times longer if linear (up to 15 on a busy machine), 64 if
    # quadratic
    small, large = analysis_seconds(template, 560), analysis_seconds(template, 4_500)
    assert large / small < 30


HANDLER_CHAIN = """
(define calls 0)
(define (f n)
  (if (= n 0)
      {failure}
      (+ 1 (with-exception-handler
             (lambda (e) (set! calls (+ calls 1)) (raise e))
             (lambda () (f (- n 1)))))))
"""


@pytest.mark.parametrize("failure", ["(raise 'boom)", "(car '())"], ids=["raise", "error"])
def test_each_handler_of_a_recursion_sees_an_error_once(failure):
    interpreter = Interpreter()
    interpreter.eval_scheme(HANDLER_CHAIN.format(failure=failure))
    with pytest.raises(TaskschemeError) as caught:
        interpreter.eval_scheme("(f 300)")
    assert interpreter.eval_scheme("calls") == 300
    assert len(caught.value.chain) < 4 * 300


def test_deep_recursion_error_keeps_no_copies_of_its_frames():
    interpreter = Interpreter()
    interpreter.eval_scheme("(define (f n) (if (= n 0) (car '()) (+ 1 (f (- n 1)))))")
    with pytest.raises(TaskschemeError) as caught:
        run_with_deep_stack(lambda: interpreter.eval_scheme("(f 20000)"), interpreter.interrupt)
    error = caught.value
    assert len(error.chain) > 20_000
    assert len({id(frame) for frame in error.chain}) < 10
    traceback_entries = 0
    entry = error.__traceback__
    while entry is not None:
        traceback_entries += 1
        entry = entry.tb_next
    assert traceback_entries < 100


def test_infinite_recursion_is_stopped_cleanly():
    result = run("(define (f n) (+ 1 (f n))) (f 1)", "--max-recursion-depth", "20000")
    assert_clean_error(result, "recursion too deep")


@pytest.mark.parametrize("limit", [2_000, 20_000])
def test_the_recursion_limit_is_the_configured_number_of_nested_calls(limit):
    """`--max-recursion-depth N`: N nested calls of a plain recursive procedure fit (give
    or take the evaluator's own few), and a quarter more do not."""
    program = "(define (g n) (if (= n 0) 0 (+ 1 (g (- n 1)))))"
    option = ("--max-recursion-depth", str(limit))
    fits = run(f"{program} (g {limit * 95 // 100})", *option)
    assert fits.returncode == 0, fits.stderr
    assert fits.stdout.strip() == str(limit * 95 // 100)
    assert_clean_error(run(f"{program} (g {limit * 5 // 4})", *option), "recursion too deep")
