"""Opt-in output repair: `#:output-retries N` sends an answer that is not the output the
task asked for back to the model with the problem, each attempt a turn charged like any
other; by default (0) nothing is retried."""

from __future__ import annotations

import pytest
from tasks_support import run

from interpreter.errors import ConfigError, TaskOutputError
from interpreter.providers import ScriptedModel

SCHEMA = '\'((type . "object") (properties (label (type . "string"))) (required "label"))'


def classify(options: str = "") -> str:
    return f"""
    (define-task (classify ticket) #:output {SCHEMA} {options} "Label: {{{{ticket}}}}")
    (define label (cdr (assoc "label" (classify "I was charged twice"))))
    (list label (metrics-ref (task-metrics) 'turns 'used))"""


def test_by_default_a_wrong_answer_is_an_error_at_once():
    model = ScriptedModel(['{"labl": "billing"}', '{"label": "billing"}'])
    with pytest.raises(TaskOutputError):
        run(classify(), model)
    assert len(model.requests) == 1


def test_a_wrong_answer_is_sent_back_with_the_problem_and_repaired():
    model = ScriptedModel(["not json", '{"labl": "billing"}', '{"label": "billing"}'])
    assert run(classify("#:output-retries 2"), model) == ["billing", 3]
    second, third = model.requests[1], model.requests[2]
    repair = second.messages[-1]
    assert repair.role == "user"
    assert repair.content.startswith(
        "Your answer was not accepted: the answer is not valid JSON: Expecting value"
    )
    assert repair.content.endswith("Answer again, with only the corrected output.")
    assert second.messages[-2].content == "not json"  # the wrong answer stays in context
    assert "does not satisfy the output schema" in third.messages[-1].content


def test_each_repair_is_a_turn_charged_like_any_other():
    program = (
        classify("#:output-retries 1")
        + """
    (list (metrics-ref (task-metrics) 'billed 'output) (metrics-ref (task-metrics) 'tokens 'output))"""
    )
    model = ScriptedModel(["nope", '{"label": "bug"}'])
    billed_output, counted_output = run(program, model)
    assert billed_output == counted_output > 0
    assert len(model.requests) == 2


def test_when_the_retries_run_out_the_last_problem_is_the_error():
    model = ScriptedModel(["a", "b", "c"])
    with pytest.raises(TaskOutputError) as caught:
        run(classify("#:output-retries 2"), model)
    assert caught.value.raw == "c"
    assert len(model.requests) == 3


def test_a_repair_needs_a_turn_left():
    model = ScriptedModel(["a", '{"label": "bug"}'])
    with pytest.raises(TaskOutputError):
        run(classify("#:max-turns 1 #:output-retries 3"), model)
    assert len(model.requests) == 1


@pytest.mark.parametrize(
    ("value", "problem"),
    [("-1", "must be at least 0"), ("11", "must be at most 10"), ("#t", "must be an integer")],
)
def test_a_bad_retry_count_is_refused_when_the_task_is_defined(value, problem):
    with pytest.raises(ConfigError) as caught:
        run(f'(define-task (t) #:output-retries {value} "hi")', ScriptedModel([]))
    assert caught.value.message == f"t: #:output-retries {value} {problem}"
