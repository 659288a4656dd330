"""Interpreters share nothing mutable, and creating or running one changes nothing in
the process that outlives it."""

from __future__ import annotations

import sys
import threading

import pytest
from tasks_support import interpreter

from interpreter.errors import SchemeError, UnboundVariableError
from interpreter.providers import ScriptedModel


def test_creating_and_running_an_interpreter_leaves_the_recursion_limit_alone():
    before = sys.getrecursionlimit()
    interp = interpreter()
    assert sys.getrecursionlimit() == before
    depth = interp.eval("(define (down n) (if (= n 0) 0 (+ 1 (down (- n 1))))) (down 5000)")
    assert depth == 5000
    assert sys.getrecursionlimit() == before


def test_the_recursion_limit_stays_raised_while_another_evaluation_runs():
    """One evaluation ending must not lower the limit under another still running."""
    before = sys.getrecursionlimit()
    slow, fast = interpreter(), interpreter()
    entered, release = threading.Event(), threading.Event()

    def pause() -> int:
        entered.set()
        release.wait(10)
        return 0

    slow.define("pause", pause)
    result: dict[str, int] = {}
    program = "(define (down n) (if (= n 0) (pause) (+ 1 (down (- n 1))))) (down 3000)"
    worker = threading.Thread(target=lambda: result.setdefault("depth", slow.eval(program)))
    worker.start()
    assert entered.wait(10)
    assert fast.eval("(+ 1 2)") == 3
    assert sys.getrecursionlimit() > before  # the slow one is still 3,000 calls deep
    release.set()
    worker.join(10)
    assert result["depth"] == 3000
    assert sys.getrecursionlimit() == before


def test_definitions_and_macros_of_one_interpreter_are_not_seen_by_another():
    first, second = interpreter(), interpreter()
    first.eval(
        "(define-syntax swap! (syntax-rules () ((_ a b) (let ((t a)) (set! a b) (set! b t)))))"
    )
    first.eval("(define secret 42)")
    assert first.eval("(define x 1) (define y 2) (swap! x y) (list x y)") == [2, 1]
    with pytest.raises(UnboundVariableError):
        second.eval("secret")
    with pytest.raises(UnboundVariableError):
        second.eval("(define x 1) (define y 2) (swap! x y)")


def test_working_memory_of_one_interpreter_is_not_seen_by_another():
    """A task of the second Interpreter, run from inside the first one's with-context,
    does not see the first one's working memory."""
    inner = interpreter(ScriptedModel(["done"]))
    inner.eval('(define-task (summarize) #:context (quote (notes)) "Summarize: {{notes}}")')
    outer = interpreter()
    outer.define("run-inner", lambda: inner.eval("(summarize)"))
    with pytest.raises(SchemeError, match="working-memory key notes is not in scope"):
        outer.eval('(with-context ((notes "private")) (run-inner))')
    assert outer.eval('(with-context ((notes "private")) (context-ref (quote notes)))') == (
        "private"
    )
