"""Tools, subtasks and interactive tasks."""

from __future__ import annotations

import pytest
from tasks_support import Released, interpreter, run

from interpreter.errors import ProviderError, TaskschemeError
from interpreter.limits.budget import Budget
from interpreter.limits.handler import message_tokens
from interpreter.limits.messages import Message, wire_json
from interpreter.limits.models import resolve_model
from interpreter.limits.tokens import count_tokens
from interpreter.providers import FunctionModel, ScriptedModel

ORDERS = """
(define looked-up '())
(define-tool (lookup-order (id string "The order id") (quantity integer "How many") (express boolean "Express?"))
  "Look up an order."
  (set! looked-up (cons (list id quantity express) looked-up))
  (list (cons 'id id) (cons 'items (list quantity "widgets")) (cons 'express express)))
"""


def _call(name, **arguments):
    return {"tool_calls": [{"name": name, "arguments": arguments}]}


def test_a_tool_round_trip_checks_converts_and_answers_with_json():
    model = ScriptedModel(
        [_call("lookup-order", express=True, quantity=2.0, id="A7"), "Order A7 has 2 widgets."]
    )
    program = (
        ORDERS
        + """
    (define-task (track q) #:tools (list lookup-order) "{{q}}")
    (list (track "Where is A7?") looked-up)"""
    )
    assert run(program, model) == ["Order A7 has 2 widgets.", [["A7", 2, True]]]
    first, second = model.requests
    assert first.tools[0].to_json() == {
        "name": "lookup-order",
        "description": "Look up an order.",
        "parameters": {
            "type": "object",
            "properties": {
                "id": {"type": "string", "description": "The order id"},
                "quantity": {"type": "integer", "description": "How many"},
                "express": {"type": "boolean", "description": "Express?"},
            },
            "required": ["id", "quantity", "express"],
            "additionalProperties": False,
        },
    }
    call_id = second.messages[1].tool_calls[0].id
    assert second.messages[2] == Message(
        "tool", '{"id": "A7", "items": [2, "widgets"], "express": true}', tool_call_id=call_id
    )


def test_a_tool_is_also_an_ordinary_procedure():
    program = (
        ORDERS
        + """(list (lookup-order "B2" 1 #f)
                                (call-with-output-string (lambda (p) (write lookup-order p))))"""
    )
    assert run(program, ScriptedModel([])) == [
        [["id", "B2"], ["items", 1, "widgets"], ["express", False]],
        "#<procedure lookup-order>",
    ]


def _tool_messages(model):
    """The tool messages of the last request."""
    return [m for m in model.requests[-1].messages if m.role == "tool"]


def test_a_tool_error_goes_back_to_the_model_which_carries_on():
    model = ScriptedModel([_call("find", id="A9"), "There is no order A9."])
    program = """
    (define-tool (find (id string "id")) "Find an order." (error "no such order" id))
    (define-task (track q) #:tools (list find) "{{q}}")
    (track "A9?")"""
    assert run(program, model) == "There is no order A9."
    (result,) = _tool_messages(model)
    assert result.is_error
    assert result.content == 'error: no such order "A9"'


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (
            {"id": "A7", "quantity": "two", "express": False},
            'argument quantity must be an integer, got "two"',
        ),
        ({"id": 7, "quantity": 1, "express": False}, "argument id must be a string, got 7"),
        ({"id": "A7", "quantity": 1}, "missing argument express (boolean)"),
        (
            {"id": "A7", "quantity": 1, "express": True, "colour": "red"},
            "unexpected argument(s) colour (its parameters: id, quantity, express)",
        ),
    ],
)
def test_arguments_that_do_not_fit_are_reported_to_the_model_without_running_the_tool(
    arguments, complaint
):
    model = ScriptedModel(
        [{"tool_calls": [{"name": "lookup-order", "arguments": arguments}]}, "sorry"]
    )
    program = (
        ORDERS
        + """
    (define-task (track q) #:tools (list lookup-order) "{{q}}")
    (list (track "A7?") looked-up)"""
    )
    assert run(program, model) == ["sorry", []]
    (result,) = _tool_messages(model)
    assert result.is_error and result.content == f"error: lookup-order: {complaint}"


def test_a_call_of_a_tool_the_task_does_not_have_is_an_error_result():
    model = ScriptedModel([_call("delete-everything"), "ok"])
    program = ORDERS + '(define-task (t q) #:tools (list lookup-order) "{{q}}") (t 1)'
    assert run(program, model) == "ok"
    (result,) = _tool_messages(model)
    assert result.is_error
    assert (
        result.content
        == "error: there is no tool named delete-everything; the tools are: lookup-order"
    )


