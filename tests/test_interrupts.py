"""Interrupting a running program: `Interpreter.interrupt()` from another thread, and
Ctrl-C on the command line, stop it the same way: a KeyboardInterrupt out of the
evaluation, every Handler released as interrupted, and one request is enough even when
the program's `dynamic-wind` after-thunk loops."""

from __future__ import annotations

import json
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
from interpreter.tasks.executors import STOP_SECONDS
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


STARTED = '(display "started")(flush-output-port)'


@pytest.mark.parametrize(
    "program",
    [
        f"{STARTED}\n{LOOPING_AFTER_THUNK}",
        f"(parallel-map (lambda (x) {STARTED} {LOOP}) (iota 8))",
    ],
    ids=["after-thunk", "parallel-map"],
)
def test_one_ctrl_c_stops_a_stubborn_program(tmp_path, program):
    (tmp_path / "stubborn.scm").write_text(program)
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


def live_threads(prefix: str) -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith(prefix)]


def gone_soon(prefix: str) -> bool:
    deadline = time.monotonic() + PATIENCE
    while live_threads(prefix):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_interrupting_a_parallel_map_releases_every_running_task_as_interrupted():
    events = []
    asked = threading.Semaphore(0)

    def stalled(request: Any) -> str:
        asked.release()
        while True:  # a model that never answers
            time.sleep(0.01)

    interp = interpreter(FunctionModel(stalled), observers=[events.append])
    program = """
        (define-task (ask q) "{{q}}")
        (parallel-map ask '("a" "b" "c" "d" "e" "f") #:workers 4)"""
    thread, outcome = evaluate_in_thread(interp, program)
    for _ in range(4):
        assert asked.acquire(timeout=PATIENCE), "the workers never asked the model"
    interrupt_when_running(interp, thread)
    assert isinstance(outcome.get("error"), KeyboardInterrupt)
    released = [event for event in events if event.kind == "released"]
    started = {event.handler_id for event in events if event.kind == "content"}
    assert len(released) == len(started) == 4
    assert {event.detail["outcome"] for event in released} == {"interrupted"}
    assert gone_soon("taskscheme-parallel"), live_threads("taskscheme-parallel")


def test_interrupting_a_parallel_map_of_spinning_items_leaves_no_thread_running():
    interp = interpreter()
    program = f"(parallel-map (lambda (x) {LOOP}) (iota 27) #:workers 27)"
    thread, outcome = evaluate_in_thread(interp, program)
    interrupt_when_running(interp, thread)
    assert isinstance(outcome.get("error"), KeyboardInterrupt)
    assert gone_soon("taskscheme-parallel"), live_threads("taskscheme-parallel")
    assert interp.eval("(parallel-map (lambda (x) (* x x)) '(1 2 3))") == [1, 4, 9]


def test_interrupt_stops_a_task_waiting_on_a_model_over_http(fake_llm):
    fake_llm.reply("much too late", delay=60)
    events = []
    interp = interpreter(
        config={
            "model": "openai:gpt-4o-mini",
            "openai_base_url": fake_llm.openai_url,
            "openai_api_key": "sk-test",
        },
        observers=[events.append],
    )
    thread, outcome = evaluate_in_thread(interp, '(llm "anything")')
    while not fake_llm.received:  # the request is out
        time.sleep(0.02)
    interrupt_when_running(interp, thread)
    assert isinstance(outcome.get("error"), KeyboardInterrupt)
    released = [event.detail["outcome"] for event in events if event.kind == "released"]
    assert released == ["interrupted"]
    assert gone_soon("taskscheme-request"), live_threads("taskscheme-request")


def test_ctrl_c_during_a_parallel_map_over_http_releases_every_task_and_exits_130(
    tmp_path, fake_llm
):
    for _ in range(3):
        fake_llm.reply("much too late", delay=60)
    (tmp_path / "map.scm").write_text(
        '(define-task (ask q) "{{q}}")\n(parallel-map ask \'("a" "b" "c" "d") #:workers 3)'
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "interpreter", "run", "map.scm", "--trace", "trace.jsonl"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={
            **os.environ,
            "TASKSCHEME_MODEL": "openai:gpt-4o-mini",
            "TASKSCHEME_OPENAI_BASE_URL": fake_llm.openai_url,
            "TASKSCHEME_OPENAI_API_KEY": "sk-test",
            "XDG_CONFIG_HOME": str(tmp_path / "no-user-config"),
        },
    )
    try:
        deadline = time.monotonic() + PATIENCE
        while len(fake_llm.received) < 3:  # every worker waits on the server
            assert time.monotonic() < deadline and process.poll() is None, process.stderr.read()
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=PATIENCE)
    finally:
        process.kill()
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    events = [json.loads(line) for line in (tmp_path / "trace.jsonl").read_text().splitlines()]
    released = [event["detail"]["outcome"] for event in events if event["event"] == "released"]
    assert released == ["interrupted"] * 3
    assert len(fake_llm.received) == 3  # the fourth item never started


