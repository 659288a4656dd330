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
              (let ((y 1)) y)
              (if)))
        """,
    "library-callback": """\
        (define (firsts lists) (map (lambda (l) (car l)) lists))
        (display (firsts '((1) (2) ())))
        """,
    "library-misuse": """\
        (define width 5)
        (display (string-reverse width))
        """,
    "library-argument": """\
        (define xs '(1 2 3))
        (display (filter xs odd?))
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
    "macro-argument": """\
        (define-syntax swap!
          (syntax-rules ()
            ((_ a b) (let ((tmp a)) (set! a b) (set! b tmp)))))
        (define x 1)
        (swap! x
               undefined-y)
        """,
    "keyword-arity": """\
        (define (resize img #:key width height) img)
        (define (thumbnail img) (resize img #:widht 10))
        (display "start")
        (thumbnail 'photo)
        """,
    "keyword-arity-direct": """\
        (define (resize img #:key width height) img)
        (resize 'photo #:widht 10)
        """,
    "tail-into-library": """\
        (define (evens xs) (filter even? xs))
        (define (report xs) (length (evens xs)))
        (report 5)
        """,
    "bad-exit-code": """\
        (display "bye")
        (exit "bad")
        """,
    "check-calls": """\
        (define (add a b) (+ a b))
        (define (later) (add 1 2 3))
        (define counter 0)
        (define (bump!) (set! countr (+ counter 1)))
        (car '(1) '(2))
        (display (filter odd?))
        (define (flexible a #:optional b) a)
        (flexible 1 2)
        (define (redefined x) x)
        (define (redefined x y) x)
        (redefined 1 2)
        """,
    "partial-line": """\
        (display "partial")
        (car '())
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
        "library-misuse.scm:2:10: type-error: string->list: expected a string as argument 1,"
        " got 5 (in string-reverse, from the standard library)"
    )
    assert result.lines[1:3] == caret_lines(2, "(display (string-reverse width))", 10, 22)
    assert "lists.scm" not in result.stderr
    assert_no_traceback(result)


def test_library_procedure_names_its_own_bad_argument(outcome):
    """Arguments in the wrong order: the library says which of its arguments is wrong,
    not which primitive it happened to call with it."""
    result = outcome("library-argument")
    assert result.lines[0] == (
        "library-argument.scm:2:10: type-error: filter: expected a procedure as argument 1,"
        " got (1 2 3)"
    )
    assert "call chain" not in result.stderr
    assert_no_traceback(result)


def test_library_map_of_a_non_list_is_an_error(outcome):
    result = outcome("library-map-non-list")
    assert result.lines[0] == (
        "library-map-non-list.scm:1:10: type-error: map: expected a list as argument 2, got 5"
    )
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
        " (it takes (swap! a b))"
    )
    assert result.lines[1:3] == caret_lines(5, "(swap! p)", 1, len("(swap! p)"))


def test_syntax_error_points_at_the_nested_form(outcome):
    result = outcome("nested-syntax-error")
    assert result.lines[0] == (
        "nested-syntax-error.scm:4:7: syntax-error: bad if: expected (if test then [else])"
    )
    assert_no_traceback(result)


def test_macro_argument_error_points_at_the_argument(outcome):
    """An argument passed through a macro keeps the place the user wrote it."""
    result = outcome("macro-argument")
    assert result.lines[0] == (
        "macro-argument.scm:6:8: unbound-variable: unbound variable undefined-y"
    )
    assert result.lines[1:3] == caret_lines(6, "       undefined-y)", 8, len("undefined-y"))


def test_unknown_keyword_in_a_tail_call_points_at_that_call(outcome):
    result = outcome("keyword-arity")
    assert result.lines[0] == (
        "keyword-arity.scm:2:25: arity-error: resize: unknown keyword #:widht"
        " (did you mean #:width?) (it takes #:width #:height)"
    )
    chain = result.lines[result.lines.index("call chain (innermost first):") + 1 :]
    assert chain == ["  in thumbnail at keyword-arity.scm:4:1"]
    assert result.stdout == "start"


def test_unknown_keyword_lists_no_frame_for_a_procedure_that_never_started(outcome):
    result = outcome("keyword-arity-direct")
    assert result.lines[0].startswith(
        "keyword-arity-direct.scm:2:1: arity-error: resize: unknown keyword #:widht"
    )
    assert "call chain" not in result.stderr


def test_error_in_the_library_reached_by_a_tail_call(outcome):
    """`evens` has no frame left once it tail-calls `filter`: the message says so
    rather than presenting `evens` as a library procedure."""
    result = outcome("tail-into-library")
    assert result.lines[0] == (
        "tail-into-library.scm:2:29: type-error: filter: expected a list as argument 2, got 5"
        " (in the standard library, reached by tail calls from evens)"
    )
    assert result.lines[-1] == "  in report at tail-into-library.scm:3:1"


def test_exit_with_a_bad_code_is_a_program_error(outcome):
    result = outcome("bad-exit-code")
    assert result.returncode == 1
    assert result.stdout == "bye"
    assert result.lines[0] == (
        "bad-exit-code.scm:2:1: type-error: exit: expected an exit code from 0 to 255 or a"
        ' boolean as argument 1, got "bad"'
    )
    assert "int()" not in result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_error_after_a_partial_line_on_a_terminal_starts_a_new_line(tmp_path):
    """With standard output and error on one terminal, the message does not continue
    the program's unfinished line; output to a pipe is never changed (above)."""
    import os
    import pty

    (tmp_path / "partial-line.scm").write_text(textwrap.dedent(PROGRAMS["partial-line"]))
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "interpreter", "run", "partial-line.scm"],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        cwd=tmp_path,
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert process.wait(timeout=60) == 1
    lines = seen.decode().replace("\r\n", "\n").splitlines()
    assert lines[0] == "partial"
    assert lines[1].startswith("partial-line.scm:2:1: type-error: car:")


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


def test_check_reports_calls_that_cannot_work_and_set_of_undefined(outcome):
    """Calls by name of a procedure defined once in the file, of a primitive or of a
    library procedure, with an argument count it cannot take; `set!` of a name that is
    never defined. A procedure defined twice is not checked."""
    result = outcome("check-calls", "check")
    headlines = [line for line in result.lines if line.startswith("check-calls")]
    assert headlines == [
        "check-calls.scm:2:17: arity-error: add: expects 2 arguments, got 3",
        "check-calls.scm:4:23: unbound-variable: cannot set! countr: it is not defined"
        " (did you mean counter?)",
        "check-calls.scm:5:1: arity-error: car: expects 1 argument, got 2",
        "check-calls.scm:6:10: arity-error: filter: expects 2 arguments, got 1",
    ]
    assert result.returncode == 1


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


def test_mutual_recursion_is_summarized_as_a_repeating_cycle(tmp_path):
    (tmp_path / "mutual.scm").write_text(
        "(define (ping n) (+ 1 (pong n)))\n(define (pong n) (+ 1 (ping n)))\n(ping 0)\n"
    )
    result = taskscheme("run", "--max-recursion-depth", "1000", "mutual.scm", cwd=tmp_path)
    lines = result.stderr.splitlines()
    chain = lines[lines.index("call chain (innermost first):") + 1 :]
    # which of the two the limit stops in depends on the exact depth reached
    assert sorted(chain[:2]) == ["  in ping at mutual.scm:2:23", "  in pong at mutual.scm:1:23"]
    assert chain[2].startswith("    ... the 2 calls above, ")
    assert chain[-1] == "  in ping at mutual.scm:3:1"
    assert len(chain) <= 6


@pytest.mark.parametrize(
    ("args", "seen"),
    [
        pytest.param(["--", "--flag", "x"], '("--flag" "x")', id="dashes-right-after-file"),
        pytest.param(["a", "--", "--", "-y"], '("a" "--" "-y")', id="second-dashes-kept"),
        pytest.param(["--verbose", "b", "--", "--c"], '("b" "--c")', id="own-option-first"),
    ],
)
def test_program_arguments_after_double_dash(args, seen, tmp_path):
    (tmp_path / "args.scm").write_text("(write (cdr (command-line)))")
    result = taskscheme("run", "args.scm", *args, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, seen), result.stderr


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
    from interpreter.diagnostics import format_error
    from interpreter.engine.interpreter import Interpreter
    from interpreter.errors import TaskschemeError

    interpreter = Interpreter()
    interpreter.eval("(define (first-of x)\n  (car x))")
    with pytest.raises(TaskschemeError) as caught:
        interpreter.eval("(first-of 1)")
    lines = format_error(caught.value).splitlines()
    assert lines[0] == "<eval>:2:3: type-error: car: expected a pair as argument 1, got 1"
    assert lines[1:3] == caret_lines(2, "  (car x))", 3, len("(car x)"))


def test_an_error_on_a_very_long_line_shows_a_window_of_it(tmp_path):
    """A program of one long line (a symbol of a million characters, a long string) is
    shown around the place of the error, cut at both ends: the message stays short."""
    symbol = "a" * 1_000_000
    (tmp_path / "long.scm").write_text(f'(display "{"b" * 5000}") {symbol} (car 1)\n')
    result = taskscheme("run", "long.scm", cwd=tmp_path)
    assert result.returncode == 1
    headline, line, carets = result.lines[:3]
    assert headline.startswith("long.scm:1:5014: unbound-variable: unbound variable aaa")
    assert len(headline) < 300 and headline.endswith("...")
    assert line.startswith("   1 | ...") and line.endswith("...") and len(line) < 200
    assert line.index("a") == carets.index("^") and carets.endswith("^")
    assert len(result.stderr) < 1000
