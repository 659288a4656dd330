"""Hostile uses of compiled procedure bodies (analyze/codegen.py, runtime.Body): what a
long-lived Interpreter keeps of them stays bounded, and a body compiled hot does what
its first call did."""

from __future__ import annotations

import itertools

from interpreter import Interpreter
from interpreter.lang.analyze import codegen


def test_compiling_many_shapes_of_body_keeps_a_bounded_number_of_them():
    """A session that evaluates ever new code (a REPL, a server) compiles ever new
    shapes: the compiled code kept for reuse must not grow with them."""
    interp = Interpreter()
    interp.eval("(define (g . a) a)")
    operands = ["x", "1", "(g x)", "(if x 1 2)", "(g 1 x)", "(+ x 1)", "(g (g x))"]
    operands += ["(if x (g) 2)", "(g x x x)", "(car (g x))", "(if (g) x (g x))"]
    combinations = itertools.islice(itertools.product(operands, repeat=3), 800)
    for combination in combinations:
        body = f"(g {' '.join(combination)})"
        assert interp.eval(f"(define (p x) {body}) (equal? (p 1) (p 1))") is True
    for kept in (codegen._code, codegen.weight):
        assert kept.cache_info().currsize <= codegen.SHAPES_KEPT