@pytest.mark.parametrize(
    ("body", "content"),
    [
        ('"plain text"', "plain text"),
        ("42", "42"),
        ("(if #f #f)", "null"),
        ('(vector 1 "a")', '[1, "a"]'),
        ('(let ((h (make-equal-hash-table))) (hash-table-set! h "k" \'v) h)', '{"k": "v"}'),
    ],
)
def test_tool_results_are_strings_as_is_and_json_otherwise(body, content):
    model = ScriptedModel([_call("answer"), "done"])
    program = f'(define-tool (answer) "Answer." {body}) (define-task (t q) #:tools (list answer) "{{{{q}}}}") (t 1)'
    assert run(program, model) == "done"
    (result,) = _tool_messages(model)
    assert (result.content, result.is_error) == (content, False)


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (
            '(define-tool (f (x strng "x")) "F." x)',
            r"f: parameter x has type strng \(did you mean string\?\)",
        ),
        (
            "(make-tool 'f \"F.\" '((x string) (x number)) (lambda (a b) a))",
            r"f: parameter x is declared twice",
        ),
        ('(define-tool (f? (x string "x")) "F." x)', r"f\? cannot be offered to a model"),
    ],
)
def test_a_bad_tool_definition_is_an_error(definition, message):
    with pytest.raises(TaskschemeError, match=message):
        run(definition, ScriptedModel([]))


def test_array_parameters_declare_their_items():
    interp = interpreter(ScriptedModel([]))
    tool = interp.eval('(define-tool (f (xs array "some values")) "F." xs) f')
    assert tool.spec.parameters["properties"]["xs"] == {
        "type": "array",
        "items": {},
        "description": "some values",
    }


# -- subtasks ---------------------------------------------------------------------------


SUBTASK = """
(define-task (polish draft) #:max-turns 1 "Polish: {{draft}}")
(define-tool (polish-reply (draft string "a draft")) "Polish a draft." (polish draft))
(define-task (support message) #:max-turns 4 #:tools (list polish-reply) "Help: {{message}}")
"""


def _support_model(request):
    prompt = request.messages[0].content
    if prompt.startswith("Polish: "):
        return prompt.removeprefix("Polish: ").upper()
    tool_results = [m for m in request.messages if m.role == "tool"]
    if tool_results:
        return f"Final: {tool_results[0].content}"
    return _call("polish-reply", draft="we will refund you")


def test_a_tool_calling_a_task_runs_a_subtask_under_its_own_handler():
    released = Released()
    model = FunctionModel(_support_model)
    assert (
        run(SUBTASK + '(support "refund?")', model, events=released.bus)
        == "Final: WE WILL REFUND YOU"
    )
    inner, outer = released.events
    assert (inner.task, outer.task) == ("polish", "support")
    assert inner.handler_id != outer.handler_id
    assert (inner.metrics.turns.used, inner.metrics.turns.limit) == (1, 1)
    assert (outer.metrics.turns.used, outer.metrics.turns.limit) == (2, 4)
    # The subtask's conversation is its own: only its prompt, nothing of the outer task.
    assert model.requests[1].messages == (Message("user", "Polish: we will refund you"),)
    assert outer.metrics.context.peak_usage > inner.metrics.context.peak_usage


def _chain_model(request):
    """Every task calls its one tool once, then answers."""
    if any(m.role == "tool" for m in request.messages):
        return "done"
    return {"tool_calls": [{"name": request.tools[0].name, "arguments": {"x": "go"}}]}


CHAIN = """
(define-task (c x) "C {{x}}")
(define-tool (call-c (x string "x")) "Call c." (c x))
(define-task (b x) #:tools (list call-c) "B {{x}}")
(define-tool (call-b (x string "x")) "Call b." (b x))
(define-task (a x) #:tools (list call-b) "A {{x}}")
"""


def test_nesting_deeper_than_max_task_depth_is_an_error_naming_the_chain():
    model = FunctionModel(_chain_model)
    with pytest.raises(
        TaskschemeError,
        match=r"^tasks nested too deeply: a -> b -> c is deeper than max_task_depth 2$",
    ) as caught:
        run(CHAIN + '(a "go")', model, config={"max_task_depth": 2})
    assert caught.value.kind == "task-nesting-error"
    assert len(model.requests) == 2  # a's and b's first turns; the error was not handed to a model
    assert (
        run(CHAIN + '(a "go")', FunctionModel(_chain_model), config={"max_task_depth": 3}) == "done"
    )


def test_a_task_calling_itself_through_a_tool_is_a_cycle():
    model = FunctionModel(_chain_model)
    program = """
    (define-tool (call-b (x string "x")) "Call b." (b x))
    (define-task (a x) #:tools (list call-b) "A {{x}}")
    (define-tool (call-a (x string "x")) "Call a." (a x))
    (define-task (b x) #:tools (list call-a) "B {{x}}")
    (guard (e ((error-object? e) (list (error-object-kind e) (error-object-message e)))) (a "go"))"""
    assert run(program, model) == ["task-nesting-error", "task cycle: a -> b -> a"]


