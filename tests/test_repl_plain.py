"""`taskscheme repl` with piped input: plain output a script can read, errors shown as
`run` shows them, definitions kept across inputs and errors, meta-commands, and the
settings layering of `run`."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from interpreter.cli.repl.session import ReplSession
from interpreter.limits.settings import SETTINGS
from tests.tasks_support import settings

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
REPLAY = f"replay:{EXAMPLES / 'cassettes' / 'tool-use.jsonl'}"


def repl(stdin: str, *args: str, cwd: Path, env: dict[str, str] | None = None):
    return taskscheme("repl", *args, stdin=stdin, cwd=cwd, env=env)


def taskscheme(*args: str, cwd: Path, stdin: str = "", env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "interpreter", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env={**os.environ, "XDG_CONFIG_HOME": str(cwd / "no-config"), **(env or {})},
    )


def test_piped_expression_prints_its_value_alone(tmp_path):
    result = repl("(+ 1 2)\n", cwd=tmp_path)
    assert (result.stdout, result.returncode) == ("3\n", 0), result.stderr


def test_an_error_is_shown_as_run_shows_it_and_definitions_survive_it(tmp_path):
    program = "(define (double x)\n  (* x 2))\n(car 5)\n(double 21)\n"
    result = repl(program, cwd=tmp_path)
    assert result.stdout == "42\n"
    assert result.stderr.splitlines() == [
        "<repl 2>:1:1: type-error: car: expected a pair as argument 1, got 5",
        "   1 | (car 5)",
        "       ^^^^^^^",
    ]
    assert result.returncode == 1  # an input failed, as a script's caller must see


def test_an_unfinished_form_at_end_of_input_is_a_syntax_error_not_a_hang(tmp_path):
    result = repl("(+ 1\n", cwd=tmp_path)
    assert "'(' is never closed" in result.stderr
    assert "Traceback" not in result.stderr


def test_exit_ends_the_session_with_its_code(tmp_path):
    result = repl("(display 1)\n(exit 4)\n(display 2)\n", cwd=tmp_path)
    assert (result.stdout, result.returncode) == ("1", 4)


def test_load_option_evaluates_a_file_first(tmp_path):
    (tmp_path / "lib.scm").write_text('(define greeting "hi")\n')
    result = repl("greeting\n", "--load", "lib.scm", cwd=tmp_path)
    assert result.stdout == '"hi"\n', result.stderr


def test_limits_follow_the_settings_layers_of_run(tmp_path):
    (tmp_path / "taskscheme.toml").write_text("context_fraction = 0.25\n")
    result = repl(
        ",limits\n",
        "--max-turns",
        "5",
        cwd=tmp_path,
        env={"TASKSCHEME_WORKERS": "3"},
    )
    lines = {line.split()[0]: line.split() for line in result.stdout.splitlines()[1:]}
    assert lines["max-turns"][1:] == ["5", "command", "line"]
    assert lines["workers"][1:] == ["3", "env", "TASKSCHEME_WORKERS"]
    assert lines["context-fraction"][1] == "0.25"
    assert lines["context-fraction"][2].endswith("taskscheme.toml")


def test_limits_lists_every_setting_and_the_models_prices(tmp_path):
    result = repl(",limits\n", "--budget-cost", "2", "--max-cost", "0.5", cwd=tmp_path)
    lines = result.stdout.splitlines()
    shown = {line.split()[0] for line in lines[1:-1]}
    assert shown == {name.replace("_", "-") for name in SETTINGS}
    settings = {line.split()[0]: line.split()[1:] for line in lines[1:-1]}
    assert settings["budget-cost"] == ["2.0", "command", "line"]
    assert settings["max-cost"] == ["0.5", "command", "line"]
    assert settings["budget-billed-tokens"] == ["(not", "set)", "default"]
    assert lines[-1] == (
        "prices of openai:gpt-4o-mini: input $0.15, cached input $0.075, output $0.60 "
        "per million tokens"
    )


def test_limits_says_when_the_models_prices_are_not_known(tmp_path):
    result = repl(",limits\n", "--model", "test", cwd=tmp_path)
    assert result.stdout.splitlines()[-1] == (
        'prices of test:test: not known (give them in [models."test:test"])'
    )


@pytest.mark.parametrize(
    ("command", "said"),
    [
        (",limits max-cost 0.25", "max-cost = 0.25"),
        (",limits budget-cost 3", "budget-cost = 3.0"),
        (",limits budget-billed-tokens 100", "budget-billed-tokens = 100"),
    ],
)
def test_the_money_limits_can_be_set(tmp_path, command, said):
    result = repl(f"{command}\n", cwd=tmp_path)
    assert said in result.stdout, result.stderr


def test_piped_input_that_failed_exits_1_after_the_rest_ran(tmp_path):
    result = repl('(car 1)\n(display "went on")\n', cwd=tmp_path)
    assert (result.stdout, result.returncode) == ("went on", 1)
    assert "type-error: car" in result.stderr
    assert repl("(+ 1 2)\n(display 4)\n", cwd=tmp_path).returncode == 0
    assert repl("(car 1)\n(exit 0)\n", cwd=tmp_path).returncode == 0  # asked for


def test_a_bad_option_is_a_usage_error(tmp_path):
    result = repl("", "--max-turns", "zero", cwd=tmp_path)
    assert result.returncode == 2
    assert "max_turns" in result.stderr


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (",describe double", "double: procedure\n  takes 1 argument\n  doubles a number"),
        (",env", "  double  (procedure)"),
        (",apropos string-upc", "string-upcase"),
        (",budget", "session budget turns 0"),
        (",metrics", "no task has run yet"),
        (",transcript", "no task has run yet"),
        (",trace on", "trace is on"),
        (",time (double 4)", "8\n;; "),
        (",limits max-turns 3", "max-turns = 3"),
        (",model replay:x.jsonl", 'model = "replay:x.jsonl"'),
        (",help", ",describe NAME"),
        (",reset", "session reset"),
    ],
)
def test_meta_commands(tmp_path, command, expected):
    result = repl(
        f'(define (double x)\n  "doubles a number"\n  (* x 2))\n{command}\n', cwd=tmp_path
    )
    assert expected in result.stdout, result.stderr


def test_reset_forgets_definitions(tmp_path):
    result = repl("(define x 1)\n,reset\nx\n", cwd=tmp_path)
    assert "unbound variable x" in result.stderr


def test_memory_searches_the_sessions_store_as_memory_search_does(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "refunds.md").write_text("# Refunds\n\nA refund is paid within 14 days.\n")
    (notes / "shipping.md").write_text("# Shipping\n\nParcels leave every Monday.\n")
    index = taskscheme("memory", "index", "notes", "--db", "m.db", cwd=tmp_path)
    assert index.returncode == 0, index.stderr
    search = taskscheme("memory", "search", "refund", "--db", "m.db", cwd=tmp_path)
    result = repl(",memory refund\n,memory nothing-like-this\n", "--memory", "m.db", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Refunds" in result.stdout and "Shipping" not in result.stdout
    assert search.stdout in result.stdout  # the same lines as `memory search`
    assert "nothing matches nothing-like-this" in result.stdout


def test_memory_without_a_store_says_how_to_give_one(tmp_path):
    result = repl(",memory refunds\n", cwd=tmp_path)
    assert "no long-term memory in this session: start the REPL with --memory" in result.stderr


def test_a_bad_limit_is_refused_and_the_old_one_kept(tmp_path):
    result = repl(",limits max-turns -1\n,limits\n", cwd=tmp_path)
    assert "not changed: max_turns" in result.stderr
    assert "  max-turns             10  " in result.stdout


def test_task_metrics_transcript_and_time_after_a_replayed_task(tmp_path):
    program = (EXAMPLES / "tool-use.scm").read_text()
    result = repl(program + ",metrics\n,transcript\n", "--model", REPLAY, cwd=EXAMPLES)
    assert '"released": true' in result.stdout, result.stderr
    assert "[user] Customer message:" in result.stdout
    assert '-> lookup-order({"order-id": "A1042"})' in result.stdout


def test_time_reports_the_turns_a_task_charged(tmp_path):
    program = (EXAMPLES / "tool-use.scm").read_text()
    definitions = program.split("(define reply")[0]
    result = repl(
        f"{definitions}\n,time (string-length (support message))\n",
        "--model",
        REPLAY,
        cwd=EXAMPLES,
    )
    # support takes five turns and its subtask polish one
    assert "wall, 6 turn(s)" in result.stdout, result.stdout + result.stderr


def test_describe_takes_a_name_and_never_evaluates_a_call(tmp_path):
    result = repl(",describe (display 99)\n,describe define\n", cwd=tmp_path)
    assert "99" not in result.stdout
    assert ",describe needs a name" in result.stderr
    assert result.stdout.startswith("define: special form\n  usage: (define name value)")


def test_dollar_results_are_numbered_only_on_a_terminal(tmp_path):
    result = repl("(+ 1 2)\n$1\n", cwd=tmp_path)
    assert result.stdout == "3\n"
    assert "unbound variable $1" in result.stderr


def test_a_bug_of_ours_is_reported_and_the_session_goes_on(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    session = ReplSession({}, settings(), numbered=False, out=lambda: out, err=lambda: err)
    session.evaluate("(define kept 1)")

    def broken() -> None:
        raise ZeroDivisionError("division by zero")

    assert session.run(broken) is not None
    assert "internal error: ZeroDivisionError" in err.getvalue()
    session.evaluate("kept")
    assert out.getvalue() == "1\n"
    session.close()


def test_verbose_prints_a_line_per_task_as_run_does(tmp_path):
    program = (EXAMPLES / "tool-use.scm").read_text()
    result = repl(program, "--verbose", "--model", REPLAY, cwd=EXAMPLES)
    assert "task polish: turns 1/1, context 188/64,000 tokens" in result.stderr
    assert "warning: task support has used 5 of 6 turns" in result.stderr
