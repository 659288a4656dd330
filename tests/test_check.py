"""What `taskscheme check` finds in task programs without running them (or calling a
model): placeholders that name nothing, unknown options of define-task, make-task, llm
and parallel-map, and task calls with the wrong arguments; every mistake at once, each
at its own place. Correct programs, among them every example, check clean.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.tasks_support import interpreter

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

MISTAKES = """\
    (define-task (classify ticket)
      #:system "You label support tickets."
      #:max-turn 3
      "Label this ticket: {{tiket}}")
    (define-task (brief text)
      #:context '(audience)
      "Summarize {{text}} for {{audiance}} in {{styl}}.")
    (classify "a" "b")
    (classify "x" #:output 'json)
    (llm "hello" #:modle "openai:gpt-4o")
    (parallel-map classify '("a") #:worker 2)
    """


def check(program: str) -> list[str]:
    """The headline of each error `check` finds in `program`, with its line and column."""
    errors = interpreter().check(textwrap.dedent(program), "prog.scm")
    return [f"{e.span.line}:{e.span.col}: {e.message}" for e in errors]


def test_check_command_reports_every_mistake_of_a_task_program(tmp_path):
    path = tmp_path / "tasks.scm"
    path.write_text(textwrap.dedent(MISTAKES), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "interpreter", "check", path.name],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    headlines = [line for line in result.stderr.splitlines() if line.startswith("tasks.scm:")]
    assert headlines == [
        "tasks.scm:3:3: arity-error: classify: unknown keyword #:max-turn (did you mean"
        " #:max-turns?) (it takes #:model #:max-turns #:context-fraction"
        " #:warning-threshold #:system #:max-output-tokens #:max-cost #:max-seconds #:output #:output-retries #:tools #:tool-errors #:interactive #:context)",
        "tasks.scm:4:3: template-error: classify: the template uses {{tiket}}, which is not"
        " a parameter or a requested context key (did you mean ticket?); available: ticket",
        "tasks.scm:7:3: template-error: brief: the template uses {{audiance}}, which is not"
        " a parameter or a requested context key (did you mean audience?);"
        " available: text, audience",
        "tasks.scm:7:3: template-error: brief: the template uses {{styl}}, which is not"
        " a parameter or a requested context key; available: text, audience",
        "tasks.scm:8:1: arity-error: classify: expects 1 argument, got 2",
        "tasks.scm:9:1: arity-error: classify: a task call takes its arguments and may"
        " tighten its limits (#:max-turns #:context-fraction #:max-output-tokens #:max-cost #:max-seconds),"
        " not #:output; other options belong in define-task",
        "tasks.scm:10:14: arity-error: llm: unknown keyword #:modle (did you mean #:model?)"
        " (it takes #:model #:max-turns #:context-fraction #:warning-threshold #:system"
        " #:max-output-tokens #:max-cost #:max-seconds #:output #:output-retries #:tools #:tool-errors #:interactive)",
        "tasks.scm:11:31: arity-error: parallel-map: unknown keyword #:worker (did you mean"
        " #:workers?) (it takes #:workers #:errors #:executor)",
    ]
    lines = result.stderr.splitlines()
    assert lines[lines.index(headlines[0]) + 1] == "   3 |   #:max-turn 3"
    assert lines[-1] == "8 error(s) found"
    assert result.returncode == 1
    assert "Traceback" not in result.stderr


def test_a_direct_make_task_call_is_checked_like_define_task():
    assert check("""\
        (define greet (make-task 'greet '(who) "Hello {{whom}}" #:max-turnz 2))
        (greet)
        """) == [
        "1:40: greet: the template uses {{whom}}, which is not a parameter or a requested"
        " context key (did you mean who?); available: who",
        "1:57: greet: unknown keyword #:max-turnz (did you mean #:max-turns?) (it takes"
        " #:model #:max-turns #:context-fraction #:warning-threshold #:system"
        " #:max-output-tokens #:max-cost #:max-seconds #:output #:output-retries #:tools #:tool-errors #:interactive #:context)",
        "2:1: greet: expects 1 argument, got 0",
    ]


def test_a_task_without_parameters_takes_no_arguments():
    assert check("""\
        (define-task (joke) "Tell a joke about {{topic}}.")
        (joke "cats")
        """) == [
        "1:21: joke: the template uses {{topic}}, which is not a parameter or a requested"
        " context key; the task has no parameters and requests no context keys",
        "2:1: joke: expects 0 arguments, got 1",
    ]


def test_mistakes_in_the_names_a_task_definition_uses():
    """What make-task refuses when the task is defined, at the place it is written: a
    parameter named twice, a parameter also requested from working memory, and a
    placeholder in the system prompt, which is sent as it is."""
    assert check("""\
        (define-task (reply customer customer)
          #:context '(customer plan)
          #:system "You help {{plan}} customers. Keep {{slot}} markers."
          "Hi {{customer}}")
        """) == [
        "1:14: reply: parameter customer appears twice",
        "2:13: reply: customer is both a parameter and a requested context key",
        "3:12: reply: the system prompt uses {{plan}}, but only the template's placeholders"
        " are filled in; the system prompt is sent as it is. Put the value in the template",
    ]


def test_llm_and_parallel_map_calls_with_arguments_they_cannot_take():
    assert check("""\
        (define (shout x) x)
        (llm)
        (llm "Say hi" "twice" #:max-turns 1)
        (llm 'hello)
        (parallel-map shout)
        (parallel-map shout '(1) '(2) #:workers 2)
        """) == [
        "2:1: llm: expects one prompt string, then #:option value pairs; got no prompt",
        '3:1: llm: expects one prompt string, then #:option value pairs; got "Say hi" "twice"',
        "4:1: llm: expects one prompt string, then #:option value pairs; got hello",
        "5:1: parallel-map: expects a procedure and a list, got 1 argument(s)",
        "6:1: parallel-map: expects a procedure and a list, got 3 argument(s)",
    ]


def test_an_output_option_written_out_that_is_no_output_kind_or_schema():
    assert check("""\
        (define-task (label ticket) #:output 'jsn "Label {{ticket}}")
        (llm "Name a city" #:output '((type . "objet")))
        """) == [
        "1:38: label: #:output must be 'text, 'json or a JSON schema (an alist, a hash"
        " table or JSON text), got jsn",
        '2:29: llm: output schema at $, type: "objet" is not a JSON type; use one of'
        " object, array, string, number, integer, boolean, null",
    ]


def test_a_tool_parameter_of_no_known_type():
    assert check("""\
        (define-tool (lookup (id int "The order id") (note strng) (day string))
          "Find an order."
          id)
        """) == [
        "1:22: lookup: parameter id has type int (did you mean integer?); the types are"
        " string, number, integer, boolean, array, object",
        "1:46: lookup: parameter note has type strng (did you mean string?); the types are"
        " string, number, integer, boolean, array, object",
    ]


CLEAN = """\
    (define-tool (lookup-order (id string "The order id"))
      "Find an order by id."
      (string-append "order " id))
    (define-task (classify ticket)
      #:system "You label support tickets."
      #:max-turns 3
      #:context-fraction 0.5
      #:output 'json
      #:tools (list lookup-order)
      "Label this ticket as bug, billing or other: {{ticket}}. Answer {{\\"label\\": ...}}")
    (define keys '(audience))
    (define-task (brief text)
      #:context keys
      "Summarize {{text}} for {{reader}}.")
    (define-task (polite text)
      #:context '(audience)
      "Rewrite {{ text }} for {{audience}}.")
    (define (run)
      (with-context ((audience "engineers"))
        (list (classify "I was charged twice")
              (polite "hi")
              (llm "Say hi" #:max-turns 1 #:output 'text)
              (parallel-map classify '("a" "b") #:workers 2 #:errors 'collect))))
    """


def test_a_correct_task_program_checks_clean():
    """A #:context that is not a literal list may name any key, so its template is not
    judged; placeholders may have spaces inside the braces; JSON in braces is text."""
    assert check(CLEAN) == []


def test_a_procedure_the_program_defines_is_not_judged_as_the_task_procedure():
    assert (
        check("""\
        (define (llm prompt #:key temperature) prompt)
        (llm "hi" #:temperature 1)
        (define classify (make-task 'classify '(a b) "{{a}} {{b}}"))
        (set! classify (lambda (x) x))
        (classify 1)
        """)
        == []
    )


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.scm")), ids=lambda p: p.name)
def test_every_example_checks_clean(example):
    assert interpreter().check(example.read_text(encoding="utf-8"), example.name) == []


def test_a_call_may_tighten_the_limits_of_a_task_but_not_loosen_them():
    assert check("""\
        (define-task (classify t) #:max-turns 3 #:max-cost 0.5 "Label {{t}}")
        (classify "x" #:max-turns 2 #:max-cost 0.1 #:max-output-tokens 100)
        (classify "y" #:max-turns 5)
        (classify "z" #:max-cost 0.75 #:context-fraction 2)
        (classify "w" #:tools '())
        """) == [
        "3:27: classify: #:max-turns 5 at a call would loosen the task's limit of 3; a call"
        " may only tighten its limits",
        "4:26: classify: #:max-cost 0.75 at a call would loosen the task's limit of 0.5; a"
        " call may only tighten its limits",
        "4:50: classify: #:context-fraction 2 must be greater than 0 and at most 1",
        "5:1: classify: a task call takes its arguments and may tighten its limits"
        " (#:max-turns #:context-fraction #:max-output-tokens #:max-cost #:max-seconds), not #:tools;"
        " other options belong in define-task",
    ]
