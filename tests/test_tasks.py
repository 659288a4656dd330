"""Tasks from the language: definition, templates, calls, output modes, limits, metrics."""

from __future__ import annotations

import re

import pytest
from tasks_support import Released, interpreter, run

from interpreter.errors import ArityError, ProviderError, ResourceExhaustionError, TaskschemeError
from interpreter.limits.budget import Budget
from interpreter.limits.guidance import recovery
from interpreter.limits.messages import Message, ModelResponse
from interpreter.limits.settings import TASK_OPTIONS
from interpreter.limits.tokens import count_tokens
from interpreter.providers import FunctionModel, ScriptedModel
from interpreter.providers.testing import usage_of

CLASSIFY = """
(define-task (classify ticket)
  #:system "You label support tickets."
  #:max-turns 3
  "Label this ticket as bug, billing or other: {{ticket}}")
"""


def test_a_task_call_sends_the_rendered_prompt_and_returns_the_answer():
    model = ScriptedModel(["billing"])
    assert run(CLASSIFY + '(classify "I was charged twice")', model) == "billing"
    (request,) = model.requests
    assert request.model == "scripted"
    assert request.messages == (
        Message("system", "You label support tickets."),
        Message("user", "Label this ticket as bug, billing or other: I was charged twice"),
    )
    assert request.tools == () and request.output == "text"


def test_a_task_is_a_procedure_named_after_itself():
    program = (
        CLASSIFY
        + "(list (procedure? classify) (call-with-output-string (lambda (p) (write classify p))))"
    )
    assert run(program, ScriptedModel([])) == [True, "#<procedure classify>"]


def test_template_values_are_shown_as_display_shows_them():
    model = ScriptedModel(["ok"])
    run('(define-task (t n xs s) "n={{n}} xs={{ xs }} s={{s}}") (t 42 \'(a "b" 1/2) "text")', model)
    assert model.requests[0].messages[-1].content == "n=42 xs=(a b 1/2) s=text"


def test_double_braces_around_anything_but_a_name_are_plain_text():
    model = ScriptedModel(["ok"])
    run('(define-task (t x) "Answer like {{\\"label\\": \\"bug\\"}} about {{x}}") (t 1)', model)
    assert model.requests[0].messages[-1].content == 'Answer like {{"label": "bug"}} about 1'


def test_an_unknown_placeholder_is_an_error_when_the_task_is_defined():
    model = ScriptedModel([])
    with pytest.raises(TaskschemeError) as caught:
        run('(define-task (classify ticket customer) "Label {{tickt}}")', model)
    message = caught.value.message
    assert "{{tickt}}" in message
    assert "did you mean ticket" in message
    assert "available: ticket, customer" in message
    assert caught.value.span is not None and caught.value.span.line == 1


def test_a_task_sees_the_context_keys_it_asks_for():
    model = ScriptedModel(["a", "b"])
    program = """
    (define-task (reply message) #:context '(customer) "Reply to {{customer}}: {{message}}")
    (define-task (note message) #:context '(customer tier) "Note {{message}}")
    (with-context ((customer "Ann") (tier 'gold) (secret "not asked for"))
      (list (reply "hi") (note "x")))
    """
    assert run(program, model) == ["a", "b"]
    assert model.requests[0].messages[-1].content == "Reply to Ann: hi"
    # Keys the template does not place are appended; keys not asked for never appear.
    assert model.requests[1].messages[-1].content == "Note x\n\nContext:\ncustomer: Ann\ntier: gold"


def test_a_missing_context_key_is_an_error_at_call_time_naming_it():
    model = ScriptedModel([])
    program = """
    (define-task (reply message) #:context '(customer) "Reply to {{customer}}: {{message}}")
    (with-context ((tier 1)) (reply "hi"))
    """
    with pytest.raises(
        TaskschemeError,
        match=r"reply: working-memory key customer is not in scope \(in scope: tier\)",
    ):
        run(program, model)
    assert model.requests == []


