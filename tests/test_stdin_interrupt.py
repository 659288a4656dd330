"""A program blocked reading standard input stops when interrupted through the API, and
no input is lost: the line the interrupted read was waiting for goes to the next read."""

from __future__ import annotations

import os
import sys
import threading

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
    interp = Interpreter()
    thread, outcome = _evaluate_in_thread(interp, program)
    thread.join(0.3)
    assert thread.is_alive()  # waiting for input
    interp.interrupt()
    thread.join(PROMPTLY)
    assert not thread.is_alive()
    assert isinstance(outcome.get("error"), KeyboardInterrupt)


def test_the_line_an_interrupted_read_waited_for_is_read_next(stdin_pipe):
    interp = Interpreter()
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
    assert Interpreter().eval(program) == [2000, "line 1999"]
