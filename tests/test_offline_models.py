"""The offline models of the command line: `--model test` (answers with no script),
`--model script:FILE` (replies written by hand), and both recorded to a cassette and
replayed with identical results and metrics."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tasks_support import run

from interpreter.errors import ProviderError

TRIAGE = """
(define-tool (order-status (id integer "The order number") (note string "Why it is asked"))
  "Look up an order."
  (string-append "order " (number->string id) " shipped (" note ")"))

(define-task (triage ticket)
  #:tools (list order-status)
  #:output "{\\"type\\": \\"object\\",
             \\"properties\\": {\\"label\\": {\\"enum\\": [\\"bug\\", \\"billing\\"]},
                              \\"score\\": {\\"type\\": \\"integer\\", \\"minimum\\": 3},
                              \\"tags\\": {\\"type\\": \\"array\\", \\"minItems\\": 2,
                                         \\"items\\": {\\"type\\": \\"string\\"}},
                              \\"owner\\": {\\"type\\": \\"object\\",
                                          \\"properties\\": {\\"team\\": {\\"type\\": \\"string\\"}},
                                          \\"required\\": [\\"team\\"]}},
             \\"required\\": [\\"label\\", \\"score\\", \\"tags\\", \\"owner\\"],
             \\"additionalProperties\\": false}"
  "Triage this ticket: {{ticket}}")

(define-task (summary text) "Summarize: {{text}}")

