"""Interrupting a running program: `Interpreter.interrupt()` from another thread, and
Ctrl-C on the command line, stop it the same way: a KeyboardInterrupt out of the
evaluation, every Handler released as interrupted, and one request is enough even when
the program's `dynamic-wind` after-thunk loops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from interpreter.engine.interpreter import Interpreter
from interpreter.providers import FunctionModel
from tests.tasks_support import interpreter

LOOP = "(let loop () (loop))"
LOOPING_AFTER_THUNK = f"(dynamic-wind (lambda () #f) (lambda () {LOOP}) (lambda () {LOOP}))"
# generous: an interrupt arrives within a second or two; a test only fails when it never does
PATIENCE = 20


def evaluate_in_thread(interp: Interpreter, program: str) -> tuple[threading.Thread, dict]:
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = interp.eval(program)
        except BaseException as error:
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, outcome


def interrupt_when_running(
    interp: Interpreter, thread: threading.Thread, started: threading.Event | None = None
) -> None:
    if started is None:
        time.sleep(0.3)
    else:
        assert started.wait(PATIENCE), "the program never got there"
    assert thread.is_alive(), "the program ended before it was interrupted"
    interp.interrupt()
    thread.join(PATIENCE)
    assert not thread.is_alive(), "the program was not stopped"


@pytest.mark.parametrize("program", [LOOP, LOOPING_AFTER_THUNK], ids=["loop", "after-thunk"])
def test_interrupt_stops_a_running_evaluation_like_ctrl_c(program):
    interp = interpreter()
    thread, outcome = evaluate_in_thread(interp, program)
    interrupt_when_running(interp, thread)
    assert isinstance(outcome.get("error"), KeyboardInterrupt)
    assert interp.eval("(+ 1 2)") == 3  # the next evaluation runs as usual


def test_interrupt_releases_the_running_tasks_handler_as_interrupted():
    events = []
    asked = threading.Event()

    def slow(request: Any) -> str:
        asked.set()
        while True:  # a model that never answers, as a stalled server
            time.sleep(0.01)

    interp = interpreter(FunctionModel(slow), observers=[events.append])
    program = '(define-task (ask q) "{{q}}") (ask "anything")'
    thread, outcome = evaluate_in_thread(interp, program)
    interrupt_when_running(interp, thread, asked)
    assert isinstance(outcome.get("error"), KeyboardInterrupt)
    released = [event for event in events if event.kind == "released"]
    assert [event.detail["outcome"] for event in released] == ["interrupted"]


def test_interrupt_when_nothing_runs_changes_nothing():
    interp = interpreter()
    interp.interrupt()
    assert interp.eval("(+ 1 2)") == 3


def test_one_ctrl_c_stops_a_program_whose_after_thunk_loops(tmp_path):
    (tmp_path / "stubborn.scm").write_text(
        f'(display "started")(flush-output-port)\n{LOOPING_AFTER_THUNK}'
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "interpreter", "run", "stubborn.scm"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TASKSCHEME_TRACE": ""},
    )
    try:
        assert process.stdout.read(len("started")) == "started"  # the loop is running
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=PATIENCE)
    finally:
        process.kill()
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr


def test_ctrl_c_stops_a_program_blocked_reading_standard_input(tmp_path):
    (tmp_path / "reader.scm").write_text('(display "started")(flush-output-port)\n(read-line)')
    process = subprocess.Popen(
        [sys.executable, "-m", "interpreter", "run", "reader.scm"],
        cwd=tmp_path,
        stdin=subprocess.PIPE,  # open, and never written: the read waits for ever
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TASKSCHEME_TRACE": ""},
    )
    try:
        assert process.stdout.read(len("started")) == "started"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=PATIENCE) == 130
        assert "interrupted" in process.stderr.read()
    finally:
        process.kill()
        process.stdin.close()
        process.stdout.close()
        process.stderr.close()
