"""Composition in stdlib/tasks.scm: pipelines, reduce, director-evaluator."""

from __future__ import annotations

import pytest
from tasks_support import Released, run

from interpreter.errors import TaskschemeError
from interpreter.providers import FunctionModel, ScriptedModel


def test_a_pipeline_feeds_each_tasks_result_to_the_next():
    model = ScriptedModel(["a summary", "un résumé"])
    program = """
    (define-task (summarize text) "Summarize: {{text}}")
    (define-task (translate text) "Translate to French: {{text}}")
    (list ((pipeline summarize translate) "long text") (run-pipeline 5) ((pipeline) 'x))"""
    released = Released()
    assert run(program, model, events=released.bus) == ["un résumé", 5, "x"]
    assert [r.messages[-1].content for r in model.requests] == [
        "Summarize: long text",
        "Translate to French: a summary",
    ]
    assert released.tasks() == ["summarize", "translate"]


def test_run_pipeline_is_a_pipeline_applied_to_an_input():
    program = "(run-pipeline 3 (lambda (x) (* x 10)) (lambda (x) (+ x 1)) number->string)"
    assert run(program, ScriptedModel([])) == "31"


def test_reduce_tasks_folds_left_to_right():
    model = FunctionModel(
        lambda r: r.messages[-1].content.replace("Merge ", "").replace(" with ", "+")
    )
    program = """
    (define-task (merge notes item) "Merge {{notes}} with {{item}}")
    (reduce-tasks merge '("b" "c" "d") "a")"""
    assert run(program, model) == "a+b+c+d"


DIRECTOR = """
(define drafts '())
(define (director input feedback)
  (let ((draft (if feedback (string-append input " v" (number->string (+ 1 (length drafts)))) input)))
    (set! drafts (cons (list draft feedback) drafts))
    draft))
"""


def test_director_evaluator_revises_with_feedback_until_accepted():
    program = (
        DIRECTOR
        + """
    (define judged '())
    (define (evaluator draft)
      (set! judged (cons draft judged))
      (if (string=? draft "essay v3") 'accept (string-append "improve " draft)))
    (list (director-evaluator director evaluator "essay" #:max-iterations 5)
          (reverse drafts) (reverse judged))"""
    )
    result, drafts, judged = run(program, ScriptedModel([]))
    assert result == "essay v3"
    assert drafts == [
        ["essay", False],
        ["essay v2", "improve essay"],
        ["essay v3", "improve essay v2"],
    ]
    assert judged == ["essay", "essay v2", "essay v3"]


def test_director_evaluator_accepts_true_and_stops_after_max_iterations():
    program = (
        DIRECTOR
        + """
    (define calls 0)
    (define (never draft) (set! calls (+ calls 1)) "no")
    (list (director-evaluator director (lambda (d) #t) "a")
          (begin (set! drafts '()) (director-evaluator director never "b" #:max-iterations 3))
          calls)"""
    )
    # The last allowed draft is returned without being judged.
    assert run(program, ScriptedModel([])) == ["a", "b v3", 2]


def test_director_evaluator_checks_max_iterations():
    with pytest.raises(TaskschemeError, match="max-iterations must be a positive integer"):
        run("(director-evaluator list list 1 #:max-iterations 0)", ScriptedModel([]))