def test_calling_a_task_with_the_wrong_number_of_arguments():
    model = ScriptedModel([])
    with pytest.raises(ArityError, match=r"^classify: expects 1 argument, got 2$"):
        run(CLASSIFY + '(classify "a" "b")', model)
    assert model.requests == []


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("#:max-turns 0", r"classify: #:max-turns 0 must be at least 1"),
        (
            "#:context-fraction 1.5",
            r"classify: #:context-fraction 1.5 must be greater than 0 and at most 1",
        ),
        (
            '#:model "openai:no-such-model"',
            r"classify: #:model .*no-such-model.* input window is not known",
        ),
        ("#:max-turn 3", r"classify: unknown keyword #:max-turn \(did you mean #:max-turns\?\)"),
        ("#:output 'xml", r"classify: #:output must be 'text, 'json or a JSON schema"),
        ("#:interactive 1", r"classify: expected #t or #f for #:interactive"),
        ("#:tools (list car)", r"classify: expected tools made by define-tool"),
    ],
)
def test_bad_options_are_errors_naming_the_task_and_option(option, message):
    with pytest.raises(TaskschemeError, match=message):
        run(f'(define-task (classify ticket) {option} "{{{{ticket}}}}")', ScriptedModel([]))


@pytest.mark.parametrize("option", sorted(TASK_OPTIONS))
def test_every_task_option_is_checked_by_its_setting(option):
    model = ScriptedModel([])
    expected = TASK_OPTIONS[option].problem((), {})
    with pytest.raises(
        TaskschemeError, match=rf"^classify: #:{option} #\(\) {re.escape(expected)}$"
    ):
        run(f'(define-task (classify ticket) #:{option} #() "{{{{ticket}}}}")', model)
    assert model.requests == []


def test_exact_fractions_are_accepted_as_context_fraction():
    model = ScriptedModel(["ok"])
    program = """(define-task (t x) #:context-fraction 1/4 "{{x}}") (t 1)
                 (metrics-ref (task-metrics) 'context 'limit)"""
    assert run(program, model) == 32_000


def test_llm_runs_a_one_off_task_on_its_prompt_as_is():
    model = ScriptedModel(["hello"])
    program = """(list (llm "Say {{hi}}" #:system "Be brief." #:max-turns 1)
                       (metrics-ref (task-metrics) 'task)
                       (metrics-ref (task-metrics) 'turns 'limit))"""
    assert run(program, model) == ["hello", "llm", 1]
    assert model.requests[0].messages == (
        Message("system", "Be brief."),
        Message("user", "Say {{hi}}"),
    )


def test_task_metrics_as_a_scheme_value():
    model = ScriptedModel(["bug"])
    interp = interpreter(model)
    assert interp.eval("(task-metrics)") is False
    metrics = interp.eval(
        CLASSIFY
        + """(classify "crash")
        (define m (task-metrics))
        (list (metrics-ref m 'task) (metrics-ref m 'model)
              (metrics-ref m 'turns 'used) (metrics-ref m 'turns 'limit)
              (metrics-ref m 'turns 'last-turn-at)
              (metrics-ref m 'context 'used) (metrics-ref m 'context 'limit) (metrics-ref m 'context 'peak-usage)
              (metrics-ref m 'tokens 'input) (metrics-ref m 'tokens 'output)
              (metrics-ref m 'tokens 'reported-input) (metrics-ref m 'tokens 'reported-output))"""
    )
    final = interp.last_metrics
    task, spec, used, limit, last_turn_at, *figures = metrics
    assert (task, spec, used, limit) == ("classify", "test:scripted", 1, 3)
    assert last_turn_at.endswith("Z") and last_turn_at.startswith(
        str(final.turns.last_turn_at.year)
    )
    reported = usage_of(model.requests[0], ModelResponse("bug"))
    assert figures == [
        final.context.used,
        64_000,
        final.context.peak_usage,
        final.tokens.input,
        final.tokens.output,
        reported.input_tokens,
        reported.output_tokens,
    ]
    assert final.context.used > 0 and final.tokens.input > 0


