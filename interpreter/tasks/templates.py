"""Prompt templates: `{{name}}` placeholders, checked when the task is defined.

A placeholder names a task parameter or a working-memory key the task asks for; a name
that is neither is a mistake in the program, so it is reported when the task is defined,
not on the first (paid) call, and by `taskscheme check` before the program runs.
Anything between double braces that is not a plain name (`{{"label": "bug"}}` in a JSON
example) is ordinary text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from interpreter.diagnostics import did_you_mean
from interpreter.errors import TemplateError
from interpreter.lang.printer import display_string

# A Scheme identifier: no whitespace, brackets, quotes, commas or colons.
PLACEHOLDER = re.compile(r"\{\{\s*([^\s{}()\[\]\"',:;`]+)\s*\}\}")


class Template:
    """A prompt with placeholders; `names` are the ones it uses, in order of first use."""

    def __init__(self, text: str, task: str, available: Sequence[str]) -> None:
        self.text = text
        unknown = unknown_placeholders(text, task, available)
        if unknown:
            raise unknown[0]
        self.names = tuple(dict.fromkeys(placeholders(text)))

    def render(self, values: Mapping[str, Any]) -> str:
        """The prompt with each placeholder replaced by its value as `display` shows it."""
        return PLACEHOLDER.sub(lambda match: shown(values[match.group(1)]), self.text)


def placeholders(text: str) -> list[str]:
    """The names of the placeholders in `text`, in order."""
    return [match.group(1) for match in PLACEHOLDER.finditer(text)]


def unknown_placeholders(text: str, task: str, available: Sequence[str]) -> list[TemplateError]:
    """An error for each placeholder of `text` naming none of `available`, once each."""
    unknown = [name for name in dict.fromkeys(placeholders(text)) if name not in available]
    return [TemplateError(_unknown(task, name, available)) for name in unknown]


def system_prompt_problem(task: str, system: str, available: Sequence[str]) -> TemplateError | None:
    """A system prompt is sent as it is, so a placeholder in it naming a parameter or a
    requested context key would never be filled: a mistake, not a literal marker."""
    unfilled = [name for name in placeholders(system) if name in available]
    if not unfilled:
        return None
    return TemplateError(
        f"{task}: the system prompt uses {{{{{unfilled[0]}}}}}, but only the "
        "template's placeholders are filled in; the system prompt is sent as it is. "
        "Put the value in the template"
    )


def shown(value: Any) -> str:
    """A value as it appears in a prompt: a string as is, anything else as `display` shows it."""
    return value if isinstance(value, str) else display_string(value)


def _unknown(task: str, name: str, available: Sequence[str]) -> str:
    text = f"{task}: the template uses {{{{{name}}}}}, which is not a parameter or a requested context key"
    if not available:
        return text + "; the task has no parameters and requests no context keys"
    return f"{text}{did_you_mean(name, available)}; available: {', '.join(available)}"
