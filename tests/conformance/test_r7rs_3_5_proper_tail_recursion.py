"""R7RS 3.5: proper tail recursion, and deep non-tail recursion.

Constant stack is checked directly: each program recurses through one tail context,
and at its base case asks `(stack-depth)`, the number of Python frames in use. A loop
of 1000 iterations must end at the same depth as a loop of 10.
"""

import subprocess
import sys
import textwrap

import pytest
from casekit import cases

from interpreter.engine.interpreter import Interpreter


def _stack_depth() -> int:
    frame, depth = sys._getframe(), 0
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth


def base_case_depth(program: str, n: int) -> int:
    interpreter = Interpreter()
    interpreter.define("stack-depth", _stack_depth)
    return interpreter.eval(f"{program} (f {n})")


# Each program defines (f n), which reaches (stack-depth) when n is 0 and otherwise
# calls itself (directly or through g) with n - 1 from the named tail context.
TAIL_CONTEXTS = [
    ("if", "(define (f n) (if (= n 0) (stack-depth) (f (- n 1))))"),
    ("cond", "(define (f n) (cond ((= n 0) (stack-depth)) (else (f (- n 1)))))"),
    ("cond-arrow", "(define (f n) (cond ((= n 0) (stack-depth)) ((- n 1) => f)))"),
    ("case", "(define (f n) (case n ((0) (stack-depth)) (else (f (- n 1)))))"),
    (
        "case-arrow",
        "(define (f n) (case n ((0) (stack-depth)) (else => (lambda (m) (f (- m 1))))))",
    ),
    ("and", "(define (f n) (if (= n 0) (stack-depth) (and #t (f (- n 1)))))"),
    ("or", "(define (f n) (if (= n 0) (stack-depth) (or #f (f (- n 1)))))"),
    ("when", "(define (f n) (if (= n 0) (stack-depth) (when #t (f (- n 1)))))"),
    ("unless", "(define (f n) (if (= n 0) (stack-depth) (unless #f (f (- n 1)))))"),
    ("let", "(define (f n) (if (= n 0) (stack-depth) (let ((m (- n 1))) (f m))))"),
    ("let-star", "(define (f n) (if (= n 0) (stack-depth) (let* ((m (- n 1))) (f m))))"),
    ("letrec", "(define (f n) (if (= n 0) (stack-depth) (letrec ((m (- n 1))) (f m))))"),
    ("let-values", "(define (f n) (if (= n 0) (stack-depth) (let-values (((m) (- n 1))) (f m))))"),
    (
        "let-star-values",
        "(define (f n) (if (= n 0) (stack-depth) (let*-values (((m) (- n 1))) (f m))))",
    ),
    ("receive", "(define (f n) (if (= n 0) (stack-depth) (receive (m) (- n 1) (f m))))"),
    ("begin", "(define (f n) (if (= n 0) (stack-depth) (begin 1 (f (- n 1)))))"),
    (
        "do-result",
        "(define (f n) (if (= n 0) (stack-depth) (do ((i 0 (+ i 1))) ((= i 1) (f (- n 1))))))",
    ),
    ("named-let", "(define (f n) (let loop ((i n)) (if (= i 0) (stack-depth) (loop (- i 1)))))"),
    ("do-loop", "(define (f n) (do ((i n (- i 1))) ((= i 0) (stack-depth))))"),
    ("internal-define-body", "(define (f n) (define m (- n 1)) (if (< m 0) (stack-depth) (f m)))"),
    (
        "case-lambda",
        "(define f (case-lambda ((n) (if (= n 0) (stack-depth) (f (- n 1) 'x))) ((n x) (f n))))",
    ),
    (
        "optional-parameters",
        "(define (f n #:optional (k 1)) (if (= n 0) (stack-depth) (f (- n k))))",
    ),
    ("rest-parameters", "(define (f n . rest) (if (= n 0) (stack-depth) (f (- n 1) 'x)))"),
    (
        "mutual-recursion",
        "(define (f n) (if (= n 0) (stack-depth) (g (- n 1)))) (define (g n) (f n))",
    ),
    ("apply", "(define (f n) (if (= n 0) (stack-depth) (apply f (list (- n 1)))))"),
    (
        "call-with-values",
        "(define (f n) (if (= n 0) (stack-depth) (call-with-values (lambda () (- n 1)) f)))",
    ),
    ("let-syntax", "(define (f n) (if (= n 0) (stack-depth) (let-syntax () (f (- n 1)))))"),
    (
        "macro-use",
        "(define-syntax my-if (syntax-rules () ((_ c a b) (cond (c a) (else b)))))"
        " (define (f n) (my-if (= n 0) (stack-depth) (f (- n 1))))",
    ),
    ("lambda-call", "(define (f n) (if (= n 0) (stack-depth) ((lambda (m) (f m)) (- n 1))))"),
]


@pytest.mark.parametrize(
    "program", [p for _, p in TAIL_CONTEXTS], ids=[i for i, _ in TAIL_CONTEXTS]
)
def test_tail_context_runs_in_constant_stack(program):
    assert base_case_depth(program, 1000) == base_case_depth(program, 10)


def test_non_tail_recursion_is_detected_by_the_depth_check():
    """The check above is meaningful: a non-tail call grows the stack."""
    program = "(define (f n) (if (= n 0) (stack-depth) (+ 0 (f (- n 1)))))"
    assert base_case_depth(program, 100) > base_case_depth(program, 10)


LOOPS = [
    (
        "million-iteration-tail-loop",
        "(define (loop n acc) (if (= n 0) acc (loop (- n 1) (+ acc 1)))) (loop 1000000 0)",
        1000000,
    ),
    (
        "mutual-recursion-100000",
        "(define (ev? n) (if (= n 0) #t (od? (- n 1)))) (define (od? n) (if (= n 0) #f (ev? (- n 1))))"
        " (list (ev? 100000) (od? 100001))",
        [True, True],
    ),
    (
        "named-let-100000",
        "(let loop ((i 0) (acc '())) (if (= i 100000) (length acc) (loop (+ i 1) (cons i acc))))",
        100000,
    ),
    ("do-loop-100000", "(do ((i 0 (+ i 1)) (sum 0 (+ sum i))) ((= i 100000) sum))", 4999950000),
    (
        "deep-non-tail-recursion-api",
        "(define (len l) (if (null? l) 0 (+ 1 (len (cdr l))))) (len (iota 100000))",
        100000,
    ),
]


@cases(LOOPS)
def test_long_loops_and_deep_recursion(program, expected):
    assert Interpreter().eval(program) == expected


DEEP_PROGRAM = """\
(define (len l) (if (null? l) 0 (+ 1 (len (cdr l)))))
(display "start")
(newline)
(display (len (iota 100000)))
(newline)
"""


def run_cli(tmp_path, source: str, *options: str) -> subprocess.CompletedProcess:
    path = tmp_path / "program.scm"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "interpreter", "run", *options, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deep_non_tail_recursion_through_the_cli(tmp_path):
    result = run_cli(tmp_path, DEEP_PROGRAM)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "start\n100000\n"


def test_recursion_too_deep_is_a_clear_error(tmp_path):
    result = run_cli(tmp_path, DEEP_PROGRAM, "--max-recursion-depth", "1000")
    assert result.returncode == 1
    assert result.stdout == "start\n"
    assert "recursion-too-deep: recursion too deep" in result.stderr
    assert "program.scm:1:38:" in result.stderr  # the recursive call (len (cdr l))
    assert "in len at" in result.stderr
    assert "more call(s) of the same" in result.stderr
    assert "Traceback" not in result.stderr
    assert "RecursionError" not in result.stderr
