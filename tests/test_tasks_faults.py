"""Task programs against a model server that misbehaves at random.

Small programs (a task with tools, JSON output, a subtask called from a tool) run against
the local fake server, whose answers hypothesis draws from good ones and faults: HTTP
errors, answers too slow for the timeout (late, or drip-fed), truncated and malformed
bodies, missing or wrong usage figures, tool calls with bad arguments or to unknown
tools. Whatever comes back, only language errors escape, no run outlives its requests'
deadlines, each Handler stays within its limits and counts exactly the requests sent,
and every task call started is released once.

The normal suite runs a few examples; set FUZZ_EXAMPLES (e.g. 500) for a
longer run.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import pytest
from fake_llm_server import FakeLLMServer, Reply
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interpreter.errors import TaskschemeError
from interpreter.limits.events import Event
from tests.tasks_support import interpreter

TIMEOUT = 0.3
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))

PROGRAM = """
(define-tool (lookup (query string "What to look up"))
  "Look something up."
  (string-append "found " query))

(define-task (summarize text) #:max-turns 2 "Summarize: {{text}}")

(define-tool (shorten (text string "The text to shorten"))
  "Shorten a text with a subtask."
  (summarize text))

(define-task (answer question)
  #:max-turns 4
  #:tools (list lookup shorten)
  #:output 'json
  "Answer as JSON: {{question}}")

(answer "Where is the office?")
"""


def _completion(message: dict[str, Any], usage: Any = None) -> str:
    body: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
    }
    if usage is not None:
        body["usage"] = usage
    return json.dumps(body)


_GOOD = _completion({"role": "assistant", "content": '{"office": "Lisbon"}'})
_BAD_TOOL_JSON = _completion(
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "c1",
                "type": "function",
                "function": {"name": "lookup", "arguments": "{not json"},
            }
        ],
    }
)

REPLIES = {
    "json answer": lambda: Reply('{"office": "Lisbon"}'),
    "text answer": lambda: Reply("Lisbon, I think"),
    "cut off answer": lambda: Reply('{"office": "Lis', finish_reason="length"),
    "lookup": lambda: Reply(tool_calls=[("lookup", {"query": "office"})]),
    "shorten": lambda: Reply(tool_calls=[("shorten", {"text": "a long text"})]),
    "both tools": lambda: Reply(
        tool_calls=[("lookup", {"query": "office"}), ("shorten", {"text": "text"})]
    ),
    "unknown tool": lambda: Reply(tool_calls=[("teleport", {"to": "Lisbon"})]),
    "wrong tool arguments": lambda: Reply(tool_calls=[("lookup", {"question": 3})]),
    "tool arguments not JSON": lambda: Reply(raw=_BAD_TOOL_JSON),
    "HTTP 400": lambda: Reply(status=400, error="bad request"),
    "HTTP 401": lambda: Reply(status=401, error="who are you"),
    "HTTP 404": lambda: Reply(status=404, error="no such model"),
    "HTTP 429": lambda: Reply(status=429, error="slow down"),
    "HTTP 500": lambda: Reply(status=500, error="oops"),
    "HTTP 503": lambda: Reply(status=503, error="overloaded"),
    "late": lambda: Reply('{"office": "Lisbon"}', delay=TIMEOUT + 0.3),
    "drip-fed": lambda: Reply('{"office": "Lisbon"}', drip=TIMEOUT / 2),
    "truncated body": lambda: Reply(raw=_GOOD[: len(_GOOD) // 2]),
    "HTML body": lambda: Reply(raw="<html>oops</html>", content_type="text/html"),
    "empty object": lambda: Reply(raw="{}"),
    "no usage": lambda: Reply(raw=_GOOD),
    "usage as strings": lambda: Reply("fine", usage=("12", "3")),
    "negative usage": lambda: Reply("fine", usage=(-5, 3)),
    "null usage": lambda: Reply(
        raw=_completion(
            {"role": "assistant", "content": "ok"},
            {"prompt_tokens": None, "completion_tokens": None},
        )
    ),
}

scripts = st.lists(st.sampled_from(sorted(REPLIES)), max_size=8)


@pytest.fixture(scope="module")
def server():
    with FakeLLMServer() as fake:
        fake.reply('{"office": "Lisbon"}')
        run(fake)  # loads the SDK and the tokenizer, which no example should be timed on
        yield fake


def run(server: FakeLLMServer) -> list[Event]:
    """Run PROGRAM against `server`; the events of the run."""
    events: list[Event] = []
    interp = interpreter(
        config={
            "model": "openai:gpt-4o-mini",
            "openai_base_url": server.openai_url,
            "openai_api_key": "sk-test",
            "timeout": TIMEOUT,
        },
        observers=[events.append],
    )
    try:
        interp.eval(PROGRAM)
    except TaskschemeError:
        pass  # the program failed as a program may; anything else escapes the test
    finally:
        interp.close()
    return events


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(script=scripts)
def test_a_task_program_survives_any_sequence_of_model_faults(server, script):
    server.replies.clear()
    server.received.clear()
    for name in script:
        server.replies.append(REPLIES[name]())
    started = time.monotonic()
    events = run(server)
    elapsed = time.monotonic() - started

    requests = len(server.received)
    # each request ends by its deadline, give or take a loaded machine; a drip-fed
    # answer left to finish would take 45 s
    assert elapsed < requests * (TIMEOUT + 1.0) + 5.0

    released = [event for event in events if event.kind == "released"]
    handlers = {event.handler_id for event in events if event.handler_id is not None}
    assert sorted(event.handler_id for event in released) == sorted(handlers)
    assert released, "the task was never started"
    for event in released:
        metrics = event.metrics
        assert metrics.turns.used <= metrics.turns.limit
        assert metrics.context.used <= metrics.context.peak_usage <= metrics.context.limit
    # every turn charged is one request the server received, and nothing more
    assert sum(event.metrics.turns.used for event in released) == requests
