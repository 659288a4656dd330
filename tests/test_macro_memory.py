"""Macro expansion keeps no process-wide state: what an expansion makes lives only as
long as the code that holds it.

The symbols a `syntax-rules` expansion introduces are fresh (uninterned) symbols. These
tests count the live ones: a table anywhere in the process that remembered them (as an
alias table once did) would keep them alive after their Interpreter or their code is
gone, and would grow with every macro use for as long as the process runs.
"""

from __future__ import annotations

import gc

from interpreter.engine.interpreter import Interpreter
from interpreter.lang.datums import Symbol, is_interned

USES = " ".join(
    f"(swap! x y) (when (my-or #f (> x {i}) (= y {i})) (set! n (+ n 1)))" for i in range(100)
)

# Macros with temporaries, a recursive one, a local one, and uses of them all.
PROGRAM = f"""
(define-syntax swap!
  (syntax-rules () ((_ a b) (let ((tmp a)) (set! a b) (set! b tmp)))))
(define-syntax my-or
  (syntax-rules () ((_) #f) ((_ e) e) ((_ e r ...) (let ((t e)) (if t t (my-or r ...))))))
(define (work x y)
  (define-syntax twice (syntax-rules () ((_ e) (begin e e))))
  (let ((n 0))
    (twice (begin {USES}))
    n))
(work 1 2)
"""

# A macro whose expansion defines a global of its own, which the program cannot name.
HIDDEN_GLOBAL = """
(define-syntax def-counter
  (syntax-rules ()
    ((_ next) (begin (define count 0) (define (next) (set! count (+ count 1)) count)))))
(def-counter next!)
(next!)
"""


def live_generated_symbols() -> int:
    """Symbols alive in the process that no program text can name."""
    gc.collect()
    return sum(1 for obj in gc.get_objects() if isinstance(obj, Symbol) and not is_interned(obj))


def test_a_dropped_interpreter_leaves_none_of_its_expansions_alive() -> None:
    Interpreter().eval(PROGRAM + HIDDEN_GLOBAL)  # warm-up: module-level state settles
    before = live_generated_symbols()

    interpreter = Interpreter()
    assert interpreter.eval(PROGRAM) == 2
    assert interpreter.eval(HIDDEN_GLOBAL) == 1
    assert live_generated_symbols() > before + 100  # the program's code holds its aliases
    del interpreter

    assert live_generated_symbols() == before


def test_code_replaced_in_a_running_interpreter_leaves_its_expansions_behind() -> None:
    interpreter = Interpreter()
    interpreter.eval(PROGRAM)
    once = live_generated_symbols()

    # any one replacement that kept its expansions would show: a few are enough
    for _ in range(3):
        assert interpreter.eval(PROGRAM) == 2  # redefines `work`: the old code is unreachable

    assert live_generated_symbols() == once
