"""Per-call limits: a call of a task may tighten the task's limits for that call
(`(classify t #:max-turns 1)`), never loosen them beyond what its definition and the
configuration allow."""

from __future__ import annotations

import pytest
from tasks_support import interpreter, run

from interpreter.errors import ArityError, ConfigError
from interpreter.providers import ScriptedModel

AGAIN = {"tool_calls": [{"name": "again"}]}
TASK = """
(define-tool (again) "Go on." "more")
(define-task (research q) #:max-turns 3 #:tools (list again) "{{q}}")
(define (limit-hit thunk)
  (guard (e ((resource-exhausted? e)
             (list (resource-error-resource e) (metrics-ref (resource-error-metrics e) 'turns 'limit))))
    (thunk)))
"""


def test_a_call_tightens_a_limit_for_that_call_only():
    model = ScriptedModel([AGAIN] * 10)
    program = (
        TASK
        + """
    (list (limit-hit (lambda () (research "a" #:max-turns 1)))
          (limit-hit (lambda () (research "b"))))"""
    )
    assert run(program, model) == [["turns", 1], ["turns", 3]]
    assert len(model.requests) == 1 + 3


def test_a_call_cannot_loosen_a_limit_of_the_task():
    with pytest.raises(ConfigError) as caught:
        run(TASK + '(research "a" #:max-turns 4)', ScriptedModel([]))
    assert caught.value.message == (
        "research: #:max-turns 4 at a call would loosen the task's limit of 3; "
        "a call may only tighten its limits"
    )


def test_nor_the_limit_configuration_gives_the_task():
    program = '(define-task (t q) "{{q}}") (t "a" #:max-turns 6)'
    with pytest.raises(ConfigError) as caught:
        interpreter(ScriptedModel([]), config={"max_turns": 5}).eval(program)
    assert "#:max-turns 6 at a call would loosen the task's limit of 5" in caught.value.message


def test_a_limit_the_task_does_not_set_may_be_set_at_a_call():
    model = ScriptedModel([AGAIN] * 3)
    program = (
        TASK
        + """
    (guard (e ((resource-exhausted? e) (resource-error-resource e)))
      (research "a" #:max-output-tokens 1))"""
    )
    assert run(program, model) == "output-tokens"
    assert [request.max_output_tokens for request in model.requests] == [1]


def test_a_call_takes_no_other_option():
    with pytest.raises(ArityError) as caught:
        run(TASK + '(research "a" #:system "be brief")', ScriptedModel([]))
    assert "not #:system; other options belong in define-task" in caught.value.message


def test_a_bad_value_at_a_call_is_checked_like_the_option():
    with pytest.raises(ConfigError) as caught:
        run(TASK + '(research "a" #:context-fraction 0)', ScriptedModel([]))
    assert caught.value.message == (
        "research: #:context-fraction 0 must be greater than 0 and at most 1"
    )


def test_a_task_calling_itself_with_tighter_limits_is_still_a_cycle():
    model = ScriptedModel([{"tool_calls": [{"name": "deeper", "arguments": {"q": "x"}}]}])
    program = """
    (define-tool (deeper (q string "what")) "Go deeper." (research q #:max-turns 1))
    (define-task (research q) #:max-turns 3 #:tools (list deeper) "{{q}}")
    (research "a")"""
    with pytest.raises(Exception) as caught:
        run(program, model)
    assert "task cycle: research -> research" in str(caught.value)