(write (triage "I was charged twice"))
(newline)
(write (summary "a long thread"))
(newline)
"""


def taskscheme(tmp_path: Path, *args: str, stdin: str | None = None):
    """The `taskscheme` command in `tmp_path`, with no configuration file and no key."""
    environment = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "no-user-config")}
    return subprocess.run(
        [sys.executable, "-m", "interpreter", *args],
        cwd=tmp_path,
        env=environment,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=60,
    )


def program(tmp_path: Path, text: str = TRIAGE) -> str:
    (tmp_path / "program.scm").write_text(text, encoding="utf-8")
    return "program.scm"


def script(tmp_path: Path, text: str, name: str = "replies.toml") -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return f"script:{name}"


# -- --model test -------------------------------------------------------------------------


def test_the_test_model_calls_each_tool_then_answers_with_data_valid_for_the_schema(tmp_path):
    result = taskscheme(tmp_path, "run", program(tmp_path), "--model", "test", "--trace", "t.jsonl")
    assert result.returncode == 0, result.stderr
    triaged, summary = result.stdout.splitlines()
    assert (
        triaged
        == '(("label" . "bug") ("score" . 3) ("tags" . #("a" "a")) ("owner" ("team" . "a")))'
    )
    assert summary == '"success (no tool calls)"'
    events = [json.loads(line) for line in (tmp_path / "t.jsonl").read_text().splitlines()]
    tools = [event["detail"] for event in events if event["event"] == "tool"]
    assert tools == [{"tool": "order-status", "call_id": "call_1_1", "outcome": "ok"}]
    released = [event["metrics"] for event in events if event["event"] == "released"]
    assert [m["turns"]["used"] for m in released] == [2, 1]
    # usage is reported as a provider would, beside the Handler's own count
    assert all(m["tokens"]["reported_input"] > 0 for m in released)


def test_the_test_model_answers_text_with_the_tools_results_and_json_with_an_object():
    answers = run(
        """
        (define-tool (double (n integer "a number")) "Double it." (* 2 n))
        (define-tool (shout (word string "a word")) "Shout it." (string-upcase word))
        (define-task (t x) #:tools (list double shout) "{{x}}")
        (define-task (j x) #:output 'json "{{x}}")
        (list (t 1) (j 2))
        """,
        config={"model": "test"},
    )
    assert answers == ['{"double": 0, "shout": "A"}', {"result": "success (no tool calls)"}]


def test_the_test_model_answers_parallel_items_alike_whatever_their_order(tmp_path):
    parallel = """
    (define-tool (lookup (id integer "an id")) "Look it up." id)
    (define-task (item n) #:tools (list lookup) "Item {{n}}")
    (write (parallel-map item '(1 2 3 4)))
    """
    name = program(tmp_path, parallel)
    result = taskscheme(tmp_path, "run", name, "--model", "test", "--trace", "t.jsonl")
    assert (
        result.stdout
        == '("{\\"lookup\\": 0}" "{\\"lookup\\": 0}" "{\\"lookup\\": 0}" "{\\"lookup\\": 0}")'
    )
    events = [json.loads(line) for line in (tmp_path / "t.jsonl").read_text().splitlines()]
    ids = [event["detail"]["call_id"] for event in events if event["event"] == "tool"]
    assert ids == ["call_1_1"] * 4  # the same requests, so one cassette replays any run


def test_the_test_models_window_is_set_in_its_spec(tmp_path):
    result = taskscheme(tmp_path, "run", program(tmp_path), "--model", "test:window=300")
    assert result.returncode == 3, result.stderr
    assert "exhausted its context window" in result.stderr
    assert "(50% of 300)" in result.stderr


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("test:window=many", "the test model's window must be a whole number of tokens"),
        ("test:window=0", "the test model's window must be a whole number of tokens"),
        ("test:scripted", "exists only in Python"),
    ],
)
def test_a_test_model_the_command_line_cannot_make_is_a_usage_error(tmp_path, spec, message):
    result = taskscheme(tmp_path, "run", program(tmp_path), "--model", spec)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


# -- --model script:FILE ------------------------------------------------------------------

REPLIES = """
# triage calls the tool, then answers; summary fails as a rate-limited server would
[[reply]]
task = "triage"
tool_calls = [{ name = "order-status", arguments = { id = 42, note = "refund" } }]

[[reply]]
task = "triage"
json = { label = "billing", score = 4, tags = ["refund", "card"], owner = { team = "money" } }

[[reply]]
task = "summary"
error = "rate-limit"
status = 429
message = "slow down"
"""


def test_a_script_answers_each_task_in_order_and_raises_the_errors_it_names(tmp_path):
    spec = script(tmp_path, REPLIES)
    result = taskscheme(tmp_path, "run", program(tmp_path), "--model", spec, "--trace", "t.jsonl")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        '(("label" . "billing") ("score" . 4) ("tags" . #("refund" "card")) ("owner" ("team" . "money")))'
    ]
    assert "script: rate limited (HTTP 429)" in result.stderr
    assert "at replies.toml:11 " in result.stderr  # the line of the reply that failed
    trace = (tmp_path / "t.jsonl").read_text()
    assert '"tool": "order-status", "call_id": "call_1_1", "outcome": "ok"' in trace


def test_script_replies_are_keyed_by_task_and_prompt_so_parallel_items_get_their_own(tmp_path):
    replies = """
        [[reply]]
        match = "ticket 3"
        text = "three"
        [[reply]]
        match = "ticket 1"
        text = "one"
        [[reply]]
        text = "any other"
        [[reply]]
        task = "other"
        text = "never taken by label"
        """
    path = tmp_path / "replies.toml"
    path.write_text(replies, encoding="utf-8")
    answers = run(
        """
        (define-task (label n) "Label ticket {{n}}")
        (parallel-map label '(1 2 3))
        """,
        config={"model": f"script:{path}"},
    )
    assert answers == ["one", "any other", "three"]


def test_a_request_the_script_has_no_reply_for_names_the_task_and_the_turn(tmp_path):
    spec = script(
        tmp_path,
        '[[reply]]\ntask = "triage"\ntool_calls = [{ name = "order-status", arguments = { id = 1, note = "x" } }]\n',
    )
    result = taskscheme(tmp_path, "run", program(tmp_path), "--model", spec)
    assert result.returncode == 1
    assert "script: no reply" in result.stderr
    assert "task triage, model turn 2: no unused reply fits it" in result.stderr
    assert 'add a [[reply]] with task = "triage"' in result.stderr


def test_the_script_error_is_a_provider_error_the_program_can_catch():
    with pytest.raises(ProviderError) as caught:
        run('(define-task (t) "go") (t)', config={"model": "script:/dev/null"})
    assert (caught.value.provider, caught.value.reason) == ("script", "cassette-mismatch")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[reply]]\ntext = "a"\n\n[[reply]]\ntext = "b\n', "replies.toml:5: not valid TOML"),
        ('[[reply]]\ntext = "a"\n\n[[reply]]\ntxt = "b"\n', "replies.toml:4: unknown key 'txt'"),
        ('[[reply]]\ntext = "a"\njson = 1\n', "replies.toml:1: a reply needs one of text"),
        ('[[reply]]\nerror = "oops"\n', "replies.toml:1: error 'oops' is not one of auth"),
        ('[[reply]]\ntext = "a"\nstatus = 500\n', "status goes only with error"),
        ("[[reply]]\ntool_calls = [{ arguments = {} }]\n", "each tool call is a table with a name"),
        ("[[reply]]\njson = 1979-05-27\n", "json must be made of strings"),
        ('[[replies]]\ntext = "a"\n', "unknown key 'replies'"),
    ],
)
def test_a_malformed_script_is_a_usage_error_naming_the_line(tmp_path, text, message):
    spec = script(tmp_path, text)
    result = taskscheme(tmp_path, "run", program(tmp_path), "--model", spec)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


# -- recording and replaying them -----------------------------------------------------------


def _metrics(trace: Path) -> list[tuple[str, str, dict]]:
    """Each event's kind, task and metrics, without the times."""
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    for event in events:
        event["metrics"]["turns"].pop("last_turn_at", None)
        event["metrics"]["time"].pop("elapsed", None)
    return [(e["event"], e["task"], e["metrics"]) for e in events]


@pytest.mark.parametrize("model", ["test:window=4000", "script"])
def test_a_recorded_offline_run_replays_with_identical_results_and_metrics(tmp_path, model):
    spec = script(tmp_path, REPLIES) if model == "script" else model
    name = program(tmp_path)
    recorded = taskscheme(
        tmp_path,
        "run",
        name,
        "--model",
        spec,
        "--verbose",
        "--record",
        "c.jsonl",
        "--trace",
        "a.jsonl",
    )
    (tmp_path / "replies.toml").unlink(missing_ok=True)  # the replay needs only the cassette
    replayed = taskscheme(
        tmp_path, "run", name, "--model", "replay:c.jsonl", "--verbose", "--trace", "b.jsonl"
    )
    assert recorded.returncode == replayed.returncode == (1 if model == "script" else 0)
    assert replayed.stdout == recorded.stdout
    assert replayed.stderr == recorded.stderr
    assert "task triage: turns 2/10" in replayed.stderr
    assert _metrics(tmp_path / "b.jsonl") == _metrics(tmp_path / "a.jsonl")


# -- interactive turns in cassettes ---------------------------------------------------------

INTERACTIVE = """
(define-task (plan request)
  #:interactive #t
  "Plan a day trip, asking the user first: {{request}}")
(display (plan "near Lisbon"))
(newline)
(display (plan "near Porto"))
(newline)
"""


def test_the_users_answers_are_recorded_and_replayed_without_reading_standard_input(tmp_path):
    name = program(tmp_path, INTERACTIVE)
    recorded = taskscheme(
        tmp_path, "run", name, "--model", "test", "--record", "c.jsonl", stdin="by train\nby bus\n"
    )
    assert recorded.returncode == 0, recorded.stderr
    assert recorded.stdout.splitlines() == ['{"ask_user": "by train"}', '{"ask_user": "by bus"}']
    assert recorded.stderr.count("> ") == 2  # the questions were asked on the terminal
    replayed = subprocess.run(
        [sys.executable, "-m", "interpreter", "run", name, "--model", "replay:c.jsonl"],
        cwd=tmp_path,
        env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "none")},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout == recorded.stdout
    assert "> " not in replayed.stderr  # nothing was asked


def test_end_of_input_is_recorded_too_and_a_missing_answer_is_a_mismatch(tmp_path):
    name = program(tmp_path, INTERACTIVE)
    recorded = taskscheme(tmp_path, "run", name, "--model", "test", "--record", "c.jsonl", stdin="")
    replayed = taskscheme(tmp_path, "run", name, "--model", "replay:c.jsonl", stdin="ignored\n")
    assert (replayed.returncode, replayed.stdout) == (recorded.returncode, recorded.stdout)
    assert "the user gave no answer (end of input)" in replayed.stdout
    lines = (tmp_path / "c.jsonl").read_text().splitlines()
    asked = [line for line in lines if '"ask_user": {' in line]
    assert len(asked) == 2 and all('"answer": null' in line for line in asked)
    (tmp_path / "c.jsonl").write_text("\n".join(line for line in lines if line not in asked))
    missing = taskscheme(tmp_path, "run", name, "--model", "replay:c.jsonl")
    assert missing.returncode == 1
    assert "task plan asked the user" in missing.stderr
    assert "the cassette has no answer" in missing.stderr
