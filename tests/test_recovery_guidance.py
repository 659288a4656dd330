"""Every exhaustion error ends by saying how to raise the limit that ran out: the task
option, the configuration key and the command-line flag, all derived from the settings
table, after the figures of what was spent."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from tasks_support import settings

from interpreter.engine.interpreter import Interpreter
from interpreter.errors import ResourceExhaustionError
from interpreter.limits.budget import Budget
from interpreter.limits.guidance import LIMIT_SETTINGS, recovery
from interpreter.limits.messages import ModelRequest, ModelResponse, ToolCall, Usage
from interpreter.limits.settings import SETTINGS, Settings
from interpreter.providers import FunctionModel


def _priced(**values) -> Settings:
    """The offline model at $1 per million input and $2 per million output tokens."""
    base = settings(model="test:priced", **values)
    table = {"test:priced": {"input_price": 1, "output_price": 2}}
    return Settings(base.values, base.sources, table, dict.fromkeys(table, "test"))


def _again(request: ModelRequest) -> ModelResponse:
    """An answer asking for the tool `again`: 10 input and 40 output tokens billed."""
    call = ToolCall(f"call_{len(request.messages)}", "again", {})
    return ModelResponse("", (call,), usage=Usage(10, 40))


TOOL = '(define-tool (again) "Go on." "more")\n'

# resource -> (settings, budget, program, what the message says was spent)
SCENARIOS = {
    "turns": (
        settings(),
        None,
        '(define-task (t) #:max-turns 2 #:tools (list again) "go") (t)',
        "task 't' exhausted its turns: 2 of 2 used",
    ),
    "context": (
        settings(),
        None,
        "(llm (make-string 40000 #\\a) #:context-fraction 0.01)",
        "task 'llm' exhausted its context window: ",
    ),
    "output-tokens": (
        settings(),
        None,
        '(define-task (t) #:max-output-tokens 100 #:tools (list again) "go") (t)',
        "task 't' exhausted its output tokens: ",
    ),
    "cost": (
        _priced(),
        None,
        '(define-task (t) #:max-cost 0.001 "go") (t)',
        "task 't' stopped by its cost limit: $0.00 spent + ",
    ),
    "budget-turns": (
        settings(budget_turns=3),
        None,
        '(define-task (t) #:tools (list again) "go") (t)',
        "task 't' stopped by the run budget: 3 of 3 turns used across the run",
    ),
    "budget-tokens": (
        settings(budget_tokens=20),
        None,
        '(llm "a long enough prompt to cross a budget of twenty tokens, surely, yes it is")',
        "task 'llm' stopped by the run budget: 20 + 5 tokens would exceed",
    ),
    "budget-billed-tokens": (
        settings(),
        Budget(max_billed_tokens=100),
        '(define-task (t) #:tools (list again) "go") (t)',
        "task 't' stopped by the run budget: 0 billed + 0 held for requests in flight + ",
    ),
    "budget-cost": (
        _priced(budget_cost=0.001),
        None,
        '(llm "go")',
        "task 'llm' stopped by the run budget: $0.00 spent + $0.00 held for requests",
    ),
}


@pytest.mark.parametrize("resource", sorted(SCENARIOS))
def test_each_exhaustion_says_what_was_spent_and_how_to_raise_the_limit(resource):
    config, budget, program, spent = SCENARIOS[resource]
    interp = Interpreter(
        config, model=FunctionModel(_again, spec=config.get("model")), budget=budget
    )
    with pytest.raises(ResourceExhaustionError) as caught:
        interp.eval(TOOL + program)
    error = caught.value
    assert error.resource == resource
    assert error.message.startswith(spent)
    assert error.message.endswith(". " + recovery(resource))


def test_every_resource_has_its_knobs_from_the_settings_table():
    assert set(LIMIT_SETTINGS) == {*SCENARIOS, "time"}
    for resource, name in LIMIT_SETTINGS.items():
        setting = SETTINGS[name]
        advice = recovery(resource)
        assert f"{name} in taskscheme.toml" in advice and setting.flag in advice
        assert (f"#:{setting.task_option} on the task or this call" in advice) == bool(
            setting.task_option
        )


@pytest.mark.parametrize(
    ("resource", "advice"),
    [
        (
            "turns",
            "Raise it with #:max-turns on the task or this call, max_turns in taskscheme.toml "
            "or --max-turns.",
        ),
        (
            "context",
            "Raise it with #:context-fraction on the task or this call, context_fraction in "
            "taskscheme.toml or --context-fraction; a model with a larger input window "
            "(#:model) also raises it.",
        ),
        (
            "time",
            "Raise it with #:max-seconds on the task or this call, max_task_seconds in "
            "taskscheme.toml or --max-task-seconds.",
        ),
        ("budget-cost", "Raise it with budget_cost in taskscheme.toml or --budget-cost."),
    ],
)
def test_the_advice_reads_well(resource, advice):
    assert recovery(resource) == advice


def test_the_command_line_shows_the_advice(tmp_path):
    program = TOOL + '(define-task (t) #:tools (list again) "go") (t) (t)'
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "interpreter",
            "eval",
            "--model",
            "test",
            "--budget-turns",
            "1",
            program,
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"HOME": str(tmp_path), "PATH": "", "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"]},
    )
    assert result.returncode == 3, result.stderr
    assert "resource-exhausted: task 't' stopped by the run budget: 1 of 1 turns" in result.stderr
    assert "Raise it with budget_turns in taskscheme.toml or --budget-turns." in result.stderr