def test_metrics_ref_names_the_missing_key_and_the_keys_there_are():
    interp = interpreter(ScriptedModel(["bug"]))
    interp.eval(CLASSIFY + '(classify "x")')
    with pytest.raises(
        TaskschemeError, match=r"no key pek under context; the keys are: used, limit, peak-usage"
    ):
        interp.eval("(metrics-ref (task-metrics) 'context 'pek)")
    with pytest.raises(TaskschemeError, match=r"context used is not a metrics alist"):
        interp.eval("(metrics-ref (task-metrics) 'context 'used 'more)")


def test_peak_reads_the_peak_usage_by_its_older_name():
    interp = interpreter(ScriptedModel(["bug"]))
    interp.eval(CLASSIFY + '(classify "x")')
    peak = interp.eval("(metrics-ref (task-metrics) 'context 'peak-usage)")
    assert peak == interp.last_metrics.context.peak_usage > 0
    assert interp.eval("(metrics-ref (task-metrics) 'context 'peak)") == peak


def test_json_output_becomes_scheme_data():
    model = ScriptedModel(['{"label": "bug", "score": 3, "tags": ["ui", "crash"], "note": null}'])
    program = """(define-task (t x) #:output 'json "{{x}}")
                 (define answer (t 1))
                 (list (cdr (assoc "label" answer)) (cdr (assoc "score" answer))
                       (cdr (assoc "tags" answer)) (cdr (assoc "note" answer)))"""
    assert run(program, model) == ["bug", 3, ["ui", "crash"], "null"]
    assert model.requests[0].output == "json"


def test_an_answer_that_is_not_json_is_a_task_output_error_carrying_the_raw_text():
    raw = 'Sure! {"label": bug}'
    model = ScriptedModel([raw])
    program = """(define-task (t x) #:output 'json "{{x}}")
                 (guard (e ((task-output-error? e)
                            (list (task-output-raw e) (error-object-message e) (error-object-irritants e))))
                   (t 1))"""
    got_raw, message, irritants = run(program, model)
    assert got_raw == raw and irritants == [raw]
    assert message == "t: the answer is not valid JSON: Expecting value at line 1 column 1"
    assert len(model.requests) == 1  # no retry


SCHEMA = """'((type . "object")
              (properties
               (label (type . "string") (enum "bug" "billing"))
               (tags (type . "array") (items (type . "string")) (maxItems . 3))
               (score (type . "integer") (minimum . 0)))
              (required "label")
              (additionalProperties . #f))"""


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ('{"label": "feature"}', 'at $.label: must be one of "bug", "billing"; got "feature"'),
        ('{"tags": []}', 'at $: missing required property "label"'),
        ('{"label": "bug", "tags": ["ui", 7]}', "at $.tags[1]: expected a string, got 7"),
        (
            '{"label": "bug", "tags": ["a", "b", "c", "d"]}',
            "at $.tags: must have at most 3 items, got 4",
        ),
        ('{"label": "bug", "score": -1}', "at $.score: must be at least 0, got -1"),
        ('{"label": "bug", "score": 1.5}', "at $.score: expected an integer, got 1.5"),
        (
            '{"label": "bug", "colour": "red"}',
            'at $: property "colour" is not allowed (allowed: label, tags, score)',
        ),
        ('["bug"]', 'at $: expected an object, got ["bug"]'),
    ],
)
def test_a_schema_violation_says_where_and_which_rule(answer, problem):
    model = ScriptedModel([answer])
    program = f"""(define-task (t x) #:output {SCHEMA} "{{{{x}}}}")
                  (guard (e ((task-output-error? e) (list (error-object-message e) (task-output-raw e))))
                    (t 1))"""
    message, raw = run(program, model)
    assert message == f"t: the answer does not satisfy the output schema: {problem}"
    assert raw == answer


def test_an_answer_that_satisfies_the_schema_is_returned():
    model = ScriptedModel(['{"label": "bug", "tags": ["ui"], "score": 2}'])
    program = f'(define-task (t x) #:output {SCHEMA} "{{{{x}}}}") (t 1)'
    assert run(program, model) == {"label": "bug", "tags": ["ui"], "score": 2}
    assert model.requests[0].output == {
        "type": "object",
        "properties": {
            "label": {"type": "string", "enum": ["bug", "billing"]},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
            "score": {"type": "integer", "minimum": 0},
        },
        "required": ["label"],
        "additionalProperties": False,
    }


