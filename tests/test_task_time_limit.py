"""`#:max-seconds`: a task's wall-clock time is checked before each request and enforced
during one, which is abandoned at the deadline; running out is `resource-exhausted` with
resource `time`, carrying the metrics and the partial transcript."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from types import SimpleNamespace

import pytest
from tasks_support import interpreter, run
from test_interrupts import gone_soon, live_threads

from interpreter.errors import ConfigError, ResourceExhaustionError
from interpreter.limits.guidance import recovery
from interpreter.limits.handler import Handler
from interpreter.limits.messages import Message
from interpreter.limits.models import resolve_model
from interpreter.limits.settings import HandlerConfig
from interpreter.providers import ScriptedModel


class Stalled:
    """A model (a host function) that never answers until it is let go: a task that
    returns while it waits has abandoned its request."""

    def __init__(self) -> None:
        self.asked = 0
        self.answered = False
        self.let_go = threading.Event()

    def __call__(self, messages: list[Message]) -> str:
        self.asked += 1
        self.let_go.wait(60)
        self.answered = True
        return "too late"


SLOW_TASK = '(define-task (slow x) #:max-seconds 0.2 "Take your time: {{x}}")'
CAUGHT = """
(guard (e ((resource-exhausted? e)
           (list (resource-error-resource e) (resource-error-task e)
                 (metrics-ref (resource-error-metrics e) 'time 'limit)
                 (metrics-ref (resource-error-metrics e) 'turns 'used)
                 (length (resource-error-transcript e)))))
  {call})"""


def test_a_request_still_in_flight_at_the_deadline_is_abandoned():
    model = Stalled()
    try:
        result = run(SLOW_TASK + CAUGHT.format(call='(slow "now")'), model)
        assert not model.answered  # the task ended while its model was still answering
    finally:
        model.let_go.set()
    assert result == ["time", "slow", 0.2, 1, 1]  # one turn; the prompt in the transcript
    assert model.asked == 1


def test_the_error_carries_the_metrics_and_says_how_to_raise_the_limit():
    model = Stalled()
    interp = interpreter(model)
    try:
        with pytest.raises(ResourceExhaustionError) as caught:
            interp.eval(SLOW_TASK + '(slow "now")')
    finally:
        model.let_go.set()
    error = caught.value
    assert error.resource == "time"
    assert error.metrics.time.limit == 0.2 and error.metrics.time.elapsed >= 0.2
    assert error.message.startswith("task 'slow' exhausted its time: ")
    assert "of 0.2 seconds used" in error.message
    assert error.message.endswith(recovery("time"))
    assert "#:max-seconds" in error.message and "max_task_seconds" in error.message
    assert error.transcript == [{"role": "user", "content": "Take your time: now"}]


def test_a_call_may_set_a_time_limit_and_only_tighten_the_tasks():
    model = Stalled()
    program = '(define-task (ask x) "{{x}}")' + CAUGHT.format(call='(ask "a" #:max-seconds 0.2)')
    try:
        assert run(program, model)[:3] == ["time", "ask", 0.2]
    finally:
        model.let_go.set()
    with pytest.raises(ConfigError, match=r"#:max-seconds 5 at a call would loosen"):
        run(SLOW_TASK + '(slow "a" #:max-seconds 5)', ScriptedModel([]))


def test_llm_takes_it_as_an_option():
    model = Stalled()
    try:
        assert run(CAUGHT.format(call='(llm "hi" #:max-seconds 0.2)'), model)[:2] == [
            "time",
            "llm",
        ]
    finally:
        model.let_go.set()


def test_a_finished_task_records_its_time():
    interp = interpreter(ScriptedModel(["fine"]))
    interp.eval('(define-task (quick x) #:max-seconds 30 "{{x}}") (quick "a")')
    metrics = interp.last_metrics
    assert metrics.time.limit == 30 and 0 <= metrics.time.elapsed < 30
    assert interp.eval("(metrics-ref (task-metrics) 'time 'limit)") == 30
    assert metrics.summary().endswith(f", time {metrics.time.elapsed:.1f}/30 s")
    unlimited = interpreter(ScriptedModel(["fine"]))
    unlimited.eval('(llm "hi")')
    assert unlimited.last_metrics.time.limit is None
    assert unlimited.eval("(metrics-ref (task-metrics) 'time 'limit)") is False


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


def test_the_time_is_checked_before_each_request(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(
        "interpreter.limits.handler.time", SimpleNamespace(monotonic=clock.monotonic)
    )
    config = HandlerConfig(max_turns=5, max_context_window_fraction=0.5, max_seconds=10)
    with Handler(config, resolve_model("test"), task="classify") as handler:
        clock.now += 4
        handler.begin_turn()
        clock.now += 6
        with pytest.raises(ResourceExhaustionError) as caught:
            handler.begin_turn()
        assert handler.metrics().turns.used == 1  # nothing counted, nothing sent
    assert caught.value.resource == "time"
    assert caught.value.message == (
        "task 'classify' exhausted its time: 10.0 of 10 seconds used. " + recovery("time")
    )
    assert caught.value.metrics.time.elapsed == 10


def test_a_request_over_http_is_abandoned_and_its_connection_shut(fake_llm):
    fake_llm.reply("in time")  # the first request also loads the SDK
    fake_llm.reply("much too late", delay=60)
    interp = interpreter(
        config={
            "model": "openai:gpt-4o-mini",
            "openai_base_url": fake_llm.openai_url,
            "openai_api_key": "sk-test",
        }
    )
    assert interp.eval('(llm "warm up")') == "in time"
    with pytest.raises(ResourceExhaustionError) as caught:
        interp.eval('(llm "anything" #:max-seconds 0.5)')
    assert caught.value.resource == "time"
    assert len(fake_llm.received) == 2
    assert gone_soon("taskscheme-request"), live_threads("taskscheme-request")


def test_the_command_line_and_the_configuration_set_it_for_every_task(tmp_path):
    def limit(*options: str) -> str:
        program = "(llm \"hi\") (display (metrics-ref (task-metrics) 'time 'limit))"
        result = subprocess.run(
            [sys.executable, "-m", "interpreter", "eval", "--model", "test", *options, program],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={"HOME": str(tmp_path), "PATH": "", "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"]},
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert limit("--max-task-seconds", "7.5") == "7.5"
    (tmp_path / "taskscheme.toml").write_text("max_task_seconds = 12\n")
    assert limit() == "12.0"


def test_an_outer_tasks_deadline_ends_it_while_an_inner_task_waits():
    model = Stalled()
    program = """
    (define-task (inner x) #:max-seconds 30 "{{x}}")
    (define-tool (consult (q string "a question")) "Ask the expert." (inner q))
    (define-task (outer x) #:max-seconds 0.3 #:tools (list consult) "{{x}}")
    (guard (e ((resource-exhausted? e) (list (resource-error-task e) (resource-error-resource e))))
      (outer "go"))"""
    answers = iter([{"tool_calls": [{"name": "consult", "arguments": {"q": "why"}}]}])

    def answer(messages: list[Message]):
        return next(answers, None) or model(messages)

    try:
        assert run(program, answer) == ["outer", "time"]
        assert not model.answered  # the inner task's request was abandoned too
    finally:
        model.let_go.set()
    assert model.asked == 1
