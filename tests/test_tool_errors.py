"""Errors of a tool's own procedure: sent to the model, shown as a warning, counted in the
metrics, published as an event, or raised as the task's error with `#:tool-errors 'raise`.
Calls the model gets wrong (no such tool, arguments that do not fit) are not tool errors."""

from __future__ import annotations

import subprocess
import sys

import pytest
from tasks_support import interpreter

from interpreter.errors import SchemeTypeError
from interpreter.providers import ScriptedModel

BROKEN = """(define-tool (add-one (n integer "a number"))
  "Adds one."
  (+ n "one"))
"""


def _call(name: str, **arguments: object) -> dict:
    return {"tool_calls": [{"name": name, "arguments": arguments}]}


def test_a_tool_error_on_the_command_line_is_a_warning_with_its_place_and_chain(tmp_path):
    (tmp_path / "t.scm").write_text(
        BROKEN
        + '(define-task (ask q) #:tools (list add-one) "{{q}}")\n'
        + '(display (ask "go"))\n'
        + "(display (metrics-ref (task-metrics) 'tool-errors))\n"
    )
    (tmp_path / "s.toml").write_text(
        '[[reply]]\ntool_calls = [{name = "add-one", arguments = {n = 2}}]\n'
        '[[reply]]\ntext = "done"\n'
    )
    result = subprocess.run(
        [sys.executable, "-m", "interpreter", "run", "t.scm", "--model", "script:s.toml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout == "done1"
    assert result.stderr.splitlines() == [
        "warning: in task ask, tool add-one failed; its error was sent to the model:",
        't.scm:3:3: type-error: +: expected a number as argument 2, got "one"',
        '   3 |   (+ n "one"))',
        "         ^^^^^^^^^^^",
        "call chain (innermost first):",
        "  in add-one",
    ]


def test_the_model_is_sent_the_error_and_the_event_says_where_it_happened():
    model = ScriptedModel([_call("add-one", n=2), "done"])
    interp = interpreter(model)
    seen = []
    interp.subscribe(lambda event: seen.append(event) if event.kind == "tool-error" else None)
    program = (
        BROKEN
        + """(define-task (ask q) #:tools (list add-one) "{{q}}")
    (list (ask "go") (metrics-ref (task-metrics) 'tool-errors))"""
    )
    assert interp.eval(program, "p.scm") == ["done", 1]
    tool_message = model.requests[1].messages[-1]
    assert tool_message.is_error
    assert tool_message.content == 'error: +: expected a number as argument 2, got "one"'
    (event,) = seen
    assert event.task == "ask"
    assert event.detail["tool"] == "add-one" and event.detail["kind"] == "type-error"
    assert event.detail["location"] == "p.scm:3:3"
    assert event.detail["outcome"] == "sent"
    assert event.metrics.tool_errors == 1
    assert "in add-one" in event.detail["shown"]


@pytest.mark.parametrize(
    "call",
    [
        _call("add-one", n="two"),  # an argument of the wrong type
        _call("add-one"),  # a missing argument
        _call("add-two", n=1),  # no such tool
    ],
)
def test_a_call_the_model_got_wrong_is_not_a_tool_error(call):
    model = ScriptedModel([call, "sorry"])
    interp = interpreter(model)
    seen = []
    interp.subscribe(lambda event: seen.append(event.kind))
    program = (
        BROKEN
        + """(define-task (ask q) #:tools (list add-one) "{{q}}")
    (list (ask "go") (metrics-ref (task-metrics) 'tool-errors))"""
    )
    assert interp.eval(program) == ["sorry", 0]
    assert model.requests[1].messages[-1].is_error
    assert "tool" in seen and "tool-error" not in seen


def test_tool_errors_raise_ends_the_task_with_the_original_error():
    model = ScriptedModel([_call("add-one", n=2), "never asked"])
    interp = interpreter(model)
    released = []
    interp.subscribe(lambda event: released.append(event) if event.kind == "released" else None)
    interp.eval(
        BROKEN + """(define-task (ask q) #:tools (list add-one) #:tool-errors 'raise "{{q}}")""",
        "p.scm",
    )
    with pytest.raises(SchemeTypeError) as raised:
        interp.eval('(ask "go")')
    assert raised.value.kind == "type-error"
    assert str(raised.value.span) == "p.scm:3:3"
    assert len(model.requests) == 1  # the error was not sent back
    (event,) = released
    assert event.detail == {"outcome": "error", "error": "type-error"}
    assert interp.last_metrics.released and interp.last_metrics.tool_errors == 1


def test_the_program_can_catch_a_raised_tool_error():
    model = ScriptedModel([_call("add-one", n=2)])
    program = (
        BROKEN
        + """(define-task (ask q) #:tools (list add-one) #:tool-errors 'raise "{{q}}")
    (guard (e (#t (list 'caught (error-object-message e)))) (ask "go"))"""
    )
    assert interpreter(model).eval(program) == [
        "caught",
        '+: expected a number as argument 2, got "one"',
    ]


def test_tool_errors_takes_model_or_raise():
    program = (
        BROKEN + """(define-task (ask q) #:tools (list add-one) #:tool-errors 'loud "{{q}}")"""
    )
    with pytest.raises(Exception, match=r"#:tool-errors is 'model or 'raise, got loud"):
        interpreter(ScriptedModel([])).eval(program)


def test_check_finds_a_tool_errors_value_that_is_neither():
    program = '(define-task (ask q) #:tool-errors \'loud "{{q}}")\n(llm "x" #:tool-errors 3)\n'
    errors = interpreter().check(program, "p.scm")
    assert [(str(error.span), error.message) for error in errors] == [
        ("p.scm:1:36", "ask: #:tool-errors is 'model or 'raise, got loud"),
        ("p.scm:2:24", "llm: #:tool-errors is 'model or 'raise, got 3"),
    ]
