"""Limits a host sets on computation: a step budget (fuel) and a deadline.

A step is the start of a compound procedure's body: every call of a procedure written in
the language, and every turn of a loop (loops are tail calls), is one. When `max_steps`
is set, each procedure carries the run's Meter and the call paths (analyze/calls.py,
runtime.run_calls) spend one step as they start its body; without it a procedure's meter
is None, and that test is all steps cost. The deadline is delivered like Ctrl-C
(threads.Interrupt), so it costs nothing while the program runs.

Both stop the program with a BaseException, not a language error: the program's own
`guard` and exception handlers never see it, so a program cannot swallow the limit its
host set, while `dynamic-wind` after-thunks still run and tasks still release their
Handlers on the way out. The engine turns it into StepLimitError or TimeLimitError where
the evaluation began.
"""

from __future__ import annotations


class OutOfSteps(BaseException):
    """Raised where the program used up its steps."""


class OutOfTime(BaseException):
    """Raised in every thread of the program when its deadline passes."""


# Steps the program gets to unwind once its own are used up: enough for dynamic-wind
# after-thunks to clean up; one that uses these up too is stopped in turn.
UNWIND_STEPS = 10_000


class Meter:
    """The steps left in the current evaluation (shared by all its threads)."""

    __slots__ = ("left",)

    def __init__(self) -> None:
        self.left = 0

    def exhausted(self) -> None:
        """Stop the program: its steps are used up (`left` went below zero)."""
        self.left = UNWIND_STEPS
        raise OutOfSteps
