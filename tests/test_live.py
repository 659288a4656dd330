"""The live-limits display, fed by a real run's events: the figures of the running or
last task, their colours at the warning threshold and at exhaustion, the session budget,
figures metrics may carry beyond turns and context, and `run`'s status line."""

from __future__ import annotations

import dataclasses

import pytest

from interpreter.cli.live import ERROR, NORMAL, WARNING, LiveLimits, plain
from interpreter.errors import ResourceExhaustionError
from interpreter.limits.metrics import ContextMetrics, ResourceMetrics, TokenMetrics, TurnMetrics
from interpreter.providers import ScriptedModel
from tests.tasks_support import interpreter

ECHO = {"tool_calls": [{"name": "echo", "arguments": {"x": "hi"}}]}
TASK = """
(define-tool (echo (x string "a word")) "Say the word back." x)
(define-task (ask q) #:tools (list echo) #:max-turns 2 "{{q}}")
"""


def watched(answers: list, **config):
    live = LiveLimits("test", None, config.get("warning_threshold", 0.8))
    interp = interpreter(ScriptedModel(answers), config=config, observers=[live])
    live.budget = interp.session.budget
    interp.eval(TASK)
    return interp, live


def styles(segments, word: str) -> set[str]:
    return {style for style, text in segments if word in text}


def test_the_toolbar_shows_the_last_tasks_figures_in_plain_colour():
    interp, live = watched(["done"])
    interp.eval('(ask "hi")')
    toolbar = plain(live.toolbar())
    assert toolbar.startswith("model test | ask: turns 1/2 context ")
    assert toolbar.endswith("| running 0")
    assert styles(live.toolbar(), "turns 1/2") == {NORMAL}


def test_turns_at_the_warning_threshold_are_in_the_warning_colour():
    interp, live = watched(["done"], warning_threshold=0.5)
    interp.eval('(ask "hi")')
    assert styles(live.toolbar(), "turns 1/2") == {WARNING}


@pytest.mark.parametrize(("session", "task", "expected"), [(0.8, 0.5, WARNING), (0.5, 0.9, NORMAL)])
def test_a_tasks_figures_are_coloured_at_its_own_warning_threshold(session, task, expected):
    live = LiveLimits("test", None, session)
    interp = interpreter(
        ScriptedModel([ECHO, "done"]), config={"warning_threshold": session}, observers=[live]
    )
    interp.eval(
        '(define-tool (echo (x string "a word")) "Say the word back." x)'
        f'(define-task (ask q) #:tools (list echo) #:max-turns 4 #:warning-threshold {task} "{{{{q}}}}")'
    )
    seen = []
    live.listeners.append(lambda: seen.append(live.toolbar()))
    interp.eval('(ask "hi")')
    while_running = {style for segments in seen for style in styles(segments, "turns 2/4")}
    assert expected in while_running and (WARNING in while_running) == (expected == WARNING)
    assert styles(live.toolbar(), "turns 2/4") == {expected}  # and once it has finished
    assert styles(live.toolbar(), "turns 1/4") == set()


def test_an_exhausted_limit_is_in_the_error_colour():
    interp, live = watched([ECHO, ECHO])
    with pytest.raises(ResourceExhaustionError):
        interp.eval('(ask "hi")')
    assert styles(live.toolbar(), "turns 2/2") == {ERROR}
    assert live.last_exhausted == "turns"


def test_the_session_budget_is_shown_and_coloured_as_it_runs_low():
    interp, live = watched([ECHO, "done"], budget_turns=2)
    interp.eval('(ask "hi")')
    assert styles(live.toolbar(), "turns 2/2") == {ERROR}
    assert "budget turns 2/2" in plain(live.toolbar())


