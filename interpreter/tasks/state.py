"""The task language's state in one Interpreter: working memory and the running tasks.

Both follow the computation, not the process: they are context variables, so a
parallel-map item sees the working memory and task chain of the code that started it,
and each Interpreter has its own variables, so two Interpreters never see each other's.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from interpreter.lang.datums import Environment, is_pair


class TaskState:
    """`working_memory`: the environment of the innermost running `with-context`, whose
    chain holds the working memory a task called now may be given (outside any, an
    empty environment); `chain`: the tasks running in this computation, outermost first
    (each a task's options object, compared by identity); `json_outputs`: while a host's
    call runs (and will convert its result to Python), the JSON values tasks answered
    with, by id, so that they leave as Python JSON data (an object as a dict) rather
    than as the association lists they are in the language; None otherwise, when
    nothing is kept."""

    def __init__(self) -> None:
        outside = Environment.make({})  # with no with-context running, no working memory
        self.working_memory: ContextVar[Environment] = ContextVar("working_memory", default=outside)
        self.chain: ContextVar[tuple[Any, ...]] = ContextVar("task_chain", default=())
        self.json_outputs: ContextVar[dict[int, Any] | None] = ContextVar(
            "json_outputs", default=None
        )

    def note_json(self, value: Any) -> None:
        """Remember `value`, a task's JSON answer as language data, if a host's call
        will convert it (only a container: an atom converts the same either way)."""
        outputs = self.json_outputs.get()
        if outputs is not None and (is_pair(value) or type(value) is list):
            outputs[id(value)] = value
