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

from interpreter.diagnostics import did_you_mean
from interpreter.errors import ToolError
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
    name: str
    type: str
    description: str

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": self.type}
        if self.type == "array":
            schema["items"] = {}  # OpenAI rejects array parameters without `items`
        if self.description:
            schema["description"] = self.description
        return schema


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
                "required": [param.name for param in params],
                "additionalProperties": False,
            },
        )

    def __call__(self, *args: Any) -> Any:
        return apply_procedure(self.procedure, list(args))

    def call_from_model(self, arguments: dict[str, Any]) -> str:
        """Run the tool on the model's JSON arguments; the result as the text the model
        reads (a string as is, anything else as JSON). Errors propagate to the caller,
        which decides what the model is told."""
        values = [self._argument(param, arguments) for param in self.params]
        unexpected = [name for name in arguments if name not in {p.name for p in self.params}]
        if unexpected:
            expected = ", ".join(p.name for p in self.params) or "none"
            raise ToolError(
                f"{self.name}: unexpected argument(s) {', '.join(unexpected)} "
                f"(its parameters: {expected})"
            )
        return result_text(apply_procedure(self.procedure, values), self.name)

    def _argument(self, param: ToolParam, arguments: dict[str, Any]) -> Any:
        if param.name not in arguments:
            raise ToolError(f"{self.name}: missing argument {param.name} ({param.type})")
        value = arguments[param.name]
        if not TYPE_TESTS[param.type](value):
            raise ToolError(
                f"{self.name}: argument {param.name} must be {_article(param.type)} "
                f"{param.type}, got {to_json_text(from_python(value))}"
            )
        if param.type == "integer":
            return int(value)  # JSON allows 2.0 for an integer; the procedure gets 2
        return from_python(value)


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
        return list_to_python(value)
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
