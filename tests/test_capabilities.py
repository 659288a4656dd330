"""What a program may reach of the host: nothing embedded unless granted; its own
directory tree (read) and the working directory (write) from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tasks_support import settings

from interpreter import Capabilities, Interpreter
from interpreter.engine.capabilities import FILE_PROCEDURES
from interpreter.errors import CapabilityError

ROOT = Path(__file__).resolve().parent.parent


def sandboxed(**grants) -> Interpreter:
    return Interpreter(settings(), capabilities=Capabilities(**grants) if grants else None)


CALLS = {
    "open-input-file": '(open-input-file "{path}")',
    "open-binary-input-file": '(open-binary-input-file "{path}")',
    "call-with-input-file": '(call-with-input-file "{path}" read-line)',
    "with-input-from-file": '(with-input-from-file "{path}" read-line)',
    "file->string": '(file->string "{path}")',
    "file->lines": '(file->lines "{path}")',
    "file-exists?": '(file-exists? "{path}")',
    "open-output-file": '(open-output-file "{path}")',
    "open-binary-output-file": '(open-binary-output-file "{path}")',
    "call-with-output-file": '(call-with-output-file "{path}" (lambda (p) (display 1 p)))',
    "with-output-to-file": '(with-output-to-file "{path}" (lambda () (display 1)))',
    "delete-file": '(delete-file "{path}")',
}


def test_every_file_procedure_is_checked():
    assert set(CALLS) == set(FILE_PROCEDURES)


@pytest.mark.parametrize("procedure", sorted(CALLS))
def test_an_embedded_program_reaches_no_file_by_default(procedure, tmp_path):
    path = tmp_path / "data.txt"
    path.write_text("secret\n")
    with pytest.raises(CapabilityError) as caught:
        sandboxed().eval(CALLS[procedure].format(path=path))
    error = caught.value
    assert error.capability == FILE_PROCEDURES[procedure]
    assert error.target == str(path.resolve())
    assert f"{procedure}: the program may not {error.capability} {path}" in error.message
    assert f"it was given no {error.capability} capability" in error.message
    assert path.read_text() == "secret\n"


def test_load_is_a_read():
    with pytest.raises(CapabilityError, match="load: the program may not read /etc/passwd"):
        sandboxed().eval('(load "/etc/passwd")')


def test_a_read_grant_covers_its_tree_and_nothing_else(tmp_path):
    inside = tmp_path / "data"
    (inside / "sub").mkdir(parents=True)
    (inside / "sub" / "a.txt").write_text("ok")
    (tmp_path / "secret.txt").write_text("secret")
    (inside / "link.txt").symlink_to(tmp_path / "secret.txt")
    interp = sandboxed(read=[inside])
    assert interp.eval(f'(file->string "{inside}/sub/a.txt")') == "ok"
    with pytest.raises(CapabilityError, match="may not read"):
        interp.eval(f'(file->string "{inside}/sub/../../secret.txt")')
    with pytest.raises(CapabilityError) as caught:
        interp.eval(f'(file->string "{inside}/link.txt")')
    assert caught.value.target == str((tmp_path / "secret.txt").resolve())
    assert f"it may read only below {inside.resolve()}" in caught.value.message
    with pytest.raises(CapabilityError, match="may not write"):
        interp.eval(f'(delete-file "{inside}/sub/a.txt")')


def test_a_write_grant_allows_writing_and_reading_below_it(tmp_path):
    interp = sandboxed(write=[tmp_path])
    interp.eval(f'(call-with-output-file "{tmp_path}/out.txt" (lambda (p) (display "hi" p)))')
    assert interp.eval(f'(file->string "{tmp_path}/out.txt")') == "hi"
    interp.eval(f'(delete-file "{tmp_path}/out.txt")')
    assert not (tmp_path / "out.txt").exists()


def test_relative_paths_are_resolved_from_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("notes")
    assert sandboxed(read=["."]).eval('(file->string "notes.txt")') == "notes"
    with pytest.raises(CapabilityError):
        sandboxed(read=["."]).eval('(file->string "../notes.txt")')


def test_environment_variables_only_as_granted(monkeypatch):
    monkeypatch.setenv("TS_VISIBLE", "yes")
    monkeypatch.setenv("TS_HIDDEN", "no")
    with pytest.raises(CapabilityError, match="may not read the environment variable TS_HIDDEN"):
        sandboxed().eval('(get-environment-variable "TS_HIDDEN")')
    interp = sandboxed(env=["TS_VISIBLE", "TS_UNSET"])
    assert interp.eval('(get-environment-variable "TS_VISIBLE")') == "yes"
    assert interp.eval('(get-environment-variable "TS_UNSET")') is False
    assert interp.eval("(get-environment-variables)") == [["TS_VISIBLE", "yes"]]
    with pytest.raises(CapabilityError) as caught:
        interp.eval('(get-environment-variable "TS_HIDDEN")')
    assert (caught.value.capability, caught.value.target) == ("env", "TS_HIDDEN")
    assert sandboxed(env=True).eval('(get-environment-variable "TS_HIDDEN")') == "no"
    # a name made by the program (a mutable string) is the same name
    assert interp.eval('(get-environment-variable (string-copy "TS_VISIBLE"))') == "yes"


def test_a_program_can_catch_a_denial():
    program = """(guard (e ((error-object? e) (error-object-message e)))
                   (open-input-file "/etc/hostname"))"""
    assert "may not read /etc/hostname" in sandboxed().eval(program)


def test_the_standard_library_and_eval_reach_no_further():
    interp = sandboxed()
    with pytest.raises(CapabilityError):
        interp.eval("(eval '(file->string \"/etc/hostname\") (environment '(scheme base)))")
    with pytest.raises(CapabilityError):
        interp.eval('(eval \'(open-input-file "/etc/hostname"))')


def taskscheme(*args: str, cwd, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "interpreter", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, "XDG_CONFIG_HOME": str(cwd), "PYTHONPATH": str(ROOT)},
        timeout=120,
    )


def test_the_command_line_grants_the_programs_tree_and_the_working_directory(tmp_path):
    project, work = tmp_path / "project", tmp_path / "work"
    (project / "data").mkdir(parents=True)
    work.mkdir()
    (project / "data" / "in.txt").write_text("input")
    (tmp_path / "secret.txt").write_text("secret")
    (project / "main.scm").write_text(
        '(define text (file->string "../project/data/in.txt"))\n'
        '(call-with-output-file "out.txt" (lambda (p) (display text p)))\n'
        '(display (file->string "out.txt"))'
    )
    result = taskscheme("run", str(project / "main.scm"), cwd=work)
    assert (result.returncode, result.stdout) == (0, "input"), result.stderr
    (project / "peek.scm").write_text('(display (file->string "../secret.txt"))')
    result = taskscheme("run", str(project / "peek.scm"), cwd=project)
    assert result.returncode == 1
    assert "capability-error: file->string: the program may not read ../secret.txt" in result.stderr


def test_run_sandbox_grants_nothing(tmp_path):
    (tmp_path / "in.txt").write_text("input")
    (tmp_path / "main.scm").write_text('(display (file->string "in.txt"))')
    assert taskscheme("run", "main.scm", cwd=tmp_path).stdout == "input"
    result = taskscheme("run", "--sandbox", "main.scm", cwd=tmp_path)
    assert result.returncode == 1
    assert "it was given no read capability" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_task_may_name_only_the_model_it_was_given():
    interp = Interpreter(settings(), model=lambda messages: "from the host's model")
    interp.eval('(define-task (mine x) #:model "openai:gpt-4o-mini" "{{x}}")')
    assert interp.eval("(mine 1)") == "from the host's model"
    interp.eval('(define-task (other x) #:model "openai:gpt-4o" "{{x}}")')
    with pytest.raises(CapabilityError) as caught:
        interp.eval("(other 1)")
    assert (caught.value.capability, caught.value.target) == ("model", "openai:gpt-4o")
    assert "other: the program may not use the model openai:gpt-4o" in caught.value.message
    with pytest.raises(CapabilityError, match="may not use the model anthropic:claude"):
        interp.eval('(llm "hi" #:model "anthropic:claude-sonnet-4-5")')


NUL_PATH = "a\\x0;b"  # the string a, a null character, b, as program text


@pytest.mark.parametrize("call", ["(open-input-file {})", "(file-exists? {})", "(load {})"])
def test_a_path_with_a_null_character_is_refused_ungranted_and_a_file_error_granted(call):
    guarded = (
        "(guard (e ((file-error? e) (list 'file (error-object-message e)))"
        " (#t (list 'other (error-object-message e)))) {})"
    )
    program = guarded.format(call.format(f'"{NUL_PATH}"'))
    kind, message = sandboxed().eval(program)
    assert kind == "other" and "the program may not read" in message
    kind, message = sandboxed(read=["/"]).eval(program)
    assert kind == "file" and "is not a file name: it contains a null character" in message
