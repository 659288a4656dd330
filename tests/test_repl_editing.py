"""The REPL's editor, driven through prompt-toolkit's pipe input: Enter submits only a
complete form and otherwise opens an indented line, completion offers bound names, the
keywords of the form being typed and meta-commands, and a pasted program arrives whole."""

from __future__ import annotations

import io

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from interpreter.cli.repl.editing import ReplCompleter, indentation, is_complete
from interpreter.cli.repl.loops import make_prompt
from interpreter.cli.repl.session import ReplSession
from tests.tasks_support import settings


@pytest.fixture
def session():
    out, err = io.StringIO(), io.StringIO()
    repl = ReplSession({}, settings(), numbered=True, out=lambda: out, err=lambda: err)
    yield repl
    repl.close()


def typed(session: ReplSession, keys: str) -> str:
    """What the editor submits after `keys` are typed."""
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        prompt = make_prompt(session, InMemoryHistory(), input=pipe, output=DummyOutput())
        return prompt.prompt("> ")


def test_enter_inside_an_open_form_inserts_an_indented_line(session):
    assert typed(session, "(define (f x)\r(* x 2))\r") == "(define (f x)\n  (* x 2))"


def test_enter_indents_under_the_innermost_open_bracket(session):
    assert typed(session, "(let ((a 1)\r(b 2))\r(+ a b))\r") == (
        "(let ((a 1)\n       (b 2))\n  (+ a b))"
    )


def test_an_open_string_is_not_submitted(session):
    assert typed(session, '(display "two\rlines")\r') == '(display "two\nlines")'


def test_a_pasted_program_arrives_whole(session):
    program = "(define a 1)\r(define b\r  2)\r"
    # bracketed paste: the terminal marks the start and the end of pasted text
    pasted = typed(session, f"\x1b[200~{program}\x1b[201~\r")
    assert pasted == "(define a 1)\n(define b\n  2)\n"


def test_a_meta_command_submits_at_once(session):
    assert typed(session, ",env (\r") == ",env ("


@pytest.mark.parametrize(
    ("text", "complete"),
    [("(+ 1 2)", True), ("(+ 1", False), ('"abc', False), ("'", False), ("#| x", False)],
)
def test_completeness_is_the_readers(text, complete):
    assert is_complete(text) is complete


def test_a_stray_closer_is_complete_so_its_error_shows():
    assert is_complete("(+ 1 2))")


def test_indentation_ignores_brackets_in_strings_and_comments():
    assert indentation('(display "(((" ; (((\n') == "  "


def completions(session: ReplSession, text: str) -> list[str]:
    commands = [",describe", ",env", ",limits"]
    completer = ReplCompleter(session.all_names, session.keywords, lambda: commands)
    found = completer.get_completions(Document(text), CompleteEvent(completion_requested=True))
    return [completion.text for completion in found]


def test_completion_offers_bound_names_and_session_definitions(session):
    session.evaluate("(define my-helper 1)")
    assert "string-upcase" in completions(session, "(string-up")
    assert completions(session, "(my-h") == ["my-helper"]


def test_completion_offers_the_keywords_of_the_form_being_typed(session):
    offered = completions(session, "(define-task (t x) #:max")
    assert "#:max-turns" in offered and "#:workers" not in offered
    assert completions(session, "(parallel-map f xs #:w") == ["#:workers"]


def test_completion_offers_the_keyword_parameters_of_the_programs_procedures(session):
    session.evaluate('(define (greet name #:key (greeting "hi") (loud #f)) name)')
    assert completions(session, "(greet x #:") == ["#:greeting", "#:loud"]


def test_completion_offers_meta_commands(session):
    assert completions(session, ",d") == [",describe"]
