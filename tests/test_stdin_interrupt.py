"""A program blocked reading standard input (a real pipe) stops when interrupted through
the API, and nothing is read behind the program's back: input that arrives later goes to
the next read."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from interpreter import Interpreter

PROMPTLY = 3.0  # seconds: the interrupt is seen within a fraction of a second


def _evaluate_in_thread(interp: Interpreter, program: str) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = interp.eval(program)
        except BaseException as error:  # KeyboardInterrupt is what an interrupt raises
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


@pytest.fixture
def stdin_pipe(monkeypatch):
    """Standard input is the read end of a real pipe; yields its write end."""
    read_end, write_end = os.pipe()
    reader = open(read_end, encoding="utf-8")  # noqa: SIM115 - closed below
    monkeypatch.setattr(sys, "stdin", reader)
    with open(write_end, "w", encoding="utf-8") as writer:
        yield writer
    reader.close()


@pytest.mark.parametrize("program", ["(read-line)", "(read-char)", "(read)", "(read-string 3)"])
def test_interrupt_stops_a_read_waiting_on_stdin(stdin_pipe, program):
    interp = Interpreter(stdin=sys.stdin)
    thread, outcome = _evaluate_in_thread(interp, program)
    thread.join(0.3)
    assert thread.is_alive()  # waiting for input
    interp.interrupt()
    thread.join(PROMPTLY)
    assert not thread.is_alive()
    assert isinstance(outcome.get("error"), KeyboardInterrupt)


def test_input_after_an_interrupted_read_goes_to_the_next_read(stdin_pipe):
    interp = Interpreter(stdin=sys.stdin)
    thread, _ = _evaluate_in_thread(interp, "(read-line)")
    thread.join(0.3)
    interp.interrupt()
    thread.join(PROMPTLY)
    assert not thread.is_alive()
    stdin_pipe.write("first\nsecond\n")
    stdin_pipe.flush()
    assert interp.eval("(list (read-line) (read-char) (read-line))") == ["first", "s", "econd"]


def test_reading_lines_from_a_pipe_keeps_every_line(stdin_pipe):
    stdin_pipe.write("".join(f"line {i}\n" for i in range(2000)))
    stdin_pipe.close()
    program = """
    (let loop ((count 0) (last #f))
      (let ((line (read-line)))
        (if (eof-object? line) (list count last) (loop (+ count 1) line))))
    """
    assert Interpreter(stdin=sys.stdin).eval(program) == [2000, "line 1999"]


def test_input_that_is_not_utf8_is_a_file_error(monkeypatch):
    read_end, write_end = os.pipe()
    os.write(write_end, b"caf\xe9\n")
    os.close(write_end)
    with open(read_end, encoding="utf-8") as reader:
        monkeypatch.setattr(sys, "stdin", reader)
        result = Interpreter(stdin=sys.stdin).eval(
            "(guard (e ((file-error? e) (error-object-message e))) (read-line))"
        )
    assert result == "cannot read stdin: it is not UTF-8 text"


def test_ctrl_c_stops_the_command_waiting_for_stdin(tmp_path):
    program = subprocess.Popen(
        [sys.executable, "-m", "interpreter", "eval", "(read-line)"],
        stdin=subprocess.PIPE,  # kept open: the read waits
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    try:
        time.sleep(1.0)  # started and waiting
        started = time.monotonic()
        program.send_signal(signal.SIGINT)
        program.wait(timeout=PROMPTLY)
        assert time.monotonic() - started < PROMPTLY
        assert program.returncode == 130
    finally:
        program.kill()
        program.wait()
        for stream in (program.stdin, program.stdout, program.stderr):
            stream.close()
