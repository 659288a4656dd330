"""What each request carries beside its conversation, as the provider sends it.

Every request offers the task's tools and may ask for an output format. The Handler
charges them as the JSON text of exactly what the provider puts on the wire, built by the
same functions the provider builds its requests with, so what is charged is what is
sent. Providers without a wire format of their own (test models, and anything else an
embedder passes in) are charged the tools' plain description and no output format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from interpreter.limits.messages import ToolSpec, wire_json
from interpreter.providers import anthropic, openai

_TOOL_ENTRIES: dict[str, Callable[[ToolSpec], dict[str, Any]]] = {
    "openai": openai.tool_entry,
    "ollama": openai.tool_entry,
    "anthropic": anthropic.tool_entry,
}

# Anthropic has no output format field: JSON is asked for in the (charged) system prompt.
_OUTPUT_FORMATS: dict[str, Callable[[str | dict[str, Any]], dict[str, Any] | None]] = {
    "openai": openai.response_format,
    "ollama": openai.response_format,
}


def tool_parts(provider: str, tools: Iterable[ToolSpec]) -> dict[str, str]:
    """Each tool's description as `provider` sends it, by tool name."""
    entry = _TOOL_ENTRIES.get(provider, ToolSpec.to_json)
    return {tool.name: wire_json(entry(tool)) for tool in tools}


def output_parts(provider: str, output: str | dict[str, Any]) -> dict[str, str]:
    """The output format as `provider` sends it (empty if it sends none)."""
    output_format = _OUTPUT_FORMATS.get(provider)
    sent = output_format(output) if output_format is not None else None
    return {} if sent is None else {"response_format": wire_json(sent)}
