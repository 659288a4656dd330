"""Tools: procedures of the program that a model may call while a task runs.

A tool is an ordinary procedure (the program can call it too) that also carries what the
model needs to call it: a name, a description and typed parameters, offered as a
`ToolSpec` with a JSON schema. When the model calls it, the JSON arguments are checked
against the declared types and converted to Scheme values in declared order, so the
procedure never sees a string where it expects a number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from interpreter.diagnostics import did_you_mean, format_error
from interpreter.errors import SchemeError, TaskschemeError, ToolError
from interpreter.lang.datums import UNSPECIFIED, Symbol, frozen, list_to_python, string_text
from interpreter.lang.primitives.common import is_procedure
from interpreter.lang.primitives.json import from_python, to_json_text
from interpreter.lang.printer import write_string
from interpreter.lang.raising import type_error
from interpreter.lang.runtime import apply_procedure
from interpreter.tasks.schema import TYPE_TESTS

AskUser = Callable[[str], str]

# The JSON types a parameter may declare.
TOOL_TYPES = ("string", "number", "integer", "boolean", "array", "object")

# What OpenAI and Anthropic accept as a tool name.
_WIRE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True, slots=True)
class ToolParam:
    """One parameter of a tool and the rules its value keeps. The JSON schema the model
    is shown and the check of what it sends are both made from these fields, so they
    cannot disagree: `minimum`/`maximum` bound a number, `choices` list the values
    allowed, and a parameter that is not `required` takes `default` (if not None) when
    the model leaves it out."""

    name: str
    type: str
    description: str = ""
    minimum: int | float | None = None
    maximum: int | float | None = None
    choices: tuple[str, ...] = ()
    default: Any = None
    required: bool = True

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": self.type}
        if self.type == "array":
            schema["items"] = {}  # OpenAI rejects array parameters without `items`
        if self.description:
            schema["description"] = self.description
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        if self.choices:
            schema["enum"] = list(self.choices)
        if self.default is not None:
            schema["default"] = self.default
        return schema

    def problem(self, value: Any) -> str | None:
        """What is wrong with `value` (decoded JSON) for this parameter, or None."""
        if not TYPE_TESTS[self.type](value):
            return f"must be {_article(self.type)} {self.type}"
        if not self.within_range(value):
            return f"must be {_article(self.type)} {self.type} {self.range_text()}"
        if self.choices and value not in self.choices:
            return "must be one of " + ", ".join(self.choices)
        return None

    def within_range(self, value: int | float) -> bool:
        """Whether a number is within `minimum` and `maximum` (if any)."""
        return (self.minimum is None or value >= self.minimum) and (
            self.maximum is None or value <= self.maximum
        )

    def range_text(self) -> str:
        """`from 1 to 1000`, `at least 1`, `at most 10` (empty with no bounds)."""
        low, high = self.minimum, self.maximum
        if low is not None and high is not None:
            return f"from {low} to {high}"
        if low is not None:
            return f"at least {low}"
        return "" if high is None else f"at most {high}"


class Tool:
    """A procedure the model may call. Calling it from the program calls the procedure."""

    is_procedure = True

    def __init__(
        self, name: str, description: str, params: list[ToolParam], procedure: Any
    ) -> None:
        self.name = self.scheme_name = name
        self.description = description
        self.params = tuple(params)
        self.procedure = procedure
        from interpreter.limits.messages import ToolSpec  # loads with the first tool (start-up)

        self.spec = ToolSpec(
            name,
            description,
            {
                "type": "object",
                "properties": {param.name: param.schema() for param in params},
                "required": [param.name for param in params if param.required],
                "additionalProperties": False,
            },
        )

    def __call__(self, *args: Any) -> Any:
        return apply_procedure(self.procedure, list(args))

    def arguments(self, given: dict[str, Any]) -> dict[str, Any]:
        """The model's JSON arguments checked against the parameters, with the defaults
        of those it left out. An argument that does not fit is the model's mistake: a
        ToolError the model is told of, and the tool does not run."""
        known = [param.name for param in self.params]
        unexpected = [name for name in given if name not in known]
        if unexpected:
            raise ToolError(
                f"{self.name}: unexpected argument(s) {', '.join(unexpected)} "
                f"(its parameters: {', '.join(known) or 'none'})"
            )
        values: dict[str, Any] = {}
        for param in self.params:
            if param.name not in given:
                if param.required:
                    raise ToolError(f"{self.name}: missing argument {param.name} ({param.type})")
                if param.default is not None:
                    values[param.name] = param.default
                continue
            value = given[param.name]
            problem = param.problem(value)
            if problem is not None:
                raise ToolError(
                    f"{self.name}: argument {param.name} {problem}, "
                    f"got {to_json_text(from_python(value))}"
                )
            # JSON allows 2.0 for an integer; the procedure gets 2
            values[param.name] = int(value) if param.type == "integer" else value
        return values

    def run(self, values: dict[str, Any]) -> str:
        """Run the procedure on checked arguments (`arguments`); the result as the text
        the model reads (a string as is, anything else as JSON). Its errors propagate
        to the caller, which decides what the model is told."""
        args = [from_python(values[param.name]) for param in self.params]
        return result_text(apply_procedure(self.procedure, args), self.name)


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def result_text(value: Any, tool: str = "tool") -> str:
    """A tool's result as the model reads it: a string as is, no value as `null`, anything
    else as JSON (a value JSON cannot represent is an error naming the tool)."""
    text = string_text(value)
    if text is not None:
        return text
    if value is UNSPECIFIED:
        return "null"
    return to_json_text(value, proc=f"{tool}: the result cannot be sent to the model")


# `#:tool-errors`: what an error of a tool's procedure does. 'model (the default): it is
# sent to the model as the tool's result; 'raise: it ends the task, as that error.
TOOL_ERRORS = (Symbol("model"), Symbol("raise"))


def tool_errors_option(task: str, value: Any) -> bool:
    """`#:tool-errors 'model` or `'raise`; whether tool errors end the task."""
    if value not in TOOL_ERRORS:
        raise SchemeError(f"{task}: #:tool-errors is 'model or 'raise, got {write_string(value)}")
    return value is TOOL_ERRORS[1]


def failure_detail(error: TaskschemeError, raised: bool) -> dict[str, Any]:
    """What a "tool-error" event says of `error`, raised by a tool's procedure: its kind,
    message and location, and `shown`, the error as `format_error` shows it (location,
    source line, call chain); `outcome` is "raised" when it ends the task, "sent" when
    the model was sent it."""
    return {
        "kind": error.kind,
        "message": error.headline(),
        "location": None if error.span is None else str(error.span),
        "shown": format_error(error),
        "outcome": "raised" if raised else "sent",
    }


def make_tool(name: Any, description: Any, params: Any, procedure: Any) -> Tool:
    """`(make-tool 'name "description" '((param type "description") ...) procedure)`;
    what `define-tool` expands into."""
    if not isinstance(name, Symbol):
        raise type_error("make-tool", "a symbol naming the tool", name, 1)
    tool = name.name
    description = frozen(description)
    if not _WIRE_NAME.match(tool):
        raise ToolError(
            f"make-tool: {tool} cannot be offered to a model: a tool name may use only "
            "letters, digits, _ and -, at most 64 of them"
        )
    if not isinstance(description, str):
        raise type_error("make-tool", "a description string", description, 2)
    if not is_procedure(procedure):
        raise type_error("make-tool", "a procedure", procedure, 4)
    parsed = [tool_param(tool, entry) for entry in _items("make-tool", params, 3)]
    names = [param.name for param in parsed]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate is not None:
        raise ToolError(f"{tool}: parameter {duplicate} is declared twice")
    return Tool(tool, description, parsed, procedure)


def _items(proc: str, value: Any, position: int) -> list[Any]:
    try:
        return list_to_python(value, proc, position)
    except ValueError:
        raise type_error(proc, "a list", value, position) from None


def tool_param(tool: str, entry: Any) -> ToolParam:
    """One parameter of a tool, `(name type "description")`, checked."""
    parts = [frozen(part) for part in _items("make-tool", entry, 3)]
    usage = f'{tool}: a parameter is (name type "description"), got'
    if len(parts) not in (2, 3) or not all(isinstance(p, Symbol | str) for p in parts[:2]):
        raise ToolError(f"{usage} {write_string(entry)}")
    name, kind = (p if isinstance(p, str) else p.name for p in parts[:2])
    description = parts[2] if len(parts) == 3 else ""
    if not isinstance(description, str):
        raise ToolError(f"{usage} {write_string(entry)}: the description must be a string")
    if kind not in TOOL_TYPES:
        raise ToolError(
            f"{tool}: parameter {name} has type {kind}{did_you_mean(kind, TOOL_TYPES)}; the types are {', '.join(TOOL_TYPES)}"
        )
    return ToolParam(name, kind, description)


def ask_through(provider: object, task: str, question: str, ask: AskUser) -> str:
    """The user's answer to a question `task` asks, from `ask` (the terminal, or an
    embedder's function). A provider that records or replays a run has `answer_question`:
    it records the answer in the cassette, or gives the recorded one without asking, so a
    replayed run never reads standard input and answers the same."""
    answer_question = getattr(provider, "answer_question", None)
    if answer_question is None:
        return ask(question)
    return answer_question(task, question, ask)
