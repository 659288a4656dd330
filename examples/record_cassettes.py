"""Regenerate the example cassettes: examples/cassettes/NAME.jsonl and NAME.metrics.json.

The shipped cassettes were NOT recorded from a real model: there is no network where
they were made. Each example runs against the local stand-in server of the test suite
(tests/fake_llm_server.py), which speaks the OpenAI wire format and answers with the
scripted replies below, written to read like a real model's. Everything else is the
real path: the OpenAI SDK, the provider, the task layer, and `RecordingProvider`, the
same recorder `taskscheme run --record` uses. The reported usage is computed with
tiktoken from what was sent, as a provider would report it.

NAME.metrics.json holds the final metrics of every task the run executed (timestamps
left out); the test suite replays each cassette and checks the same figures come back.

    python examples/record_cassettes.py                 # all examples
    python examples/record_cassettes.py tool-use        # one

To record from a real model instead: taskscheme run examples/NAME.scm --record FILE.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fake_llm_server import FakeLLMServer, Reply  # noqa: E402

from interpreter.engine.capabilities import Capabilities  # noqa: E402
from interpreter.engine.interpreter import Interpreter  # noqa: E402
from interpreter.limits.events import Event, EventBus  # noqa: E402
from interpreter.limits.settings import load_settings  # noqa: E402
from interpreter.limits.tokens import count_tokens  # noqa: E402

MODEL = "openai:gpt-4o-mini"
CASSETTES = ROOT / "examples" / "cassettes"

Body = dict[str, Any]


def _messages(body: Body) -> list[dict[str, Any]]:
    return body["messages"]


def _system(body: Body) -> str:
    return next((m["content"] for m in _messages(body) if m["role"] == "system"), "")


def _user(body: Body) -> str:
    return next(m["content"] for m in _messages(body) if m["role"] == "user")


def _tool_results(body: Body) -> list[str]:
    return [m["content"] for m in _messages(body) if m["role"] == "tool"]


def answer(text: str = "", tool_calls: list[tuple[str, dict[str, Any]]] | None = None) -> Any:
    """A reply as the responders write it; usage is filled in from the request."""
    return {"text": text, "tool_calls": tool_calls or []}


# -- ticket-classifier -------------------------------------------------------------------

TICKET_ANSWERS = {
    "I was charged twice": ("billing", "high", "Customer was charged twice for the March invoice."),
    "The export to CSV": ("bug", "medium", "CSV export button does nothing in Firefox."),
    "How do I change the email": ("account", "low", "Wants to change the account email address."),
    "It would be great if the dashboard": (
        "feature-request",
        "low",
        "Asks for weekly totals on the dashboard.",
    ),
    "The app crashes": ("bug", "high", "App crashes on photo uploads over 10 MB, blocking a team."),
    "My card was declined": (
        "billing",
        "medium",
        "Card declined at renewal; bank reports no issue.",
    ),
    "I can't log in": ("account", "high", "Cannot log in: password reset email never arrives."),
    "Please add a dark mode": ("feature-request", "low", "Requests a dark mode."),
    "Do you have an office": ("other", "low", "Asks whether there is an office in Lisbon."),
    "Search results are empty": ("bug", "medium", "Search returns nothing for terms with umlauts."),
    "We were billed for 12 seats": (
        "billing",
        "high",
        "Billed for 12 seats but has 9 users; needs fix by Friday.",
    ),
    "Two-factor codes": ("account", "high", "2FA codes rejected; locked out of the admin account."),
}


def ticket_classifier(body: Body) -> Any:
    ticket = _user(body).split("Ticket: ", 1)[1]
    label, urgency, summary = next(v for k, v in TICKET_ANSWERS.items() if ticket.startswith(k))
    return answer(json.dumps({"label": label, "urgency": urgency, "summary": summary}))


# -- summarize-critique -------------------------------------------------------------------

FIRST_DRAFT = (
    "Harbor City will turn the empty Pier 9 warehouse into a public library and maker "
    "space. Supporters say the waterfront lacks indoor public space, while critics want "
    "existing branches repaired first. A late-night bus line to the east side was also approved."
)
NOTES = (
    "Say that the council decided it (7-2), give the cost (18 million dollars, 11 million "
    "from a state grant, the rest from the city over three years) and when it opens "
    "(autumn of next year). Drop the critics' detail if you need the room."
)
SECOND_DRAFT = (
    "Harbor City's council voted 7-2 to turn the empty Pier 9 warehouse into a public "
    "library and maker space, opening in autumn next year. The 18-million-dollar project "
    "is paid with an 11-million state grant and 7 million from the city over three years. "
    "A new late-night bus line will link Pier 9 to the east side."
)


def summarize_critique(body: Body) -> Any:
    prompt = _user(body)
    if prompt.startswith("Summarize this article"):
        return answer(FIRST_DRAFT)
    if prompt.startswith("Rewrite the summary"):
        return answer(SECOND_DRAFT)
    if FIRST_DRAFT in prompt:
        return answer(json.dumps({"verdict": "revise", "notes": NOTES}))
    return answer(json.dumps({"verdict": "accept", "notes": "Accurate and complete."}))


# -- tool-use -------------------------------------------------------------------------------

DRAFT_REPLY = (
    "Hi Sam, I'm sorry your headphones stopped working. Your order A-1042 (noise-cancelling "
    "headphones, 249 dollars) was delivered on 2 May. Opened headphones can be refunded "
    "when they are defective, and a left ear that stopped working counts. Please send them "
    "back in the original packaging within 30 days of delivery and we will refund you."
)
POLISHED_REPLY = (
    "Hi Sam,\n\nSorry to hear your headphones stopped working! Good news: since they are "
    "defective, your order A-1042 (noise-cancelling headphones, $249, delivered 2 May) "
    "qualifies for a refund. Just send them back in the original packaging within 30 days "
    "of delivery and we'll refund you in full.\n\nBest regards,\nThe Support Team"
)


def tool_use(body: Body) -> Any:
    if _system(body).startswith("You edit customer support replies"):
        return answer(POLISHED_REPLY)
    results = _tool_results(body)
    if not results:
        return answer(tool_calls=[("lookup-order", {"order-id": "A1042"})])
    last = results[-1]
    if last.startswith("error:"):
        return answer(tool_calls=[("lookup-order", {"order-id": "A-1042"})])
    if '"category": "electronics"' in last:
        return answer(tool_calls=[("refund-policy", {"category": "electronics"})])
    if last.startswith("Refunds within"):
        return answer(tool_calls=[("polish-reply", {"draft": DRAFT_REPLY})])
    return answer(last)


# -- limit-guard ----------------------------------------------------------------------------


def limit_guard(body: Body) -> Any:
    query = "churn" if _tool_results(body) else "revenue"
    return answer(tool_calls=[("search-notes", {"query": query})])


RESPONDERS: dict[str, Callable[[Body], Any]] = {
    "ticket-classifier": ticket_classifier,
    "summarize-critique": summarize_critique,
    "tool-use": tool_use,
    "limit-guard": limit_guard,
}


# -- recording ------------------------------------------------------------------------------


def _usage(body: Body, reply: dict[str, Any]) -> tuple[int, int]:
    """Usage as a provider reports it: the request's messages and tools, and the reply."""
    sent = json.dumps(body["messages"]) + json.dumps(body.get("tools", []))
    received = reply["text"] + "".join(json.dumps(c) for c in reply["tool_calls"])
    return count_tokens(sent), max(1, count_tokens(received))


