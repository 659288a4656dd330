"""A task's output as Python sees it: JSON objects as dicts, and tasks defined from Python
whose output is a pydantic model or a dataclass, validated into an instance."""

from __future__ import annotations

import dataclasses
import enum
import json
import subprocess
import sys
import textwrap
from typing import Literal

import pytest
from tasks_support import interpreter

from interpreter.errors import TaskOutputError
from interpreter.providers import ScriptedModel

ANSWER = '{"label": "bug", "tags": ["ui", null], "meta": {"score": 2, "seen": {"by": "ann"}}}'
EXPECTED = {"label": "bug", "tags": ["ui", None], "meta": {"score": 2, "seen": {"by": "ann"}}}
TASK = """(define-task (classify ticket) #:output 'json "Label: {{ticket}}")"""


def test_a_json_object_answer_reaches_python_as_a_dict_all_the_way_down():
    interp = interpreter(ScriptedModel([ANSWER, ANSWER, ANSWER]))
    interp.eval(TASK)
    assert interp.eval('(classify "crash")') == EXPECTED
    assert interp.call("classify", "crash") == EXPECTED
    assert interp.lookup("classify")("crash") == EXPECTED


def test_a_host_procedure_is_handed_a_json_answer_as_a_dict():
    interp = interpreter(ScriptedModel(['{"a": 1}', '[1, {"b": 2}]']))
    seen = []
    interp.define("keep", lambda value: seen.append(value) or len(seen))
    interp.eval(TASK)
    assert interp.eval('(list (keep (classify "x")) (classify "y"))') == [1, [1, {"b": 2}]]
    assert seen == [{"a": 1}]


def test_association_lists_the_program_makes_are_lists_as_before():
    interp = interpreter(ScriptedModel(['{"a": 1}']))
    interp.eval(TASK)
    program = """(let ((answer (classify "x")))
                   (list answer (list (cons "a" 1)) (map (lambda (e) e) answer)))"""
    # the answer is JSON; an alist built by the program, even from the answer, is not
    assert interp.eval(program) == [{"a": 1}, [["a", 1]], [["a", 1]]]


# -- output classes ------------------------------------------------------------------------


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass
class Item:
    name: str
    quantity: int = 1


@dataclasses.dataclass
class Order:
    items: list[Item]
    color: Color
    kind: Literal["gift", "own"]
    note: str | None = None


ORDER_SCHEMA = {
    "type": "object",
    "properties": {
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "quantity": {"type": "integer"}},
                "required": ["name"],
                "additionalProperties": False,
            },
        },
        "color": {"type": "string", "enum": ["red", "blue"]},
        "kind": {"type": "string", "enum": ["gift", "own"]},
        "note": {"type": ["string", "null"]},
    },
    "required": ["items", "color", "kind"],
    "additionalProperties": False,
}


def test_a_dataclass_output_sends_its_schema_and_returns_an_instance():
    answer = '{"items": [{"name": "tea", "quantity": 2}, {"name": "milk"}], "color": "red", "kind": "own"}'
    model = ScriptedModel([answer, answer])
    interp = interpreter(model)
    order = interp.define_task("order", ["text"], "Order: {{text}}", output=Order, max_turns=2)
    assert order("tea and milk") == Order([Item("tea", 2), Item("milk")], Color.RED, "own")
    assert model.requests[0].output == ORDER_SCHEMA
    # the schema is asked for in the system prompt, which is charged
    assert json.dumps(ORDER_SCHEMA) in model.requests[0].messages[0].content
    assert interp.last_metrics.turns.limit == 2
    # the program can call it too; its value is the instance, handed back as it is
    assert interp.eval('(order "tea")') == Order([Item("tea", 2), Item("milk")], Color.RED, "own")


def test_an_answer_that_does_not_fit_the_class_is_a_task_output_error_and_can_be_repaired():
    bad = '{"items": [{"name": 7}], "color": "red", "kind": "own"}'
    good = '{"items": [], "color": "blue", "kind": "gift", "note": "wrap it"}'
    model = ScriptedModel([bad, bad, good])
    interp = interpreter(model)
    strict = interp.define_task("strict", [], "Order.", output=Order)
    with pytest.raises(TaskOutputError) as caught:
        strict()
    assert caught.value.kind == "task-output-error"
    assert caught.value.problem == (
        "the answer does not satisfy the output schema: at $.items[0].name: "
        "expected a string, got 7"
    )
    assert caught.value.raw == bad
    patient = interp.define_task("patient", [], "Order.", output=Order, output_retries=1)
    assert patient() == Order([], Color.BLUE, "gift", "wrap it")
    assert "does not satisfy the output schema" in model.requests[-1].messages[-1].content


def test_a_dataclass_output_needs_no_pydantic():
    code = textwrap.dedent(
        """
        import dataclasses, sys
        from interpreter import Interpreter, ScriptedModel

        @dataclasses.dataclass
        class Label:
            label: str

        interp = Interpreter(model=ScriptedModel(['{"label": "bug"}']))
        task = interp.define_task("t", [], "Label it.", output=Label)
        assert task() == Label("bug")
        print("pydantic" in sys.modules)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_pydantic_model_output_sends_its_own_schema_and_validates_with_it():
    pydantic = pytest.importorskip("pydantic")

    class Ticket(pydantic.BaseModel):
        label: Literal["bug", "billing"]
        urgency: int = pydantic.Field(ge=1, le=5)
        item: Item | None = None

    model = ScriptedModel(
        [
            '{"label": "bug", "urgency": 3, "item": {"name": "tea"}}',
            '{"label": "bug", "urgency": 9}',
        ]
    )
    interp = interpreter(model)
    classify = interp.define_task("classify", ["ticket"], "Label: {{ticket}}", output=Ticket)
    assert classify("it broke") == Ticket(label="bug", urgency=3, item=Item("tea"))
    assert model.requests[0].output == Ticket.model_json_schema()
    with pytest.raises(TaskOutputError, match=r"at \$\.urgency: Input should be less than"):
        classify("again")


def test_an_output_class_must_be_a_pydantic_model_or_a_dataclass():
    with pytest.raises(TypeError, match="output=Color is neither a pydantic model nor a dataclass"):
        interpreter(ScriptedModel([])).define_task("t", [], "x", output=Color)
