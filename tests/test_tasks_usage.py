"""The task layer as a new user meets it: whole programs run through the `taskscheme`
command against the local stand-in server (both wire formats), recorded and replayed,
and broken on purpose. Each test pins down a problem found that way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from interpreter import Interpreter, load_settings
from interpreter.errors import ProviderConfigError
from interpreter.limits.tokens import count_tokens


def run(
    tmp_path: Path,
    server,
    program: str,
    *options: str,
    model: str = "openai:gpt-4o-mini",
    env: dict | None = None,
    stdin: str = "",
) -> subprocess.CompletedProcess:
    path = tmp_path / "program.scm"
    path.write_text(program, encoding="utf-8")
    environment = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path / "no-user-config"),
        **(env or {}),
    }
    if server is not None:
        environment.update(
            {
                "TASKSCHEME_OPENAI_BASE_URL": server.openai_url,
                "TASKSCHEME_OPENAI_API_KEY": "sk-test",
                "TASKSCHEME_ANTHROPIC_BASE_URL": server.url,
                "TASKSCHEME_ANTHROPIC_API_KEY": "sk-test",
            }
        )
    command = [sys.executable, "-m", "interpreter", "run", path.name, "--model", model, *options]
    return subprocess.run(
        command,
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        input=stdin,
    )


JSON_TASK = """
(define-task (classify ticket)
  #:system "You label support tickets."
  #:output 'json
  "Label this ticket as bug, billing or other. Answer {\\"label\\": ...}: {{ticket}}")
