"""Error messages as users see them: real programs run by the `taskscheme` command.

Each program runs once per module (`outcome`), and each test checks one property of
what the command printed: `file:line:col` of the right sub-expression, the source line
with carets, the call chain innermost first, suggestions, arity, brackets, exit codes,
that no Python traceback appears, and that output printed before an error is kept.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    file: str

    @property
    def lines(self) -> list[str]:
        return self.stderr.splitlines()


def taskscheme(*args: str, cwd: Path) -> Outcome:
    result = subprocess.run(
        [sys.executable, "-m", "interpreter", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )
    return Outcome(result.returncode, result.stdout, result.stderr, "")


PROGRAMS = {
    "chain": """\
        (define (safe-div a b)
          (/ a b))

        (define (average xs)
          (+ 0 (safe-div (apply + xs) (length xs))))

        (define (report xs)
          (display "average: ")
          (display (average xs))
          (newline))

        (display "before")
        (newline)
        (report '())
        (display "never printed")
        """,
    "tail-chain": """\
        (define (safe-div a b) (/ a b))
        (define (average xs) (safe-div (apply + xs) (length xs)))
        (average '())
        """,
    "misspelt-local": """\
        (define (greet name)
          (string-append "hello " nme))
        (greet "ann")
        """,
    "misspelt-global": """\
        (dispaly "hello")
        """,
    "arity": """\
        (define (add a b) (+ a b))
        (display (add 1))
        """,
    "arity-optional": """\
        (define (scale x #:optional (factor 2)) (* x factor))
        (scale 1 2 3)
        """,
    "arity-primitive": """\
        (display "x")
        (car '(1) '(2))
        """,
    "unclosed": """\
        (define (f x)
          (* x 2))

        (define (g y)
          (let ((z (+ y 1)))
            (* z z))

        (display (g 2))
        """,
    "stray-closer": """\
        (define x 1))
        (display x)
        """,
    "mismatched": """\
        (let [(x 1)) x)
        """,
    "unclosed-string": """\
        (display "hello)
        """,
    "type-error": """\
        (define lst '(1 2 3))
        (define (second-of v) (vector-ref v 1))
        (display (second-of lst))
        """,
    "user-error": """\
        (define (check-age age)
          (if (< age 0)
              (error "age must not be negative:" age)
              age))
        (check-age -5)
        """,
    "uncaught-raise": """\
        (raise 'out-of-cheese)
        """,
    "macro-use": """\
        (define-syntax swap!
          (syntax-rules ()
            ((_ a b) (let ((tmp a)) (set! a b) (set! b tmp)))))
        (define p 1)
        (swap! p)
        """,
    "nested-syntax-error": """\
        (define (f x)
          (if (> x 0)
              (let ((y)) y)
              (if)))
        """,
    "library-callback": """\
        (define (firsts lists) (map (lambda (l) (car l)) lists))
        (display (firsts '((1) (2) ())))
        """,
    "library-misuse": """\
        (define xs 5)
        (display (filter odd? xs))
        """,
    "library-map-non-list": """\
        (display (map car 5))
        """,
    "several-errors": """\
        (define (f x)
          (let ((x 1) (x 2)) x))
        (if)
        (display (frobnicate-widgets 1))
        (define (broken y)
          (+ y 1)
        """,
    "clean": """\
        (define (square x) (* x x))
        (display (square 4))
        (newline)
        """,
    "exit-code": """\
        (display "bye")
        (dynamic-wind (lambda () #f) (lambda () (exit 3)) (lambda () (display " cleanup")))
        (display "never")
        """,
}


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    """`outcome(name, command="run")`: the result of running (or checking) a program."""
    directory = tmp_path_factory.mktemp("programs")
    cache: dict[tuple[str, str], Outcome] = {}

    def run(name: str, command: str = "run") -> Outcome:
        if (name, command) not in cache:
            path = directory / f"{name}.scm"
            path.write_text(textwrap.dedent(PROGRAMS[name]), encoding="utf-8")
            result = taskscheme(command, path.name, cwd=directory)
            cache[name, command] = Outcome(
                result.returncode, result.stdout, result.stderr, path.name
            )
        return cache[name, command]

    return run


def caret_lines(line: int, text: str, col: int, width: int) -> list[str]:
    gutter = f"{line:>4} | "
    return [f"{gutter}{text}", " " * (len(gutter) + col - 1) + "^" * width]


def assert_no_traceback(result: Outcome) -> None:
    assert "Traceback" not in result.stderr
    assert 'File "' not in result.stderr
    assert "internal error" not in result.stderr


# ------------------------------------------------------------------ location and chain


def test_location_is_the_failing_subexpression(outcome):
    result = outcome("chain")
    assert result.lines[0] == "chain.scm:2:3: error: /: division by zero"


def test_source_line_and_caret_under_the_span(outcome):
    result = outcome("chain")
    assert result.lines[1:3] == caret_lines(2, "  (/ a b))", 3, len("(/ a b)"))


def test_call_chain_innermost_first_with_call_sites(outcome):
    result = outcome("chain")
    chain = result.lines[result.lines.index("call chain (innermost first):") + 1 :]
    assert chain == [
        "  in safe-div at chain.scm:5:8",
        "  in average at chain.scm:9:12",
        "  in report at chain.scm:14:1",
    ]


def test_output_before_the_error_is_kept(outcome):
    result = outcome("chain")
    assert result.stdout == "before\naverage: "


def test_program_error_exits_1_without_traceback(outcome):
    result = outcome("chain")
    assert result.returncode == 1
    assert_no_traceback(result)


def test_chain_names_the_procedure_reached_by_tail_calls(outcome):
    result = outcome("tail-chain")
    assert result.lines[0] == "tail-chain.scm:1:24: error: /: division by zero"
    assert (
        "  in safe-div at tail-chain.scm:3:1 (reached by tail calls from average)" in result.lines
    )


def test_error_in_a_callback_from_the_library_points_at_user_code(outcome):
    result = outcome("library-callback")
    assert result.lines[0] == (
        "library-callback.scm:1:41: type-error: car: expected a pair as argument 1, got ()"
    )
    assert result.lines[1:3] == caret_lines(
        1, "(define (firsts lists) (map (lambda (l) (car l)) lists))", 41, len("(car l)")
    )
    assert result.lines[-1] == "  in firsts at library-callback.scm:2:10"
    assert_no_traceback(result)


def test_error_inside_the_library_is_shown_at_the_programs_call(outcome):
    result = outcome("library-misuse")
    assert result.lines[0] == (
        "library-misuse.scm:2:10: type-error: car: expected a pair as argument 1, got 5"
        " (in filter, from the standard library)"
    )
    assert result.lines[1:3] == caret_lines(2, "(display (filter odd? xs))", 10, 16)
    assert "lists.scm" not in result.stderr
    assert_no_traceback(result)


def test_library_map_of_a_non_list_is_an_error(outcome):
    result = outcome("library-map-non-list")
    assert result.lines[0] == "library-map-non-list.scm:1:10: error: map: expected a list, got 5"
    assert result.returncode == 1


def test_library_frames_are_summarized_in_the_chain(outcome):
    result = outcome("library-callback")
    assert "  in <lambda library-callback.scm:1:29> at lists.scm:" in result.stderr
    assert "in the standard library" in result.stderr
    assert "/stdlib/" not in result.stderr


# ------------------------------------------------------------------ kinds of error


def test_unbound_variable_suggests_a_close_local_name(outcome):
    result = outcome("misspelt-local")
    assert result.lines[0] == (
        "misspelt-local.scm:2:27: unbound-variable: unbound variable nme (did you mean name?)"
    )
    assert result.lines[1:3] == caret_lines(2, '  (string-append "hello " nme))', 27, 3)
    assert "  in greet at misspelt-local.scm:3:1" in result.lines


def test_unbound_variable_suggests_a_close_global_name(outcome):
    result = outcome("misspelt-global")
    assert result.lines[0] == (
        "misspelt-global.scm:1:2: unbound-variable: unbound variable dispaly (did you mean display?)"
    )
    assert result.returncode == 1


def test_wrong_argument_count_names_procedure_and_arity(outcome):
    result = outcome("arity")
    assert result.lines[0] == "arity.scm:2:10: arity-error: add: expects 2 arguments, got 1"
    assert result.lines[1:3] == caret_lines(2, "(display (add 1))", 10, len("(add 1)"))
    assert "call chain" not in result.stderr  # add never started


def test_wrong_argument_count_with_optional_parameters(outcome):
    result = outcome("arity-optional")
    assert result.lines[0] == (
        "arity-optional.scm:2:1: arity-error: scale: expects 1 to 2 arguments, got 3"
    )


def test_wrong_argument_count_of_a_primitive(outcome):
    result = outcome("arity-primitive")
    assert result.lines[0] == "arity-primitive.scm:2:1: arity-error: car: expects 1 argument, got 2"
    assert result.stdout == "x"
    assert_no_traceback(result)


def test_type_error_names_procedure_argument_and_value(outcome):
    result = outcome("type-error")
    assert result.lines[0] == (
        "type-error.scm:2:23: type-error: vector-ref: expected a vector as argument 1, got (1 2 3)"
    )
    assert "  in second-of at type-error.scm:3:10" in result.lines


def test_error_procedure_message_and_irritants(outcome):
    result = outcome("user-error")
    assert result.lines[0] == "user-error.scm:3:7: error: age must not be negative: -5"
    assert "  in check-age at user-error.scm:5:1" in result.lines


def test_uncaught_raise_of_a_non_error_object(outcome):
    result = outcome("uncaught-raise")
    assert (
        result.lines[0] == "uncaught-raise.scm:1:1: uncaught-raise: uncaught raise of out-of-cheese"
    )
    assert result.returncode == 1


def test_macro_use_that_matches_no_rule_points_at_the_use(outcome):
    result = outcome("macro-use")
    assert result.lines[0] == (
        "macro-use.scm:5:1: syntax-error: no syntax-rules pattern of swap! matches this use"
    )
    assert result.lines[1:3] == caret_lines(5, "(swap! p)", 1, len("(swap! p)"))


def test_syntax_error_points_at_the_nested_form(outcome):
    result = outcome("nested-syntax-error")
    assert result.lines[0] == (
        "nested-syntax-error.scm:4:7: syntax-error: bad if: expected (if test then [else])"
    )
    assert_no_traceback(result)


# ------------------------------------------------------------------ brackets


def test_unclosed_paren_points_at_the_opening_one_never_closed(outcome):
    result = outcome("unclosed")
    assert result.lines[0] == "unclosed.scm:4:1: syntax-error: '(' is never closed"
    assert result.lines[1:3] == caret_lines(4, "(define (g y)", 1, 1)
    assert result.returncode == 1
    assert result.stdout == ""  # nothing runs when the file does not read


def test_stray_closing_paren(outcome):
    result = outcome("stray-closer")
    assert result.lines[0] == (
        "stray-closer.scm:1:13: syntax-error: unexpected ')' with no matching opening bracket"
    )
    assert result.lines[1:3] == caret_lines(1, "(define x 1))", 13, 1)


def test_mismatched_bracket_names_the_opener(outcome):
    result = outcome("mismatched")
    assert result.lines[0] == (
        "mismatched.scm:1:12: syntax-error: ')' closes the '[' opened at line 1, column 6"
    )


def test_unclosed_string(outcome):
    result = outcome("unclosed-string")
    assert result.lines[0] == "unclosed-string.scm:1:10: syntax-error: string is never closed"
    assert_no_traceback(result)


# ------------------------------------------------------------------ check


def test_check_reports_every_error_of_a_file_at_once(outcome):
    result = outcome("several-errors", "check")
    headlines = [line for line in result.lines if ": " in line and line.startswith("several")]
    assert headlines == [
        "several-errors.scm:2:15: syntax-error: bad let: x is bound twice",
        "several-errors.scm:3:1: syntax-error: bad if: expected (if test then [else])",
        "several-errors.scm:4:11: unbound-variable: unbound variable frobnicate-widgets",
        "several-errors.scm:5:1: syntax-error: '(' is never closed",
    ]
    assert result.lines[-1] == "4 error(s) found"
    assert result.returncode == 1
    assert_no_traceback(result)


def test_check_of_a_clean_file(outcome):
    result = outcome("clean", "check")
    assert result.returncode == 0
    assert result.stdout == "ok: 1 file(s) read and expanded, no errors\n"
    assert result.stderr == ""


def test_check_runs_nothing(outcome):
    result = outcome("chain", "check")
    assert result.returncode == 0
    assert result.stdout == "ok: 1 file(s) read and expanded, no errors\n"  # no "before"


# ------------------------------------------------------------------ exit codes


def test_successful_run_exits_0(outcome):
    result = outcome("clean")
    assert (result.returncode, result.stdout, result.stderr) == (0, "16\n", "")


def test_exit_procedure_sets_the_exit_code_and_unwinds(outcome):
    result = outcome("exit-code")
    assert result.returncode == 3
    assert result.stdout == "bye cleanup"
    assert result.stderr == ""


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["bogus-command"], id="unknown-command"),
        pytest.param(["run"], id="run-without-file"),
        pytest.param(["run", "--max-recursion-depth", "lots", "x.scm"], id="bad-option-value"),
        pytest.param(["check", "no-such-file.scm"], id="check-missing-file"),
        pytest.param(["run", "no-such-file.scm"], id="run-missing-file"),
        pytest.param([], id="no-command"),
    ],
)
def test_bad_command_lines_exit_2(args, tmp_path):
    result = taskscheme(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_eval_prints_the_value(tmp_path):
    result = taskscheme("eval", "(map (lambda (x) (* x x)) '(1 2 3))", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "(1 4 9)\n")


def test_eval_error_is_located_in_the_expression(tmp_path):
    result = taskscheme("eval", "(+ 1 (car '()))", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "<eval>:1:6: type-error: car: expected a pair as argument 1, got ()"
    )


def test_error_quotes_the_text_it_was_read_from_not_a_later_one():
    """Every `eval` reads "<eval>": an error in code from an earlier one still shows
    that code's line (through the API, as an embedder or the REPL would see it)."""
    from interpreter.api import Interpreter
    from interpreter.errors import TaskschemeError, format_error

    interpreter = Interpreter()
    interpreter.eval("(define (first-of x)\n  (car x))")
    with pytest.raises(TaskschemeError) as caught:
        interpreter.eval("(first-of 1)")
    lines = format_error(caught.value).splitlines()
    assert lines[0] == "<eval>:2:3: type-error: car: expected a pair as argument 1, got 1"
    assert lines[1:3] == caret_lines(2, "  (car x))", 3, len("(car x)"))
