"""Helpers for the task-layer tests: interpreters isolated from the user's configuration,
running programs against offline models."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from interpreter.engine.interpreter import Interpreter
from interpreter.limits.events import Event, EventBus
from interpreter.limits.settings import Settings, load_settings
from interpreter.providers import Provider

# No configuration file is found from here, and the environment is not read.
_NOWHERE = Path(tempfile.mkdtemp(prefix="taskscheme-tests-"))


def settings(**values: Any) -> Settings:
    return load_settings(values, cwd=_NOWHERE, environ={}, home=_NOWHERE)


def interpreter(
    model: Provider | None = None, *, config: dict[str, Any] | None = None, **options: Any
) -> Interpreter:
    """An Interpreter whose default model is `model` (an offline provider object), or the
    `model` setting in `config`."""
    return Interpreter(settings(**(config or {})), model=model, **options)


def run(program: str, model: Provider | None = None, **options: Any) -> Any:
    """The value of the program's last form, as Python data."""
    return interpreter(model, **options).eval(program)


class Released:
    """Collects the "released" events of a run: one per finished task call."""

    def __init__(self) -> None:
        self.bus = EventBus()
        self.events: list[Event] = []
        self.bus.subscribe(self._seen)

    def _seen(self, event: Event) -> None:
        if event.kind == "released":
            self.events.append(event)

    def tasks(self) -> list[str]:
        return [event.task for event in self.events]