def test_a_schema_can_be_json_text_or_a_hash_table():
    model = ScriptedModel(['{"a": 1}', '{"a": 2}'])
    program = """
    (define table (make-equal-hash-table))
    (hash-table-set! table "type" "object")
    (hash-table-set! table "required" '("a"))
    (define-task (from-text x) #:output "{\\"type\\": \\"object\\", \\"required\\": [\\"a\\"]}" "{{x}}")
    (define-task (from-table x) #:output table "{{x}}")
    (list (from-text 1) (from-table 2))
    """
    assert run(program, model) == [{"a": 1}, {"a": 2}]
    wanted = {"type": "object", "required": ["a"]}
    assert [r.output for r in model.requests] == [wanted, wanted]


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ('\'((type . "strng"))', r"output schema at \$, type: \"strng\" is not a JSON type"),
        (
            '\'((type . "string") (maxlength . 3))',
            r"unsupported keyword 'maxlength' \(did you mean 'maxLength'\?\)",
        ),
        (
            "'((properties (a (minItems . -1))))",
            r"output schema at \$\.a, minItems: expected a non-negative integer",
        ),
        ('"{not json"', r"the #:output schema is not valid JSON"),
    ],
)
def test_a_bad_schema_is_an_error_when_the_task_is_defined(schema, message):
    with pytest.raises(TaskschemeError, match=message):
        run(f'(define-task (t x) #:output {schema} "{{{{x}}}}")', ScriptedModel([]))


def _always_tools(request):
    return {"tool_calls": [{"name": "look", "arguments": {"q": "x"}}]}


LOOKING = """
(define-tool (look (q string "query")) "Look something up." "nothing found")
(define-task (research question) #:max-turns 2 #:tools (list look) "{{question}}")
"""


def test_running_out_of_turns_is_caught_by_guard_with_the_figures():
    model = FunctionModel(_always_tools)
    program = (
        LOOKING
        + """
    (guard (e ((resource-exhausted? e)
               (let ((m (resource-error-metrics e)) (transcript (resource-error-transcript e)))
                 (list (resource-error-resource e) (resource-error-task e)
                       (metrics-ref m 'turns 'used) (metrics-ref m 'turns 'limit)
                       (map (lambda (message) (cdr (assq 'role message))) transcript)
                       (cdr (assq 'tool-call-id (list-ref transcript 2)))
                       (error-object-message e)))))
      (research "why?"))"""
    )
    resource, task, used, limit, roles, call_id, message = run(program, model)
    assert (resource, task, used, limit) == ("turns", "research", 2, 2)
    # The second answer's tools did not run: their results could never be sent.
    assert roles == ["user", "assistant", "tool", "assistant"]
    assert call_id == model.requests[1].messages[1].tool_calls[0].id
    assert message == (
        "task 'research' exhausted its turns: 2 of 2 used; the tools the model asked for "
        "were not run, as their results could not be sent. " + recovery("turns")
    )
    assert len(model.requests) == 2  # the third request was never sent


def test_running_out_of_context_sends_nothing():
    model = ScriptedModel([])
    program = """
    (define-task (summarize text) #:context-fraction 0.001 "Summarize: {{text}}")
    (guard (e ((resource-exhausted? e)
               (list (resource-error-resource e)
                     (metrics-ref (resource-error-metrics e) 'context 'limit)
                     (resource-error-transcript e))))
      (summarize (make-string 2000 #\\a)))"""
    assert run(program, model) == ["context", 128, []]
    assert model.requests == []


