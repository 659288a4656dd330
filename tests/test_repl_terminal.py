"""The REPL in a real terminal (tmux), as a person uses it: what is typed, and what the
screen then shows: the editor, numbered results, Ctrl-C and Ctrl-D, the history file,
and the live limits moving between two turns of one task (the model is a local server
that answers only when the test lets it)."""

from __future__ import annotations

import re
import threading
import time

import pytest

from tests.fake_llm_server import FakeLLMServer, Reply
from tests.terminal_support import TIMEOUT, Screen, needs_tmux

pytestmark = needs_tmux


@pytest.fixture
def terminal(tmp_path):
    screens: list[Screen] = []

    def start(*args: str, env: dict[str, str] | None = None) -> Screen:
        screen = Screen(tmp_path, ("repl", *args), env or {})
        screens.append(screen)
        screen.expect(r"running 0\s*$")  # the editor's toolbar: it waits for input
        return screen

    yield start
    for screen in screens:
        screen.close()


def finish(screen: Screen) -> None:
    """End the session with Ctrl-D at the empty prompt, once the prompt is up to read it
    (a key sent while the REPL is between prompts can be dropped by the terminal)."""
    screen.expect(EMPTY_PROMPT)
    screen.type("C-d")
    screen.expect("exit=0")


# a prompt with nothing typed at it yet
EMPTY_PROMPT = r"^>\s*$"


def test_a_definition_over_several_lines_then_a_numbered_result(terminal):
    screen = terminal()
    screen.type("(define (double x)", "Enter")
    screen.expect(r"^> \(define \(double x\)\n\.$")  # still open: a continuation line
    screen.type("(* x 2))", "Enter", "(double 21)", "Enter")
    screen.expect(r"\$1 = 42")
    screen.type("(+ $1 1)", "Enter")
    screen.expect(r"\$2 = 43")
    finish(screen)


def test_matching_brackets_and_syntax_are_highlighted(terminal):
    screen = terminal()
    screen.type("(car (list 1 2))")
    screen.expect(r"^> \(car \(list 1 2\)\)$")
    line = screen.text(colours=True).splitlines()[1]
    background = r"\x1b\[(?:[\d;]*;)?48;5;\d+m"
    # the cursor is after the last bracket: it and the first are highlighted as a pair
    assert re.match(rf"> (\x1b\[[\d;]*m)*{background}\(", line), repr(line)
    assert re.search(rf"{background}\)(\x1b\[[\d;]*m)*$", line), repr(line)
    assert re.search(r"\x1b\[38;5;\d+m(\x1b\[[\d;]*m)*car", line), repr(line)  # in colour
    screen.type("C-c")
    finish(screen)


def test_ctrl_c_at_the_prompt_drops_the_line(terminal):
    screen = terminal()
    screen.type("(+ 1")
    screen.expect(r"> \(\+ 1")
    screen.type("C-c")
    screen.expect(EMPTY_PROMPT)
    screen.type("(+ 2 3)", "Enter")
    screen.expect(r"\$1 = 5")
    finish(screen)


def test_ctrl_c_stops_a_long_computation_and_the_session_goes_on(terminal):
    screen = terminal()
    screen.type("(let loop () (loop))", "Enter")
    screen.expect("evaluating")  # the live line is up while it runs
    screen.type("C-c")
    screen.expect("interrupted")
    screen.expect(EMPTY_PROMPT)
    screen.type("(+ 1 1)", "Enter")
    screen.expect(r"\$1 = 2")
    finish(screen)


def test_quiet_shows_no_status_line_while_evaluating(terminal):
    screen = terminal("--quiet")
    screen.type("(let loop () (loop))", "Enter")
    time.sleep(0.5)  # the line would be drawn within a tenth of a second
    assert "evaluating" not in screen.text()
    screen.type("C-c")
    screen.expect("interrupted")
    finish(screen)


@pytest.mark.parametrize("quiet", [(), ("--quiet",)])
def test_output_that_does_not_end_a_line_stays_on_the_screen(terminal, quiet):
    screen = terminal(*quiet)
    screen.type('(display "hello")', "Enter")
    screen.expect(r"^> \(display \"hello\"\)\nhello\n>")
    screen.expect(EMPTY_PROMPT)
    screen.type("(write 42)", "Enter")
    screen.expect(r"^> \(write 42\)\n42\n>")
    screen.expect(EMPTY_PROMPT)
    screen.type('(begin (display "hi") 7)', "Enter")
    screen.expect(r"\)\nhi\n\$1 = 7\n>")  # the value on a line of its own
    screen.expect(EMPTY_PROMPT)
    screen.type('(begin (display "oh") (car 1))', "Enter")
    screen.expect(r"\)\noh\n<repl 4>:1:23: type-error: car")  # and an error message
    finish(screen)


