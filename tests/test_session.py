"""Embedding and the command line build a run from settings the same way.

One `taskscheme.toml` in the working directory sets a task limit, a run budget and a trace
file. The same program then runs through `taskscheme run` and through
`Interpreter(load_settings())`, both against the local stand-in server, and both must stop
after the same number of model requests, with the same error and the same trace.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from fake_llm_server import FakeLLMServer

from interpreter import Budget, EventBus, Interpreter, ResourceExhaustionError, ScriptedModel
from interpreter.errors import EXIT_RESOURCE
from interpreter.limits.settings import load_settings

PROGRAM = """
(define-tool (lookup (query string "What to look up"))
  "Look something up."
  (string-append "nothing found for " query))

(define-task (research question) #:tools (list lookup) "{{question}}")

(display (research "Where is the office?"))
(newline)
(display (research "Where is the canteen?"))
"""


@dataclass(frozen=True)
class Outcome:
    """What a front end did with the program: the requests it sent, the resource that
    stopped it, the task's turn limit, and the kinds of the events in its trace file."""

    requests: int
    resource: str
    turn_limit: int
    trace: tuple[str, ...]


def without_taskscheme_variables(monkeypatch: pytest.MonkeyPatch, directory: Path) -> None:
    """Only the project file in `directory` configures the run."""
    for name in [name for name in os.environ if name.startswith("TASKSCHEME_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(directory / "no-user-config"))


def run_on_the_command_line(directory: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "interpreter", "run", "program.scm"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == EXIT_RESOURCE, result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


def run_embedded(directory: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(directory)
    with (
        Interpreter(load_settings()) as interpreter,
        pytest.raises(ResourceExhaustionError) as stopped,
    ):
        interpreter.run_file("program.scm")
    return stopped.value.message


def run_front_end(front_end: str, directory: Path, limits: str, monkeypatch) -> Outcome:
    """Run PROGRAM in `directory` under `limits` (taskscheme.toml lines) through
    `front_end`, against a server that would answer every request the program makes."""
    directory.mkdir()
    (directory / "program.scm").write_text(PROGRAM, encoding="utf-8")
    with FakeLLMServer() as server:
        (directory / "taskscheme.toml").write_text(
            'model = "openai:gpt-4o-mini"\n'
            f'openai_base_url = "{server.openai_url}"\n'
            'openai_api_key = "sk-test"\n'
            'trace = "run.jsonl"\n' + limits,
            encoding="utf-8",
        )
        for _ in range(2):
            server.reply(tool_calls=[("lookup", {"query": "office"})])
            server.reply("Lisbon.")
        if front_end == "command line":
            message = run_on_the_command_line(directory)
        else:
            message = run_embedded(directory, monkeypatch)
    lines = (directory / "run.jsonl").read_text(encoding="utf-8").splitlines()
    events = [json.loads(line) for line in lines]
    (exhausted,) = [event for event in events if event["event"] == "exhausted"]
    assert exhausted["detail"]["message"] in message
    return Outcome(
        requests=len(server.received),
        resource=exhausted["detail"]["resource"],
        turn_limit=exhausted["metrics"]["turns"]["limit"],
        trace=tuple(event["event"] for event in events),
    )


@pytest.mark.parametrize(
    ("limits", "requests", "resource", "turn_limit"),
    [
        # The run budget stops the first task's second request.
        ("max_turns = 2\nbudget_turns = 1\n", 1, "budget-turns", 2),
        # The task's own limit stops it while the budget still has room.
        ("max_turns = 1\nbudget_turns = 10\n", 1, "turns", 1),
    ],
)
def test_the_command_line_and_an_embedded_interpreter_enforce_the_same_settings(
    tmp_path, monkeypatch, limits, requests, resource, turn_limit
):
    without_taskscheme_variables(monkeypatch, tmp_path)
    command_line = run_front_end("command line", tmp_path / "cli", limits, monkeypatch)
    embedded = run_front_end("embedded", tmp_path / "embedded", limits, monkeypatch)

    assert (command_line.requests, command_line.resource, command_line.turn_limit) == (
        requests,
        resource,
        turn_limit,
    )
    assert command_line.trace.count("turn") == requests
    assert command_line.trace[-1] == "released"
    assert embedded == command_line


def test_an_explicit_budget_wins_over_the_settings(tmp_path, monkeypatch):
    without_taskscheme_variables(monkeypatch, tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taskscheme.toml").write_text("budget_turns = 1\n", encoding="utf-8")
    budget = Budget(max_turns=3)
    model = ScriptedModel(["one", "two", "three"])
    with Interpreter(load_settings(), model=model, budget=budget) as interpreter:
        interpreter.eval('(define-task (say word) "Say {{word}}")')
        assert interpreter.eval('(list (say "a") (say "b") (say "c"))') == ["one", "two", "three"]
    assert budget.snapshot().turns_used == 3


def test_closing_detaches_the_trace_from_a_bus_passed_in(tmp_path, monkeypatch):
    without_taskscheme_variables(monkeypatch, tmp_path)
    monkeypatch.chdir(tmp_path)
    bus = EventBus()
    settings = load_settings({"trace": "run.jsonl"})
    with Interpreter(settings, model=ScriptedModel(["ok"]), events=bus) as interpreter:
        assert bus.active
        interpreter.eval('(define-task (say word) "Say {{word}}") (say "a")')
    assert not bus.active
    kinds = [json.loads(line)["event"] for line in Path("run.jsonl").read_text().splitlines()]
    assert kinds.count("turn") == 1 and kinds[-1] == "released"


def test_check_leaves_the_configured_trace_file_alone(tmp_path, monkeypatch):
    without_taskscheme_variables(monkeypatch, tmp_path)
    (tmp_path / "taskscheme.toml").write_text('trace = "run.jsonl"\n', encoding="utf-8")
    (tmp_path / "program.scm").write_text("(display 1)\n", encoding="utf-8")
    (tmp_path / "run.jsonl").write_text('{"event": "turn"}\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "interpreter", "check", "program.scm"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "run.jsonl").read_text() == '{"event": "turn"}\n'