def _serve(responder: Callable[[Body], Any]) -> Callable[[str, Body], Reply]:
    def fallback(path: str, body: Body) -> Reply:
        reply = responder(body)
        return Reply(reply["text"], reply["tool_calls"], usage=_usage(body, reply))

    return fallback


def metrics_record(event: Event) -> dict[str, Any]:
    """A released task's metrics without the time of its last turn and the time it took
    (the figures a replay cannot reproduce)."""
    data = event.metrics.to_dict()
    del data["turns"]["last_turn_at"]
    del data["time"]
    return data


def sorted_metrics(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """In a stable order: parallel tasks finish in any order."""
    return sorted(records, key=lambda r: json.dumps(r, sort_keys=True))


def record(name: str, server: FakeLLMServer, home: Path) -> None:
    server.fallback = _serve(RESPONDERS[name])
    settings = load_settings(
        {
            "model": MODEL,
            "openai_base_url": server.openai_url,
            "openai_api_key": "sk-local-stand-in",
        },
        cwd=ROOT,
        environ={},
        home=home,
    )
    released: list[dict[str, Any]] = []
    events = EventBus()
    events.subscribe(lambda e: released.append(metrics_record(e)) if e.kind == "released" else None)
    cassette = CASSETTES / f"{name}.jsonl"
    program = f"examples/{name}.scm"
    interpreter = Interpreter(
        settings,
        events=events,
        record_path=str(cassette),
        argv=[program],
        capabilities=Capabilities.for_program(ROOT / "examples"),  # as `taskscheme run`
    )
    interpreter.run_file(ROOT / program)
    metrics_file = CASSETTES / f"{name}.metrics.json"
    metrics_file.write_text(json.dumps(sorted_metrics(released), indent=2) + "\n", encoding="utf-8")
    exchanges = len(cassette.read_text(encoding="utf-8").splitlines()) - 1
    print(f"recorded {cassette.relative_to(ROOT)}: {exchanges} exchanges, {len(released)} tasks")


def main(names: list[str]) -> None:
    unknown = [n for n in names if n not in RESPONDERS]
    if unknown:
        sys.exit(
            f"unknown example(s) {', '.join(unknown)}; the examples are {', '.join(RESPONDERS)}"
        )
    CASSETTES.mkdir(exist_ok=True)
    with FakeLLMServer() as server, tempfile.TemporaryDirectory() as home:
        for name in names or RESPONDERS:
            print(f"--- {name}")
            record(name, server, Path(home))


if __name__ == "__main__":
    os.chdir(ROOT)  # the examples read their data relative to the repository root
    main(sys.argv[1:])