def test_a_prompt_that_cannot_fit_is_refused_without_being_tokenized():
    # 10 million bytes are at least 10,000,000 / 128 tokens (the longest token of
    # o200k_base is 128 bytes): more than the limit, so the refusal needs no tokenizing.
    program = """(define-task (t x) "{{x}}")
                 (guard (e ((resource-exhausted? e) (error-object-message e)))
                   (t (make-string 10000000 #\\a)))"""
    assert run(program, ScriptedModel([])) == (
        "task 't' exhausted its context window: 0 + at least 78,128 tokens (a user message) "
        "would exceed the limit of 64,000 (50% of 128,000). " + recovery("context")
    )


def test_an_answer_that_does_not_fit_ends_the_transcript_its_tokens_are_counted_in():
    answer = "lorem ipsum " * 1000
    with pytest.raises(ResourceExhaustionError) as caught:
        run('(define-task (t x) #:context-fraction 0.01 "{{x}}") (t "go")', ScriptedModel([answer]))
    error = caught.value
    assert error.resource == "context"
    assert error.transcript == [
        {"role": "user", "content": "go"},
        {"role": "assistant", "content": answer},
    ]
    assert error.metrics.tokens.output == count_tokens(answer)


def test_an_uncaught_exhaustion_reaches_python_with_metrics_and_transcript():
    with pytest.raises(ResourceExhaustionError) as caught:
        run(LOOKING + '(research "why?")', FunctionModel(_always_tools))
    error = caught.value
    assert error.resource == "turns" and error.task == "research"
    assert error.metrics.turns.used == 2 and error.metrics.released is False
    assert [m["role"] for m in error.transcript] == ["user", "assistant", "tool", "assistant"]
    assert error.span is not None and error.span.line == 4  # the call site in the program


def test_a_provider_error_is_catchable_and_not_retried():
    calls = []

    def failing(request):
        calls.append(request)
        raise ProviderError("test", "rate-limit", "slow down")

    program = (
        CLASSIFY
        + """
    (guard (e ((provider-error? e) (list (provider-error-reason e) (error-object-message e))))
      (classify "x"))"""
    )
    reason, message = run(program, FunctionModel(failing))
    assert reason == "rate-limit" and message == "test: rate limited: slow down"
    assert len(calls) == 1


def test_every_call_runs_under_a_fresh_handler_released_whatever_happens():
    released = Released()
    model = ScriptedModel(["one", "not json"])
    program = """(define-task (t x) #:output 'text "{{x}}")
                 (define-task (j x) #:output 'json "{{x}}")
                 (t 1)
                 (guard (e (#t 'failed)) (j 2))"""
    assert run(program, model, events=released.bus) == "failed"
    first, second = released.events
    assert first.handler_id != second.handler_id
    assert (first.task, first.detail["outcome"]) == ("t", "ok")
    assert (second.task, second.detail["outcome"]) == ("j", "error")
    assert second.metrics.released and second.metrics.turns.used == 1


def test_run_budget_is_a_scheme_value():
    budget = Budget(max_turns=5)
    program = (
        CLASSIFY
        + """(classify "x")
        (list (metrics-ref (run-budget) 'turns 'used) (metrics-ref (run-budget) 'turns 'limit)
              (metrics-ref (run-budget) 'tokens 'limit))"""
    )
    assert run(program, ScriptedModel(["bug"]), budget=budget) == [1, 5, False]
    # without caps the run budget still keeps the run's totals
    uncapped = (
        "(list (metrics-ref (run-budget) 'turns 'used) (metrics-ref (run-budget) 'turns 'limit))"
    )
    assert run(uncapped, ScriptedModel([])) == [0, False]


def test_the_run_budget_stops_a_task_with_a_budget_resource():
    program = (
        CLASSIFY
        + """
    (classify "one")
    (guard (e ((resource-exhausted? e) (resource-error-resource e)))
      (classify "two"))"""
    )
    model = ScriptedModel(["bug", "bug"])
    assert run(program, model, budget=Budget(max_turns=1)) == "budget-turns"
    assert len(model.requests) == 1


def test_resource_error_accessors_reject_other_values():
    with pytest.raises(
        TaskschemeError, match=r"resource-error-metrics: expected a resource-exhausted error"
    ):
        run('(resource-error-metrics (guard (e (#t e)) (error "plain")))', ScriptedModel([]))
