"""The resource model as a user meets it: limits set in a config file and on the command
line, each limit hit on purpose, the error and metrics printed, the trace file written.

Programs run through the real `taskscheme` command against the local OpenAI-compatible
server, so every request counted here is one that went over HTTP.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

LOOKUP_PROGRAM = """
(define-tool (lookup (query string "What to look up"))
  "Look something up."
  (string-append "nothing found for " query))

(define-task (research question)
  #:tools (list lookup)
  "{{question}}")

(display (research "Where is the office?"))
"""

ONE_TURN_PROGRAM = """
(define-task (echo word) #:max-turns 1 "Say {{word}}")
(for-each (lambda (w) (display (echo w)) (newline)) '("a" "b" "c" "d" "e"))
"""


def run(tmp_path: Path, server, program: str, *options: str, env: dict | None = None):
    path = tmp_path / "program.scm"
    path.write_text(program, encoding="utf-8")
    environment = {
        **os.environ,
        "TASKSCHEME_OPENAI_BASE_URL": server.openai_url,
        "TASKSCHEME_OPENAI_API_KEY": "sk-test",
        "XDG_CONFIG_HOME": str(tmp_path / "no-user-config"),
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "interpreter",
        "run",
        str(path),
        "--model",
        "openai:gpt-4o-mini",
        *options,
    ]
    return subprocess.run(
        command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=60
    )


def script_tool_calls(server, count: int) -> None:
    for _ in range(count):
        server.reply(tool_calls=[("lookup", {"query": "office"})])


def test_turn_limit_from_the_command_line_ends_the_run_with_exit_3(tmp_path, fake_llm):
    script_tool_calls(fake_llm, 5)
    trace = tmp_path / "run.jsonl"
    result = run(
        tmp_path, fake_llm, LOOKUP_PROGRAM, "--max-turns", "2", "--trace", str(trace), "--verbose"
    )

    assert result.returncode == 3, result.stderr
    assert len(fake_llm.received) == 2  # the third request was never sent
    assert "task 'research' exhausted its turns: 2 of 2 used" in result.stderr
    assert "program.scm:10:10" in result.stderr  # the call site of the task
    assert "metrics: " in result.stderr
    assert "warning: task research has used 2 of 2 turns" in result.stderr
    assert "Traceback" not in result.stderr

    events = [json.loads(line) for line in trace.read_text(encoding="utf-8").splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds.count("turn") == 2
    assert kinds.count("warning") == 1
    assert kinds[-2:] == ["exhausted", "released"]
    assert events[-1]["metrics"]["turns"] == {
        "used": 2,
        "limit": 2,
        "last_turn_at": events[-1]["metrics"]["turns"]["last_turn_at"],
    }
    assert all(e["task"] == "research" for e in events)


def test_limits_come_from_the_project_config_file_and_the_command_line_wins(tmp_path, fake_llm):
    (tmp_path / "taskscheme.toml").write_text("max_turns = 1\n", encoding="utf-8")
    script_tool_calls(fake_llm, 5)
    from_file = run(tmp_path, fake_llm, LOOKUP_PROGRAM)
    assert from_file.returncode == 3
    assert "exhausted its turns: 1 of 1 used" in from_file.stderr
    assert len(fake_llm.received) == 1

    fake_llm.received.clear()
    from_options = run(
        tmp_path, fake_llm, LOOKUP_PROGRAM, "--max-turns", "3", env={"TASKSCHEME_MAX_TURNS": "2"}
    )
    assert "exhausted its turns: 3 of 3 used" in from_options.stderr
    assert len(fake_llm.received) == 3


def test_config_command_names_where_each_value_came_from(tmp_path):
    (tmp_path / "taskscheme.toml").write_text(
        "max_turns = 4\ncontext_fraction = 0.25\n", encoding="utf-8"
    )
    environment = {
        **os.environ,
        "TASKSCHEME_CONTEXT_FRACTION": "0.3",
        "XDG_CONFIG_HOME": str(tmp_path / "none"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "interpreter", "config", "--warning-threshold", "0.9"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = {
        line.split()[0]: line
        for line in result.stdout.splitlines()
        if line.startswith("  ") and len(line.split()) >= 3
    }
    assert "taskscheme.toml" in lines["max_turns"] and " 4 " in lines["max_turns"]
    assert "env TASKSCHEME_CONTEXT_FRACTION" in lines["context_fraction"]
    assert "command line" in lines["warning_threshold"]
    assert "default" in lines["model"]


def test_a_bad_config_value_is_a_usage_error_naming_file_and_key(tmp_path, fake_llm):
    (tmp_path / "taskscheme.toml").write_text("max_turns = -2\n", encoding="utf-8")
    result = run(tmp_path, fake_llm, LOOKUP_PROGRAM)
    assert result.returncode == 2
    assert "max_turns" in result.stderr and "taskscheme.toml" in result.stderr
    assert fake_llm.received == []


def test_run_budget_stops_the_whole_run_across_tasks(tmp_path, fake_llm):
    for _ in range(5):
        fake_llm.reply("ok")
    result = run(tmp_path, fake_llm, ONE_TURN_PROGRAM, "--budget-turns", "3")
    assert result.returncode == 3, result.stderr
    assert result.stdout.splitlines() == ["ok", "ok", "ok"]  # output before the stop is kept
    assert len(fake_llm.received) == 3
    assert "budget" in result.stderr


def test_context_limit_refuses_the_request_before_anything_is_sent(tmp_path, fake_llm):
    fake_llm.reply("never")
    program = '(define-task (summarize text) "Summarize: {{text}}")\n(summarize (make-string 4000 #\\x))\n'
    result = run(tmp_path, fake_llm, program, "--context-fraction", "0.001")
    assert result.returncode == 3, result.stderr
    assert "context window" in result.stderr
    assert fake_llm.received == []


@pytest.mark.parametrize("program_args", [["alpha", "beta"], ["--", "--flag", "x"]])
def test_record_then_replay_gives_the_same_output_and_metrics(tmp_path, fake_llm, program_args):
    fake_llm.reply(tool_calls=[("lookup", {"query": "office"})])
    fake_llm.reply("It is in Lisbon.")
    program = (
        LOOKUP_PROGRAM
        + """
(newline)
(write (cdr (command-line)))
(newline)
(define m (task-metrics))
(write (map (lambda (path) (apply metrics-ref m path))
            '((turns used) (context used) (context peak-usage) (tokens input) (tokens output))))
"""
    )
    cassette = tmp_path / "run.cassette.jsonl"
    recorded = run(tmp_path, fake_llm, program, "--record", str(cassette), *program_args)
    assert recorded.returncode == 0, recorded.stderr
    requests_sent = len(fake_llm.received)

    replayed = subprocess.run(
        [
            sys.executable,
            "-m",
            "interpreter",
            "run",
            "program.scm",
            "--model",
            f"replay:{cassette}",
            *program_args,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "none")},
    )
    assert replayed.returncode == 0, replayed.stderr
    assert len(fake_llm.received) == requests_sent == 2  # the replay sent nothing
    answer, arguments, metrics = replayed.stdout.splitlines()
    assert answer == "It is in Lisbon."
    assert arguments == "(" + " ".join(f'"{a}"' for a in program_args if a != "--") + ")"
    assert metrics.startswith("(2 ")
    assert replayed.stdout == recorded.stdout


def test_ctrl_c_stops_the_run_releases_the_handler_and_exits_130(tmp_path, fake_llm):
    import signal
    import time

    fake_llm.reply("too late", delay=1.5)
    trace = tmp_path / "run.jsonl"
    path = tmp_path / "program.scm"
    path.write_text(
        '(define-task (slow x) "Take your time: {{x}}")\n(display (slow "now"))\n', encoding="utf-8"
    )
    environment = {
        **os.environ,
        "TASKSCHEME_OPENAI_BASE_URL": fake_llm.openai_url,
        "TASKSCHEME_OPENAI_API_KEY": "sk-test",
        "XDG_CONFIG_HOME": str(tmp_path / "none"),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "interpreter",
            "run",
            str(path),
            "--model",
            "openai:gpt-4o-mini",
            "--trace",
            str(trace),
        ],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not fake_llm.received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fake_llm.received, "the request never reached the server"
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)

    assert process.returncode == 130, stderr
    assert "interrupted" in stderr
    assert "too late" not in stdout
    assert "Traceback" not in stderr
    released = [json.loads(line) for line in trace.read_text(encoding="utf-8").splitlines()][-1]
    assert released["event"] == "released"
    assert released["detail"]["outcome"] == "interrupted"
    assert released["metrics"]["released"] is True