def test_the_run_budget_running_out_in_a_subtask_ends_the_outer_task_too():
    model = FunctionModel(_support_model)
    program = (
        SUBTASK
        + """
    (guard (e ((resource-exhausted? e) (list (resource-error-resource e) (resource-error-task e))))
      (support "refund?"))"""
    )
    # The outer task's first answer (the tool call) brings the run to 67 tokens; the
    # subtask's prompt (9 more) does not fit.
    assert run(program, model, budget=Budget(max_tokens=70)) == ["budget-tokens", "polish"]
    assert len(model.requests) == 1


@pytest.mark.parametrize(
    ("limit", "budget", "resource"),
    [("#:max-turns 1", None, "turns"), ("#:max-turns 5", Budget(max_turns=1), "budget-turns")],
)
def test_the_tools_of_an_answer_whose_follow_up_cannot_be_sent_do_not_run(limit, budget, resource):
    # Their results could never reach the model: running them would only spend (side
    # effects, subtasks) after the task has in effect ended.
    model = ScriptedModel([_call("lookup-order", id="A7", quantity=1, express=False)])
    program = (
        ORDERS
        + f"""
    (define-task (track q) {limit} #:tools (list lookup-order) "{{{{q}}}}")
    (guard (e ((resource-exhausted? e) (list (resource-error-resource e) looked-up)))
      (track "Where is A7?"))"""
    )
    assert run(program, model, budget=budget) == [resource, []]
    assert len(model.requests) == 1


# -- interactive tasks ------------------------------------------------------------------


def _asking(answer_text="ok"):
    return ScriptedModel([_call("ask_user", question="Which order?"), answer_text])


INTERACTIVE = '(define-task (help message) #:interactive #t #:max-turns 3 "{{message}}")'


def test_an_interactive_task_can_ask_the_user_and_each_exchange_is_a_turn():
    questions = []

    def ask(question):
        questions.append(question)
        return "A-1042"

    model = _asking("Found A-1042.")
    program = (
        INTERACTIVE
        + "(list (help \"where is my order\") (metrics-ref (task-metrics) 'turns 'used))"
    )
    assert run(program, model, ask_user=ask) == ["Found A-1042.", 3]
    assert questions == ["Which order?"]
    assert [tool.name for tool in model.requests[0].tools] == ["ask_user"]
    (result,) = _tool_messages(model)
    assert (result.content, result.is_error) == ("A-1042", False)


def test_no_answer_from_the_user_is_an_error_result():
    def ask(question):
        raise EOFError

    model = _asking()
    assert run(INTERACTIVE + '(help "hi")', model, ask_user=ask) == "ok"
    (result,) = _tool_messages(model)
    assert result.is_error and result.content == "error: the user gave no answer (end of input)"


def test_asking_the_user_counts_against_the_turn_limit():
    # The question would take turn 2 of 2, leaving none to send the answer back: the user
    # is not asked at all.
    asked = []
    model = _asking()
    program = """(define-task (help message) #:interactive #t #:max-turns 2 "{{message}}")
                 (guard (e ((resource-exhausted? e) (metrics-ref (resource-error-metrics e) 'turns 'used)))
                   (help "hi"))"""
    assert run(program, model, ask_user=lambda q: asked.append(q) or "yes") == 1
    assert asked == [] and len(model.requests) == 1


def test_an_interactive_task_cannot_have_another_ask_user_tool():
    program = """(define-tool (ask_user (q string "q")) "Ask." q)
                 (define-task (t x) #:interactive #t #:tools (list ask_user) "{{x}}")"""
    with pytest.raises(
        TaskschemeError,
        match=r"t: two tools are named ask_user \(an interactive task has its own\)",
    ):
        run(program, ScriptedModel([]))


def test_tool_specs_calls_and_results_are_all_charged_to_the_context():
    released = Released()
    model = ScriptedModel([_call("lookup-order", id="A7", quantity=1, express=False), "done"])
    program = ORDERS + '(define-task (t q) #:tools (list lookup-order) "{{q}}") (t "x")'
    run(program, model, events=released.bus)
    (event,) = released.events
    info = resolve_model("test:scripted")
    conversation = [*model.requests[1].messages, Message("assistant", "done")]
    assert [m.role for m in conversation] == ["user", "assistant", "tool", "assistant"]
    tool = wire_json(model.requests[0].tools[0].to_json())
    expected = count_tokens(tool, info.encoding) + sum(
        message_tokens(m, info) for m in conversation
    )
    assert event.metrics.context.used == expected


def test_a_provider_failing_in_a_subtask_ends_the_outer_task_too():
    def model(request):
        if request.messages[0].content.startswith("Polish: "):
            raise ProviderError("test", "timeout", "no answer")
        return _support_model(request)

    fn = FunctionModel(model)
    program = (
        SUBTASK + '(guard (e ((provider-error? e) (provider-error-reason e))) (support "refund?"))'
    )
    assert run(program, fn) == "timeout"
    assert len(fn.requests) == 2  # support's first turn, polish's only turn; nothing after
