"""The command line as a new user meets it: `--version`, `eval -`, and the settings
that could only fail at the first model call, refused before anything runs (exit 2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def taskscheme(
    *args: str, cwd: Path, stdin: str = "", before: str = ""
) -> subprocess.CompletedProcess:
    """The command, run as `python -c`; `before` is Python run first (to hide a module)."""
    code = f"import sys\n{before}\nfrom interpreter.cli.main import main\nsys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env={**os.environ, "XDG_CONFIG_HOME": str(cwd / "no-config")},
    )


def test_version_is_the_installed_packages(tmp_path):
    from importlib.metadata import version

    result = taskscheme("--version", cwd=tmp_path)
    assert (result.stdout, result.returncode) == (f"taskscheme {version('taskscheme')}\n", 0)


def test_the_package_version_is_read_only_when_asked(tmp_path):
    code = (
        "import sys, interpreter, interpreter.cli.main\n"
        "print('importlib.metadata' in sys.modules, end=' ')\n"
        "print(interpreter.__version__)"
    )
    from importlib.metadata import version

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.stdout == f"False {version('taskscheme')}\n", result.stderr


def test_eval_dash_reads_the_expressions_from_standard_input(tmp_path):
    result = taskscheme("eval", "-", cwd=tmp_path, stdin="(define x 4)\n(* x x)\n")
    assert (result.stdout, result.stderr, result.returncode) == ("16\n", "", 0)
    failed = taskscheme("eval", "-", cwd=tmp_path, stdin="\n(car 1)\n")
    assert failed.returncode == 1
    assert failed.stderr.startswith("<stdin>:2:1: type-error: car")


@pytest.mark.parametrize(
    ("cassette", "message"),
    [
        ("missing/run.jsonl", "--record missing/run.jsonl: missing does not exist"),
        ("a-file/run.jsonl", "--record a-file/run.jsonl: a-file is not a directory"),
        ("a-directory", "--record a-directory: is a directory"),
    ],
)
@pytest.mark.parametrize("command", ["eval", "repl"])
def test_a_cassette_that_cannot_be_written_is_refused_up_front(
    tmp_path, command, cassette, message
):
    (tmp_path / "a-file").write_text("")
    (tmp_path / "a-directory").mkdir()
    args = ["--model", "test", "--record", cassette]
    result = taskscheme(
        command,
        *args,
        *(['(llm "hi")'] if command == "eval" else []),
        cwd=tmp_path,
        stdin='(llm "hi")\n',
    )
    assert (result.stdout, result.returncode) == ("", 2)
    assert result.stderr.startswith(f"taskscheme: {message}")


@pytest.mark.parametrize("limit", ["--budget-cost", "--max-cost"])
def test_a_cost_limit_on_a_model_with_no_price_is_refused_up_front(tmp_path, limit):
    result = taskscheme("eval", "--model", "test", limit, "1", '(display "ran")', cwd=tmp_path)
    assert (result.stdout, result.returncode) == ("", 2)
    name = limit[2:].replace("-", "_")
    assert f"{name} from command line cannot be kept: the price of test:test is not known" in (
        result.stderr
    )
    assert '[models."test:test"]' in result.stderr


HIDE_OPENAI = "sys.modules['openai'] = None  # as if it were not installed"


def test_a_chosen_model_whose_sdk_is_missing_names_the_extra(tmp_path):
    result = taskscheme(
        "eval", "--model", "openai:gpt-4o", '(display "ran")', cwd=tmp_path, before=HIDE_OPENAI
    )
    assert (result.stdout, result.returncode) == ("", 2)
    assert result.stderr == (
        'config-error: model = "openai:gpt-4o" from command line: the openai SDK is not '
        "installed; install it with: pip install 'taskscheme[openai]'\n"
    )


def test_the_default_models_sdk_is_needed_only_once_a_task_uses_it(tmp_path):
    result = taskscheme("eval", "(+ 1 2)", cwd=tmp_path, before=HIDE_OPENAI)
    assert (result.stdout, result.stderr, result.returncode) == ("3\n", "", 0)
    used = taskscheme("eval", '(llm "hi")', cwd=tmp_path, before=HIDE_OPENAI)
    assert used.returncode == 1
    assert "pip install 'taskscheme[openai]'" in used.stderr
