"""What a task answers with: text, JSON, or JSON that satisfies a schema.

The form is chosen when the task is defined (`#:output`) and asked of the provider with
each request, but a model's promise is not trusted: a JSON answer is parsed and checked
here, and an answer that is not what was asked for is a `TaskOutputError` carrying the raw
text, so the program can see (and log) exactly what came back. Nothing is retried unless
the task asks for it (`#:output-retries N`): then the problem is sent back to the model,
which answers again, each attempt a turn like any other.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from interpreter.errors import ConfigError, SchemaError, SchemeError, TaskOutputError
from interpreter.lang.datums import Symbol, is_pair
from interpreter.lang.primitives.hashtables import HashTable
from interpreter.lang.primitives.json import from_python, to_python
from interpreter.lang.printer import write_abbreviated
from interpreter.limits.models import whole_number_problem
from interpreter.tasks.schema import check_schema, violation

if TYPE_CHECKING:  # the message types load with the first task call (start-up)
    from interpreter.limits.messages import ModelResponse

Output = str | dict[str, Any]  # "text", "json", or a checked JSON schema


@dataclass(frozen=True, slots=True)
class TypedOutput:
    """An output given as a Python class by a host (engine/output_types.py): `schema` is
    what the model is asked for and charged, as it is (the class's own JSON schema, not
    checked against the subset `#:output` schemas use), and `convert` turns the decoded
    answer into the task's value, raising ValueError (saying where) if it does not fit."""

    name: str
    schema: dict[str, Any]
    convert: Callable[[Any], Any]


TEXT, JSON = Symbol("text"), Symbol("json")
# The most times `#:output-retries` may send an answer back to be repaired.
MAX_OUTPUT_RETRIES = 10


def output_option(task: str, value: Any) -> Output:
    """`#:output`: 'text, 'json, or a JSON schema given as an alist, a hash table or JSON
    text. A schema is checked now, so a mistake in it is found before any model call."""
    if value is TEXT or value is JSON:
        return value.name
    if isinstance(value, TypedOutput):
        return value.schema
    if isinstance(value, str):
        try:
            data = json.loads(value)
        except json.JSONDecodeError as error:
            raise SchemaError(
                f"{task}: the #:output schema is not valid JSON: {_where(error)}"
            ) from None
    elif isinstance(value, HashTable) or is_pair(value):
        try:
            data = to_python(value, "#:output")
        except SchemeError as error:
            raise SchemaError(f"{task}: {error.message}") from None
    else:
        raise SchemeError(
            f"{task}: #:output must be 'text, 'json or a JSON schema "
            f"(an alist, a hash table or JSON text), got {write_abbreviated(value)}"
        )
    try:
        return check_schema(data)
    except SchemaError as error:
        raise SchemaError(f"{task}: {error.message}") from None


def decode(
    task: str,
    response: ModelResponse,
    output: Output,
    convert: Callable[[Any], Any] | None = None,
) -> Any:
    """The task's result from the model's final answer: the text itself, or the JSON it
    contains as Scheme data, checked against the schema if there is one; with `convert`
    (a typed output's), what it makes of the JSON."""
    raw = response.text
    if output == "text":
        return raw
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        problem = f"the answer is not valid JSON: {_where(error)}"
        raise TaskOutputError(task, problem + _truncation(response), raw) from None
    try:
        if convert is not None:
            return convert(data)
        wrong = violation(data, output) if isinstance(output, dict) else None
    except ValueError as error:
        wrong = str(error)
    if wrong is not None:
        problem = f"the answer does not satisfy the output schema: {wrong}"
        raise TaskOutputError(task, problem + _truncation(response), raw)
    return from_python(data)


def _where(error: json.JSONDecodeError) -> str:
    return f"{error.msg} at line {error.lineno} column {error.colno}"


def _truncation(response: ModelResponse) -> str:
    if response.finish_reason == "length":
        return " (the model stopped at its output token limit)"
    return ""


def output_retries_option(task: str, value: Any) -> int:
    """`#:output-retries`: how many times an answer that is not the output asked for is
    sent back to be repaired, 0 (the default: none) to MAX_OUTPUT_RETRIES."""
    problem = whole_number_problem(value, 0)
    if problem is None and value > MAX_OUTPUT_RETRIES:
        problem = f"must be at most {MAX_OUTPUT_RETRIES}"
    if problem:
        raise ConfigError(f"{task}: #:output-retries {write_abbreviated(value)} {problem}")
    return value


def repair_request(error: TaskOutputError) -> str:
    """What is sent back after an answer that is not the output the task asked for: the
    problem, and the request to answer again."""
    return (
        f"Your answer was not accepted: {error.problem}. "
        "Answer again, with only the corrected output."
    )
