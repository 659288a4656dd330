"""`taskscheme run` on a terminal shows a live status line (tasks, turns, tokens, the
budget, a parallel-map's progress with an ETA) that never garbles the program's output
and is gone when the program ends; not with --quiet, nor when stderr is not a terminal.
The map's progress comes from its item-started and item-finished events."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

from interpreter.providers import ScriptedModel
from tests.fake_llm_server import Reply
from tests.tasks_support import interpreter
from tests.terminal_support import TIMEOUT, Screen, needs_tmux

PROGRAM = """(define-task (ask q) "{{q}}")
(display "before the map")
(newline)
(define answers (parallel-map ask (map number->string (iota 6)) #:workers 2))
(display (length answers))
(newline)
"""


def gated(fake_llm, count: int) -> list[threading.Event]:
    """Every request waits for its own gate; the last gates open only when told."""
    gates = [threading.Event() for _ in range(count)]

    def answer(path: str, body: dict) -> Reply:
        number = len(fake_llm.received) - 1
        gates[number].wait(TIMEOUT)
        return Reply("ok")

    fake_llm.fallback = answer
    return gates


def model_env(fake_llm) -> dict[str, str]:
    return {
        "TASKSCHEME_MODEL": "openai:gpt-4o-mini",
        "TASKSCHEME_OPENAI_BASE_URL": fake_llm.openai_url,
        "TASKSCHEME_OPENAI_API_KEY": "sk-test",
    }


@needs_tmux
def test_the_status_line_shows_map_progress_and_is_gone_at_the_end(tmp_path, fake_llm):
    (tmp_path / "map.scm").write_text(PROGRAM)
    gates = gated(fake_llm, 6)
    screen = Screen(tmp_path, ("run", "map.scm", "--budget-turns", "50"), model_env(fake_llm))
    try:
        for gate in gates[:3]:
            gate.set()
        shown = screen.expect(
            r"^tasks 2 running, 3 done \| turns 5 \| tokens [\d,]+ \| budget turns 5/50 \| "
            r"map \[#+\.+\] 3/6 ETA \d+:\d\d$"
        )
        assert shown.startswith("before the map\ntasks")
        for gate in gates[3:]:
            gate.set()
        ended = screen.expect("exit=0")
        assert ended.split("\n")[:3] == ["before the map", "6", "exit=0"]
    finally:
        screen.close()


@needs_tmux
def test_quiet_shows_no_status_line(tmp_path, fake_llm):
    (tmp_path / "map.scm").write_text(PROGRAM)
    gates = gated(fake_llm, 6)
    screen = Screen(tmp_path, ("run", "map.scm", "--quiet"), model_env(fake_llm))
    try:
        for gate in gates[:3]:
            gate.set()
        deadline = time.monotonic() + TIMEOUT
        while len(fake_llm.received) < 5:  # mid-map: where the line would be drawn
            assert time.monotonic() < deadline
            time.sleep(0.05)
        for _ in range(10):  # a line would be drawn within a tenth of a second
            assert screen.text().startswith("before the map\n\n"), screen.text()
            time.sleep(0.05)
        for gate in gates:
            gate.set()
        screen.expect("exit=0")
    finally:
        screen.close()


def test_no_status_line_when_stderr_is_not_a_terminal(tmp_path, fake_llm):
    (tmp_path / "map.scm").write_text(PROGRAM)
    for gate in gated(fake_llm, 6):
        gate.set()
    result = subprocess.run(
        [sys.executable, "-m", "interpreter", "run", "map.scm"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **model_env(fake_llm), "XDG_CONFIG_HOME": str(tmp_path)},
    )
    assert (result.stdout, result.stderr, result.returncode) == ("before the map\n6\n", "", 0)


def test_each_item_of_a_parallel_map_is_an_event(tmp_path):
    events = []
    interp = interpreter(ScriptedModel(["a", "b", "c"]), observers=[events.append])
    interp.eval(PROGRAM.split("(display")[0] + '(parallel-map ask (list "x" "y" "z"))')
    items = [(e.kind, e.detail["item"]) for e in events if e.kind.startswith("item-")]
    assert sorted(items) == sorted(
        [(kind, index) for index in range(3) for kind in ("item-started", "item-finished")]
    )
    last = [e for e in events if e.kind == "item-finished"][-1]
    assert last.metrics.to_dict() == {"items": 3, "started": 3, "finished": 3, "failed": 0}
    assert json.loads(last.metrics.to_json())["finished"] == 3


def test_a_failed_item_is_counted(tmp_path):
    events = []
    interp = interpreter(observers=[events.append])
    interp.eval(
        '(define (check x) (if (< x 0) (error "negative" x) x))\n'
        "(parallel-map check '(1 -1 2) #:errors 'collect)"
    )
    finished = [e for e in events if e.kind == "item-finished"]
    assert sorted(e.detail["outcome"] for e in finished) == ["error", "ok", "ok"]
    assert max(e.metrics.failed for e in finished) == 1