def test_one_interrupt_stops_a_parallel_map_whose_workers_are_still_starting(monkeypatch):
    # an interrupt landing while a worker thread starts used to kill the new thread
    # before it ran (its starter then waited for it until a second interrupt), or left
    # the map waiting out STOP_SECONDS for workers that never started
    interp = interpreter()
    start = threading.Thread.start
    starts = []

    def interrupted_while_starting(thread: threading.Thread) -> None:
        if thread.name.startswith("taskscheme-parallel"):
            starts.append(thread.name)
            if len(starts) == 3:
                interp.interrupt()
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", interrupted_while_starting)
    program = f"(parallel-map (lambda (x) {LOOP}) (iota 64) #:workers 64)"
    began = time.monotonic()
    thread, outcome = evaluate_in_thread(interp, program)
    thread.join(PATIENCE)
    assert not thread.is_alive(), "one interrupt did not stop the map"
    assert time.monotonic() - began < STOP_SECONDS  # nothing waited out the stop deadline
    assert isinstance(outcome.get("error"), KeyboardInterrupt)
    assert len(starts) < 64  # no worker started after the interrupt
    assert gone_soon("taskscheme-parallel"), live_threads("taskscheme-parallel")
    monkeypatch.undo()
    assert interp.eval("(parallel-map (lambda (x) (* x x)) '(1 2 3))") == [1, 4, 9]


# A task whose model calls a tool that never returns: the task's Handler stays open
# until the run is stopped, with no network and no model of its own.
SPINNING_TOOL = '[[reply]]\ntool_calls = [{name = "spin", arguments = {}}]\n'
SPINNING_TASK = f"""
(define-tool (spin) "Spins." (display "!") (flush-output-port) {LOOP})
(define-task (ask q) #:tools (list spin) "{{{{q}}}}")
"""


def spinning_command(tmp_path, *command: str, replies: int = 1) -> list[str]:
    (tmp_path / "spin.toml").write_text(SPINNING_TOOL * replies)
    return [
        sys.executable,
        "-m",
        "interpreter",
        *command,
        "--model",
        "script:spin.toml",
        "--trace",
        "trace.jsonl",
    ]


def stop_when_spinning(process: subprocess.Popen, sent: signal.Signals) -> str:
    """Send `sent` once a tool spins; the process's standard error."""
    try:
        assert process.stdout.read(1) == "!", process.stderr.read()
        process.send_signal(sent)
        _, stderr = process.communicate(timeout=PATIENCE)
    finally:
        process.kill()
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    return stderr


def handlers_in_trace(path) -> dict[int, list[dict]]:
    """Each Handler's events in the trace, in order."""
    events: dict[int, list[dict]] = {}
    for line in path.read_text().splitlines():
        event = json.loads(line)
        if event["handler"] is not None:
            events.setdefault(event["handler"], []).append(event)
    return events


def assert_released_as_interrupted(trace) -> None:
    handlers = handlers_in_trace(trace)
    assert handlers, "no task ran"
    for events in handlers.values():
        assert events[-1]["event"] == "released", [event["event"] for event in events]
        assert events[-1]["detail"]["outcome"] == "interrupted"


def test_one_ctrl_c_stops_a_64_worker_map_of_tasks_and_releases_every_handler(tmp_path):
    (tmp_path / "map.scm").write_text(
        SPINNING_TASK + "(parallel-map ask (map number->string (iota 64)) #:workers 64)"
    )
    process = subprocess.Popen(
        spinning_command(tmp_path, "run", "map.scm", replies=64),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "no-user-config")},
    )
    stderr = stop_when_spinning(process, signal.SIGINT)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert_released_as_interrupted(tmp_path / "trace.jsonl")


@pytest.mark.parametrize("sent", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
@pytest.mark.parametrize("command", ["run", "eval", "repl"])
def test_sigterm_and_sighup_stop_the_command_as_ctrl_c_does(tmp_path, command, sent):
    program = SPINNING_TASK + '(ask "anything")'
    (tmp_path / "spin.scm").write_text(program)
    arguments = {"run": ["run", "spin.scm"], "eval": ["eval", f"(begin {program})"]}
    process = subprocess.Popen(
        spinning_command(tmp_path, *arguments.get(command, ["repl"])),
        cwd=tmp_path,
        stdin=subprocess.PIPE,  # the REPL reads the program; kept open, it waits for more
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "no-user-config")},
    )
    if command == "repl":
        process.stdin.write(program + "\n")
        process.stdin.flush()
    stderr = stop_when_spinning(process, sent)
    assert process.returncode == 128 + sent, stderr
    assert f"stopped by {sent.name}" in stderr and "Traceback" not in stderr
    assert_released_as_interrupted(tmp_path / "trace.jsonl")
    last = json.loads((tmp_path / "trace.jsonl").read_text().splitlines()[-1])
    assert last["event"] == "released"  # the trace was flushed to its end
