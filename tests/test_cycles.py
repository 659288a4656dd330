"""A circular list given where a procedure walks a list is a language error naming the
procedure, found as the walk meets the cycle: never a loop without end, never memory
filled until the machine gives out."""

from __future__ import annotations

import subprocess
import sys

import pytest
from tasks_support import interpreter

from interpreter.errors import SchemeError

CYCLE = "(define c (list 1 2 3)) (set-cdr! (cddr c) c)"
CYCLIC_ALIST = '(define w (list (cons \'topic "x"))) (set-cdr! w w)'

CALLS = [
    ("(parallel-map (lambda (x) x) c)", "parallel-map: expected a proper list as argument 2"),
    ("(environment c)", "environment: expected a proper list"),
    ("`(a ,@c)", "unquote-splicing: expected a proper list"),
    ("`#(a ,@c b)", "unquote-splicing: expected a proper list"),
    ('(memory-lookup "x" #:where w)', "memory-lookup: expected a proper list as #:where"),
    ('(llm "hi" #:tools c)', "llm: expected a proper list as #:tools"),
    ('(define-task (t x) #:tools c "about {x}") (t 1)', "t: expected a proper list as #:tools"),
    ('(make-task \'t c "hi")', "make-task: expected a proper list as argument 2"),
    ("((make-task 't '(x) \"{x}\" #:context c) 1)", "t: expected a proper list as #:context"),
    ('(make-tool \'t "about" c car)', "make-tool: expected a proper list as argument 3"),
    ("(metrics-ref w 'topic 'more)", "metrics-ref: expected a proper list as argument 1"),
    ("(metrics-ref (list (cons 'a w)) 'a 'b)", "metrics-ref: expected a proper list as the value"),
    ("(apply + c)", "apply: expected a proper list as argument 2"),
]


@pytest.mark.parametrize(("call", "message"), CALLS)
def test_a_circular_list_is_an_error_naming_the_procedure(call, message):
    with pytest.raises(SchemeError) as caught:
        interpreter().eval_scheme(f"{CYCLE} {CYCLIC_ALIST} {call}")
    assert caught.value.message.startswith(message)
    assert caught.value.message.endswith("got a circular list")


def test_a_proper_list_still_goes_through():
    interp = interpreter()
    assert interp.eval("(define c (list 1 2)) `(a ,@c b)") == ["a", 1, 2, "b"]
    assert interp.eval("(parallel-map (lambda (x) (* x x)) c)") == [1, 4]
    assert interp.eval("(metrics-ref (list (cons 'a 1) (cons 'b 2)) 'b)") == 2


def test_the_cli_reports_the_cycle_and_nothing_else(tmp_path):
    program = tmp_path / "cycle.scm"
    program.write_text(f"{CYCLE}\n(parallel-map (lambda (x) x) c)\n")
    done = subprocess.run(
        [sys.executable, "-m", "interpreter", "run", str(program)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode != 0
    assert "parallel-map: expected a proper list as argument 2, got a circular list" in done.stderr
    assert "Traceback" not in done.stderr
