"""Metrics as values a program reads: what `metrics-ref` says when there is nothing to
read (no task has finished, no run budget) or a path goes past the figures."""

from __future__ import annotations

import pytest

from interpreter.errors import SchemeError
from tests.tasks_support import run


@pytest.mark.parametrize(
    ("program", "message"),
    [
        (
            "(metrics-ref (task-metrics) 'turns)",
            "metrics-ref: expected a metrics alist as argument 1, got #f "
            "((task-metrics) is #f until a task has finished)",
        ),
        ("(metrics-ref 5 'turns)", "metrics-ref: expected a metrics alist as argument 1, got 5"),
        (
            "(metrics-ref '((turns (used . 1))) 'turns 'used 'x)",
            "metrics-ref: turns used is not a metrics alist: 1",
        ),
    ],
)
def test_metrics_ref_says_what_it_was_given(program, message):
    with pytest.raises(SchemeError) as caught:
        run(program)
    assert caught.value.headline() == message
    assert "must be not" not in caught.value.headline()
