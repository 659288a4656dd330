"""The Handler's promise, checked on the wire: every request body a provider's real SDK
sends to the local server is re-tokenized there, by the rule docs/resources.md gives, and
must equal what the Handler charged for that turn and never exceed the context limit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fake_llm_server import ANTHROPIC_PATH, Reply

from interpreter import Interpreter
from interpreter.limits.events import Event, EventBus
from interpreter.limits.settings import load_settings
from interpreter.limits.tokens import count_tokens

FRAMING = 3  # the per-message framing docs/resources.md documents for these models

MODELS = {
    "openai": ("openai:gpt-4o-mini", "o200k_base"),
    "ollama": ("ollama:llama3.1", "cl100k_base"),
    "anthropic": ("anthropic:claude-haiku-4-5", "cl100k_base"),
}

PROGRAM = """
(define-tool (lookup (q string "what to find") (n integer "how many")) "Find a part."
  (string-append "Résultat für " q ": Ventil №" (number->string n) " — ✓"))
(define-task (find-part text)
  #:system "Du suchst Teile. Réponds brièvement."
  #:tools (list lookup)
  #:output '((type . "object") (properties (part (type . "string"))))
  "Finde: {{text}}")
(guard (e ((resource-exhausted? e) (resource-error-resource e)))
  (find-part "Pumpe 7, Größe ½″ — 日本語のテキスト"))
"""


def _tokens(text: str, encoding: str) -> int:
    return count_tokens(text, encoding)


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def openai_body_tokens(body: dict[str, Any], encoding: str) -> int:
    """A chat-completions body by the documented rule: each message's content, tool call
    names and argument strings, plus framing; each tool and the response format as
    compact JSON."""
    total = 0
    for message in body["messages"]:
        total += _tokens(message.get("content") or "", encoding) + FRAMING
        for call in message.get("tool_calls") or ():
            function = call["function"]
            total += _tokens(function["name"], encoding) + _tokens(function["arguments"], encoding)
    total += sum(_tokens(_compact(tool), encoding) for tool in body.get("tools") or ())
    if "response_format" in body:
        total += _tokens(_compact(body["response_format"]), encoding)
    return total


def anthropic_body_tokens(body: dict[str, Any], encoding: str) -> int:
    """A Messages body by the documented rule: the system prompt, each assistant turn (its
    text and tool calls as name and compact JSON input) and each block of a user turn
    (a prompt, a tool result) is a message with framing; each tool as compact JSON."""
    total = _tokens(body["system"], encoding) + FRAMING if "system" in body else 0
    for turn in body["messages"]:
        if turn["role"] == "assistant":
            total += FRAMING
        for block in turn["content"]:
            if turn["role"] == "user":
                total += FRAMING
            if block["type"] == "text":
                total += _tokens(block["text"], encoding)
            elif block["type"] == "tool_use":
                total += _tokens(block["name"], encoding) + _tokens(
                    _compact(block["input"]), encoding
                )
            elif block["type"] == "tool_result":
                total += _tokens(block["content"], encoding)
    total += sum(_tokens(_compact(tool), encoding) for tool in body.get("tools") or ())
    return total


def always_call_the_tool(path: str, body: dict[str, Any]) -> Reply:
    return Reply(tool_calls=[("lookup", {"q": "Pumpe 7 — Größe ½″, 日本", "n": 2})])


@pytest.mark.parametrize("vendor", list(MODELS))
def test_every_request_on_the_wire_is_what_the_handler_charged(tmp_path: Path, fake_llm, vendor):
    spec, encoding = MODELS[vendor]
    (tmp_path / "taskscheme.toml").write_text(
        f'[models."{spec}"]\ninput_window = 900\nencoding = "{encoding}"\n', encoding="utf-8"
    )
    settings = load_settings(
        {
            "model": spec,
            "max_turns": 40,
            "context_fraction": 1,
            "openai_base_url": fake_llm.openai_url,
            "openai_api_key": "sk-test",
            "ollama_base_url": fake_llm.openai_url,
            "anthropic_base_url": fake_llm.url,
            "anthropic_api_key": "sk-test",
        },
        cwd=tmp_path,
        environ={},
        home=tmp_path,
    )
    turns: list[Event] = []
    bus = EventBus()
    bus.subscribe(lambda event: turns.append(event) if event.kind == "turn" else None)
    fake_llm.fallback = always_call_the_tool

    assert Interpreter(settings, events=bus).eval(PROGRAM) == "context"

    assert len(fake_llm.received) == len(turns) >= 3
    measure = anthropic_body_tokens if vendor == "anthropic" else openai_body_tokens
    for received, turn in zip(fake_llm.received, turns, strict=True):
        assert (received.path == ANTHROPIC_PATH) == (vendor == "anthropic")
        on_the_wire = measure(received.body, encoding)
        assert on_the_wire <= turn.metrics.context.limit == 900
        assert on_the_wire == turn.metrics.context.used