def test_a_dumb_terminal_gets_plain_prompts_and_no_toolbar(tmp_path):
    screen = Screen(tmp_path, ("repl",), {"TERM": "dumb"})
    try:
        screen.expect(r"^>\s*$")  # the plain prompt
        screen.type("(+ 1", "Enter")
        screen.expect(r"^\.\s*$")  # the form is still open
        screen.type("2)", "Enter")
        shown = screen.expect(r"^\$1 = 3$")
        assert "running" not in shown
        screen.type("C-d")
        screen.expect("exit=0")
    finally:
        screen.close()


def test_plain_taskscheme_on_a_terminal_starts_the_repl(tmp_path):
    screen = Screen(tmp_path, (), {})
    try:
        screen.expect(r"running 0\s*$")
        screen.type("(* 6 7)", "Enter")
        screen.expect(r"\$1 = 42")
        screen.type("C-d")
        screen.expect("exit=0")
    finally:
        screen.close()


def test_history_is_kept_across_sessions(terminal, tmp_path):
    screen = terminal()
    screen.type('(string-append "his" "tory")', "Enter")
    screen.expect('"history"')
    finish(screen)
    screen.close()
    assert '(string-append "his" "tory")' in (tmp_path / "data/taskscheme/history").read_text()
    screen = terminal()
    screen.type("Up", "Enter")  # the last input of the last session
    screen.expect(r'\$1 = "history"')
    screen.type("(string-a")
    screen.expect(r'^> \(string-append "his" "tory"\)$')  # suggested from the history
    screen.type("Right", "Enter")
    screen.expect(r'\$2 = "history"')
    finish(screen)


class GatedModel:
    """A fake model server that holds each request until the test opens the gate."""

    def __init__(self, server: FakeLLMServer, replies: list[Reply]) -> None:
        self.server = server
        self.replies = list(replies)
        self.gates = [threading.Event() for _ in replies]
        self.arrived = [threading.Event() for _ in replies]
        server.fallback = self._answer

    def _answer(self, path: str, body: dict) -> Reply:
        number = len(self.server.received) - 1
        self.arrived[number].set()
        self.gates[number].wait(TIMEOUT)
        return self.replies[number]

    def release(self, number: int) -> None:
        self.gates[number].set()

    def wait_for(self, number: int) -> None:
        assert self.arrived[number].wait(TIMEOUT), f"request {number + 1} never came"


TASK = [
    '(define-tool (echo (x string "a word")) "Say the word back." x)',
    "Enter",
    '(define-task (ask q) #:tools (list echo) #:max-turns 4 "{{q}}")',
    "Enter",
]


def model_env(server: FakeLLMServer) -> dict[str, str]:
    return {
        "TASKSCHEME_MODEL": "openai:gpt-4o-mini",
        "TASKSCHEME_OPENAI_BASE_URL": server.openai_url,
        "TASKSCHEME_OPENAI_API_KEY": "sk-test",
    }


def test_the_live_line_moves_between_two_turns_of_one_task(terminal, fake_llm):
    model = GatedModel(fake_llm, [Reply(tool_calls=[("echo", {"x": "hi"})]), Reply("done")])
    screen = terminal("--budget-turns", "10", env=model_env(fake_llm))
    screen.type(*TASK, '(ask "say hi")', "Enter")
    model.wait_for(0)
    screen.expect(r"evaluating .*ask: turns 1/4 context [\d,]+/64,000 \(\d+%\) peak")
    screen.expect(r"budget turns 1/10 \| running 1")
    model.release(0)
    model.wait_for(1)
    screen.expect(r"evaluating .*ask: turns 2/4 .*budget turns 2/10 \| running 1")
    model.release(1)
    screen.expect(r'\$1 = "done"')
    # between prompts the toolbar keeps the last task's figures
    screen.expect(r"model openai:gpt-4o-mini \| ask: turns 2/4 .*budget turns 2/10 \| running 0")
    finish(screen)


def test_ctrl_c_in_a_running_task_releases_its_handler(terminal, fake_llm):
    model = GatedModel(fake_llm, [Reply("too late")])
    screen = terminal(env=model_env(fake_llm))
    screen.type(*TASK, '(ask "say hi")', "Enter")
    model.wait_for(0)
    screen.expect("running 1")
    screen.type("C-c")
    screen.expect(r"interrupted\ntask ask released: turns 1/4")
    model.release(0)
    screen.expect(EMPTY_PROMPT)
    screen.type("(+ 1 1)", "Enter")
    screen.expect(r"\$1 = 2")
    finish(screen)


def test_an_exhausted_limit_is_shown_and_the_session_goes_on(terminal, fake_llm):
    echo = Reply(tool_calls=[("echo", {"x": "hi"})])
    model = GatedModel(fake_llm, [echo, echo])
    for number in range(2):
        model.release(number)
    screen = terminal("--max-turns", "2", env=model_env(fake_llm))
    screen.type(TASK[0], "Enter", TASK[2].replace("#:max-turns 4 ", ""), "Enter")
    screen.type('(ask "say hi")', "Enter")
    screen.expect("resource-exhausted")
    screen.expect(r"metrics: turns 2/2")
    screen.type("(+ 1 1)", "Enter")
    screen.expect(r"\$1 = 2")
    finish(screen)