(display (cdr (assoc "label" (classify "I was charged twice"))))
(newline)
(display (metrics-ref (task-metrics) 'context 'used))
"""


@pytest.mark.parametrize("model", ["openai:gpt-4o-mini", "anthropic:claude-sonnet-4-5"])
def test_json_output_is_asked_for_in_the_charged_system_prompt(tmp_path, fake_llm, model):
    # OpenAI's JSON mode rejects a request whose messages never say "JSON" (the README's
    # first example does not), and Anthropic's instruction used to be sent uncharged.
    fake_llm.reply('{"label": "billing"}')
    result = run(tmp_path, fake_llm, JSON_TASK, model=model)
    assert result.returncode == 0, result.stderr
    label, used = result.stdout.split("\n")
    assert label == "billing"

    body = fake_llm.last.body
    system = body["system"] if "system" in body else body["messages"][0]["content"]
    assert system.startswith(
        "You label support tickets.\n\nGive your final answer as a single JSON value"
    )
    assert system.count("Give your final answer as a single JSON value") == 1
    # Everything sent is charged: system prompt, prompt and answer, 3 tokens of framing
    # each, and OpenAI's response format.
    prompt = (
        'Label this ticket as bug, billing or other. Answer {"label": ...}: I was charged twice'
    )
    encoding = "o200k_base" if model.startswith("openai") else "cl100k_base"
    expected = sum(
        count_tokens(text, encoding) + 3 for text in (system, prompt, '{"label": "billing"}')
    )
    if model.startswith("openai"):
        assert body["response_format"] == {"type": "json_object"}
        expected += count_tokens('{"type":"json_object"}', encoding)
    assert int(used) == expected


def test_a_schema_is_part_of_the_system_prompt_and_its_charge(tmp_path, fake_llm):
    fake_llm.reply('{"ok": true}')
    program = """
    (define-task (check text)
      #:output '((type . "object") (properties (ok (type . "boolean"))) (required "ok"))
      "Is this fine? {{text}}")
    (display (check "x"))"""
    result = run(tmp_path, fake_llm, program)
    assert result.returncode == 0, result.stderr
    system = fake_llm.last.body["messages"][0]
    assert system["role"] == "system"
    assert '{"type": "object", "properties": {"ok": {"type": "boolean"}}' in system["content"]
    assert fake_llm.last.body["response_format"]["type"] == "json_schema"


ECHO_TASK = """
(define-task (echo word) #:max-turns 1 "Say {{word}}")
(display (echo "hello"))
(newline)
(display (metrics-ref (task-metrics) 'model))
"""


@pytest.mark.parametrize(
    ("model", "spec"),
    [("gpt-4o", "openai:gpt-4o"), ("claude-sonnet-4-5", "anthropic:claude-sonnet-4-5")],
)
def test_a_bare_known_model_name_runs_as_the_docs_say(tmp_path, fake_llm, model, spec):
    fake_llm.reply("hello")
    result = run(tmp_path, fake_llm, ECHO_TASK, model=model)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"hello\n{spec}"


def test_a_test_model_named_on_the_command_line_says_what_test_models_are(tmp_path):
    result = run(tmp_path, None, ECHO_TASK, model="test:small")
    assert result.returncode == 2  # found before the program runs
    assert "names an offline test model, which exists only in Python" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_recording_to_a_path_that_cannot_be_written_is_a_clear_error(tmp_path, fake_llm):
    fake_llm.reply("hello")
    missing = tmp_path / "no-such-dir" / "run.jsonl"
    # the command refuses it before the program runs
    result = run(tmp_path, fake_llm, ECHO_TASK, "--record", str(missing))
    assert (result.stdout, result.returncode) == ("", 2)
    assert result.stderr == f"taskscheme: --record {missing}: {missing.parent} does not exist\n"
    # an embedder's Interpreter finds it at the first model call, located there
    embedded = Interpreter(
        load_settings({"model": "test"}, cwd=tmp_path, environ={}), record_path=str(missing)
    )
    with pytest.raises(ProviderConfigError, match=r"cannot record to the cassette .*No such file"):
        embedded.eval('(define-task (echo w) "Say {{w}}")\n(echo "hi")')
    assert fake_llm.received == []


def test_recording_a_replayed_run_makes_a_cassette_that_replays(tmp_path, fake_llm):
    fake_llm.reply("hello")
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    assert run(tmp_path, fake_llm, ECHO_TASK, "--record", str(first)).returncode == 0
    again = run(tmp_path, None, ECHO_TASK, "--record", str(second), model=f"replay:{first}")
    assert again.returncode == 0, again.stderr
    header = json.loads(second.read_text(encoding="utf-8").splitlines()[0])
    assert header["model"] == "openai:gpt-4o-mini"
    replayed = run(tmp_path, None, ECHO_TASK, model=f"replay:{second}")
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout == "hello\nopenai:gpt-4o-mini"


def test_a_hand_edited_cassette_says_what_is_wrong_where(tmp_path, fake_llm):
    fake_llm.reply("hello")
    cassette = tmp_path / "run.jsonl"
    assert run(tmp_path, fake_llm, ECHO_TASK, "--record", str(cassette)).returncode == 0
    header, exchange = cassette.read_text(encoding="utf-8").splitlines()

    cassette.write_text(f'{header}\n{{"request": 5, "response": {{}}}}\n', encoding="utf-8")
    wrong_shape = run(tmp_path, None, ECHO_TASK, model=f"replay:{cassette}")
    assert wrong_shape.returncode == 2  # the cassette is read before the program runs
    assert f"malformed cassette at {cassette} line 2" in wrong_shape.stderr
    assert '"request" is a number' in wrong_shape.stderr
    assert "TypeError" not in wrong_shape.stderr

    cassette.write_text(f"{header}\n{exchange.replace('Say hello', 'Say goodbye')}\n")
    changed = run(tmp_path, None, ECHO_TASK, model=f"replay:{cassette}")
    assert changed.returncode == 1
    # Short lines are shown whole, not cut around the difference.
    assert '-      "content": "Say goodbye",' in changed.stderr
    assert '+      "content": "Say hello",' in changed.stderr

    directory = tmp_path / "cassettes"
    directory.mkdir()
    is_a_directory = run(tmp_path, None, ECHO_TASK, model=f"replay:{directory}")
    assert "it is a directory, not a cassette file" in is_a_directory.stderr


def test_a_wrong_answer_shows_what_the_model_answered(tmp_path, fake_llm):
    fake_llm.reply('Sure! Here it is: {"score": 7}')
    fake_llm.reply('{"label": "feature"}')
    program = """
    (define-task (score text) #:output 'json "Score as JSON: {{text}}")
    (define-task (triage ticket)
      #:output '((type . "object")
                 (properties (label (type . "string") (enum "bug" "other")))
                 (required "label"))
      "Triage: {{ticket}}")
    (guard (e ((task-output-error? e) (display (task-output-raw e)) (newline)))
      (score "essay"))
    (triage "add dark mode")"""
    result = run(tmp_path, fake_llm, program)
    assert result.returncode == 1
    assert result.stdout == 'Sure! Here it is: {"score": 7}\n'
    first_line = result.stderr.splitlines()[0]
    assert first_line == (
        "program.scm:10:5: task-output-error: triage: the answer does not satisfy the output "
        'schema: at $.label: must be one of "bug", "other"; got "feature" '
        '(the model answered: {"label": "feature"})'
    )


def test_a_placeholder_in_the_system_prompt_is_an_error_when_the_task_is_defined(tmp_path):
    program = '(define-task (reply customer) #:system "You help {{customer}}." "Hi {{customer}}")'
    result = run(tmp_path, None, program)
    assert result.returncode == 1
    assert (
        "template-error: reply: the system prompt uses {{customer}}, but only the template's "
        "placeholders are filled in" in result.stderr
    )
    literal = '(define-task (t x) #:system "Keep {{slot}} markers." "{{x}}") (display "ok")'
    assert run(tmp_path, None, literal).stdout == "ok"


def test_a_parameter_named_twice_is_an_error(tmp_path):
    result = run(tmp_path, None, '(define-task (f x x) "{{x}}")')
    assert result.returncode == 1
    assert "program.scm:1:1: error: f: parameter x appears twice" in result.stderr


def test_a_tool_result_json_cannot_carry_names_the_tool(tmp_path, fake_llm):
    fake_llm.reply(tool_calls=[("give", {})])
    fake_llm.reply("done")
    program = """
    (define-tool (give) "Give a procedure." car)
    (define-task (t x) #:tools (list give) "{{x}}")
    (display (t 1))"""
    assert run(tmp_path, fake_llm, program).stdout == "done"
    tool_message = fake_llm.last.body["messages"][-1]
    assert tool_message["content"] == (
        "error: give: the result cannot be sent to the model: JSON cannot represent "
        "#<procedure car>"
    )


def test_an_exhaustion_reaching_python_knows_its_call_site():
    from tasks_support import interpreter

    from interpreter.errors import ResourceExhaustionError
    from interpreter.providers import ScriptedModel

    program = '(define-task (t x) #:max-turns 1 "{{x}}")\n(define (go) (t 1))\n(go)'
    model = ScriptedModel([{"tool_calls": [{"name": "nothing", "arguments": {}}]}])
    with pytest.raises(ResourceExhaustionError) as caught:
        interpreter(model).eval(program, "program.scm")
    site = caught.value.call_site
    assert (site.file, site.line, site.col) == ("program.scm", 2, 14)


def test_a_context_error_says_which_content_did_not_fit(tmp_path, fake_llm):
    fake_llm.reply(tool_calls=[("fetch", {"url": "http://example.com"})])
    program = """
    (define-tool (fetch (url string "The page")) "Fetch a page." (string-repeat "lorem ipsum " 1000))
    (define-task (browse q) #:context-fraction 0.01 #:tools (list fetch) "{{q}}")
    (browse "Read it")"""
    result = run(tmp_path, fake_llm, program)
    assert result.returncode == 3
    assert (
        "task 'browse' exhausted its context window: 65 + 2,005 tokens (the result of tool "
        "fetch) would exceed the limit of 1,280 (1% of 128,000)" in result.stderr
    )
    assert "metrics: turns 1/10, context 65/1,280 tokens" in result.stderr


def test_the_trace_shows_each_tool_call_and_its_error(tmp_path, fake_llm):
    # A failing tool goes back to the model; the trace is where its author can see it.
    fake_llm.reply(tool_calls=[("lookup", {"id": "A1"})])
    fake_llm.reply(tool_calls=[("lookup", {"id": "A-1"})])
    fake_llm.reply(tool_calls=[("missing", {})])
    fake_llm.reply("done")
    program = """
    (define-tool (lookup (id string "An order id"))
      "Look up an order."
      (if (string=? id "A-1") "delivered" (car id)))
    (define-task (support q) #:tools (list lookup) "{{q}}")
    (display (support "Where is A1?"))"""
    trace = tmp_path / "trace.jsonl"
    result = run(tmp_path, fake_llm, program, "--trace", str(trace))
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in trace.read_text(encoding="utf-8").splitlines()]
    tools = [e["detail"] for e in events if e["event"] == "tool"]
    assert tools == [
        {
            "tool": "lookup",
            "call_id": "call_1",
            "outcome": "error",
            "error": 'car: expected a pair as argument 1, got "A1"',
        },
        {"tool": "lookup", "call_id": "call_1", "outcome": "ok"},
        {
            "tool": "missing",
            "call_id": "call_1",
            "outcome": "error",
            "error": "there is no tool named missing; the tools are: lookup",
        },
    ]
    assert all(e["task"] == "support" for e in events)


PROVIDER_FALLBACK = """
(define-task (ask q) #:max-turns 1 "{{q}}")
(define (safe q)
  (guard (e ((provider-error? e) (list 'failed (provider-error-reason e))))
    (ask q)))
(display (map safe '("a" "b" "c")))
"""


def test_a_run_that_handled_provider_errors_replays_the_same(tmp_path, fake_llm):
    fake_llm.reply("first")
    fake_llm.reply_error(429, "slow down")
    fake_llm.reply_error(500, "oops")
    cassette = tmp_path / "run.jsonl"
    live = run(tmp_path, fake_llm, PROVIDER_FALLBACK, "--record", str(cassette))
    assert live.returncode == 0, live.stderr
    assert live.stdout == "(first (failed rate-limit) (failed server))"
    lines = [json.loads(line) for line in cassette.read_text(encoding="utf-8").splitlines()]
    assert [sorted(line) for line in lines[1:]] == [
        ["request", "response"],
        ["error", "request"],
        ["error", "request"],
    ]
    assert lines[2]["error"]["status"] == 429

    replayed = run(tmp_path, None, PROVIDER_FALLBACK, model=f"replay:{cassette}")
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout == live.stdout

    uncaught = '(define-task (ask q) "{{q}}") (ask "b")'
    again = run(tmp_path, None, uncaught, model=f"replay:{cassette}")
    assert again.returncode == 1
    assert "openai: rate limited (HTTP 429) calling gpt-4o-mini at" in again.stderr
    assert again.stderr.splitlines()[0].endswith(": slow down")


def test_interactive_tasks_in_a_parallel_map_ask_one_question_at_a_time():
    import threading
    import time

    from tasks_support import run as run_program

    from interpreter.limits.messages import ModelResponse, ToolCall
    from interpreter.providers import FunctionModel

    def model(request):
        if request.messages[-1].role == "tool":
            return request.messages[-1].content
        ask = ToolCall("c1", "ask_user", {"question": request.messages[-1].content})
        return ModelResponse("", (ask,))

    active, most = [0], [0]
    lock = threading.Lock()

    def ask(question: str) -> str:
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        time.sleep(0.05)
        with lock:
            active[0] -= 1
        return f"answer to {question}"

    program = """
    (define-task (plan who) #:interactive #t "Plan for {{who}}")
    (parallel-map plan '("a" "b" "c" "d") #:workers 4)"""
    result = run_program(program, FunctionModel(model), ask_user=ask)
    assert result == [f"answer to Plan for {who}" for who in "abcd"]
    assert most[0] == 1


@pytest.mark.parametrize(
    ("program", "message"),
    [
        ("(llm 5)", "llm: expects one prompt string, then #:option value pairs; got 5"),
        ("(llm)", "llm: expects one prompt string, then #:option value pairs; got no prompt"),
        (
            '(define-task (t x) "{{x}}") (t "a" #:model "openai:gpt-4o")',
            "t: a task call takes its arguments and may tighten its limits (#:max-turns "
            "#:context-fraction #:max-output-tokens #:max-cost #:max-seconds), not #:model; other options "
            "belong in define-task",
        ),
        (
            '(define-task (t x) #:output \'xml "{{x}}")',
            "t: #:output must be 'text, 'json or a JSON schema (an alist, a hash table or "
            "JSON text), got xml",
        ),
        (
            "(director-evaluator (lambda (i f) i) (lambda (d) #t) 1 #:max-iterations 0)",
            "director-evaluator: #:max-iterations must be a positive integer, got 0",
        ),
        (
            '(define-task (t x) #:model "openai:gpt-9000" "{{x}}")',
            "unknown model 'openai:gpt-9000': its input window is not known. Add it to "
            "taskscheme.toml with the model's real input window (8192 is only an example):",
        ),
    ],
)
def test_mistakes_in_calls_say_what_was_given(tmp_path, program, message):
    result = run(tmp_path, None, program)
    assert result.returncode == 1
    assert message in result.stderr