def test_figures_beyond_turns_and_context_are_shown_when_metrics_carry_them():
    @dataclasses.dataclass(frozen=True)
    class Billed(ResourceMetrics):
        cost_usd: float | None = None

    metrics = Billed(
        "ask", "test", TurnMetrics(1, 2), ContextMetrics(5, 100, 5), TokenMetrics(), cost_usd=0.25
    )
    live = LiveLimits("test", None, 0.8)
    assert "peak 5 (5%)" in plain(live.task_segments(metrics))
    assert plain(live.task_segments(metrics)).endswith("cost usd 0.25")


def test_time_is_shown_only_for_a_task_with_a_time_limit_and_tool_errors_only_when_some():
    boom = {"tool_calls": [{"name": "boom", "arguments": {"x": "hi"}}]}
    interp, live = watched(["done", boom, "done"])
    interp.eval('(ask "hi")')
    assert " time " not in plain(live.toolbar()) and "tool errors" not in plain(live.toolbar())
    interp.eval(
        '(define-tool (boom (x string "a word")) "Fails." (car x))'
        '(define-task (timed q) #:tools (list boom) #:max-seconds 30 "{{q}}")'
    )
    interp.eval('(timed "hi")')
    toolbar = plain(live.toolbar())
    assert " time 0." in toolbar and "/30 s" in toolbar
    assert styles(live.toolbar(), "tool errors 1") == {WARNING}


def test_the_status_line_counts_tasks_turns_and_map_progress():
    interp, live = watched(["a", "b", "c"])
    interp.eval('(parallel-map ask (list "x" "y" "z") #:workers 1)')
    line = plain(live.status_line(120))
    assert line.startswith("tasks 0 running, 3 done | turns 3 | tokens ")
    assert "map" not in line  # the map has ended


def test_token_figures_beyond_the_local_and_reported_counts_are_shown():
    @dataclasses.dataclass(frozen=True)
    class Billed(TokenMetrics):
        billed_input: int | None = None

    metrics = ResourceMetrics(
        "ask", "test", TurnMetrics(1, 2), ContextMetrics(5, 100, 5), Billed(billed_input=1200)
    )
    live = LiveLimits("test", None, 0.8)
    assert "tokens billed input 1,200" in plain(live.task_segments(metrics))


def test_the_toolbar_shows_a_map_under_way():
    live = LiveLimits("test", None, 0.8)
    interp = interpreter(ScriptedModel(["a", "b"]), observers=[live])
    interp.eval('(define-task (ask q) "{{q}}")')
    seen = []
    live.listeners.append(lambda: seen.append(plain(live.toolbar())))
    interp.eval('(parallel-map ask (list "x" "y") #:workers 1)')
    assert any("map [##########..........] 1/2 ETA" in line for line in seen)
    assert "map" not in plain(live.toolbar())  # it ended


def test_without_a_budget_nothing_is_said_of_one():
    interp, live = watched(["done"])
    interp.eval('(ask "hi")')
    assert live.budget is not None  # the run's budget, with no limit set
    assert "budget" not in plain(live.toolbar())
    assert "budget" not in plain(live.status_line(120))


def test_the_budgets_money_limits_are_shown():
    _, live = watched(["done"], budget_billed_tokens=1000, budget_cost=2)
    assert plain(live.toolbar()).endswith("| budget billed 0/1,000 cost $0.00/$2.00 | running 0")


def test_the_status_line_counts_the_tokens_of_a_task_still_running():
    interp, live = watched([ECHO, "done"])
    lines = []
    live.listeners.append(lambda: lines.append(plain(live.status_line(120))))
    interp.eval('(ask "hi")')
    running = [line for line in lines if line.startswith("tasks 1 running, 0 done | turns 2")]
    assert running
    tokens = int(running[-1].split("tokens ")[1].split()[0].replace(",", ""))
    assert tokens > 0
    finished = plain(live.status_line(120))
    assert finished.startswith("tasks 0 running, 1 done | turns 2 | tokens ")
    assert int(finished.split("tokens ")[1].split()[0].replace(",", "")) >= tokens
