"""Program files and output streams as the `taskscheme` command meets them: files that
are not UTF-8, carry a byte-order mark, are not regular files or are too large, programs
read from standard input, `load` relative to the loading file, and output piped into a
reader that stops early (`taskscheme run big.scm | head -2`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from interpreter.engine.capabilities import Capabilities
from interpreter.engine.interpreter import MAX_SOURCE_BYTES
from tests.tasks_support import interpreter


def taskscheme(
    *args: str, cwd: Path, stdin: str | bytes | None = None, stdout=subprocess.PIPE
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "interpreter", *args],
        input=stdin.encode() if isinstance(stdin, str) else stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=60,
        cwd=cwd,
        env={**os.environ, "TASKSCHEME_TRACE": ""},
    )


def assert_clean(stderr: bytes) -> str:
    """The error output as text, with no sign of Python showing through."""
    text = stderr.decode()
    for python in ("Traceback", "internal error", "Error:", "codec"):
        assert python not in text
    return text


# ---------------------------------------------------------------- output piped into `head`

BIG_OUTPUT = """\
(define (loop n) (when (> n 0) (display n) (newline) (loop (- n 1))))
(loop 100000)
"""


def run_into_closed_pipe(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run with standard output a pipe whose reader has already gone, as when `head`
    has read what it wanted: every write fails with a broken pipe."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return taskscheme(*args, cwd=cwd, stdout=writer)
    finally:
        os.close(writer)


@pytest.mark.parametrize(
    "command",
    [
        ["run", "big.scm"],
        ["config"],
        ["eval", '(display "x")'],
        ["check", "big.scm"],
    ],
)
def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path, command):
    (tmp_path / "big.scm").write_text(BIG_OUTPUT)
    result = run_into_closed_pipe(*command, cwd=tmp_path)
    assert result.stderr == b""
    assert result.returncode == 141  # 128 + SIGPIPE, as a shell reports a tool stopped so


def test_output_read_up_to_the_end_of_a_pipe_is_whole(tmp_path):
    (tmp_path / "big.scm").write_text(BIG_OUTPUT)
    process = subprocess.Popen(
        [sys.executable, "-m", "interpreter", "run", "big.scm"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    first = [process.stdout.readline() for _ in range(2)]
    process.stdout.close()
    assert process.wait(timeout=60) == 141
    assert first == [b"100000\n", b"99999\n"]
    assert process.stderr.read() == b""
    process.stderr.close()


# ---------------------------------------------------------------- what a source file may be


@pytest.mark.parametrize("command", ["run", "check"])
@pytest.mark.parametrize(
    "content, where",
    [
        (b'(display "caf\xe9")\n', "line 1, column 14"),
        (b"(define x 1)\n(display \xff\xfe)\n", "line 2, column 10"),
        (b"\xef\xbb\xbf(display \x80)", "line 1, column 10"),
    ],
)
def test_a_file_that_is_not_utf8_is_refused_saying_where(tmp_path, command, content, where):
    (tmp_path / "latin.scm").write_bytes(content)
    result = taskscheme(command, "latin.scm", cwd=tmp_path)
    message = assert_clean(result.stderr)
    assert result.returncode == 2
    assert f"cannot read latin.scm: it is not UTF-8 text (at {where})" in message


def test_a_byte_order_mark_is_not_part_of_the_program(tmp_path):
    (tmp_path / "bom.scm").write_bytes('\ufeff(display "ok")\n(car 5)\n'.encode())
    run = taskscheme("run", "bom.scm", cwd=tmp_path)
    assert run.stdout == b"ok"
    assert "bom.scm:2:1" in assert_clean(run.stderr)
    (tmp_path / "bom.scm").write_bytes('\ufeff(display "ok")\n'.encode())
    check = taskscheme("check", "bom.scm", cwd=tmp_path)
    assert check.returncode == 0, check.stderr


@pytest.mark.parametrize("command", ["run", "check"])
def test_special_files_are_refused_without_reading_them(tmp_path, command):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for name in ("/dev/zero", "fifo", "."):
        result = taskscheme(command, name, cwd=tmp_path)
        assert result.returncode == 2
        assert f"cannot read {name}: not a regular file" in assert_clean(result.stderr)


def test_a_source_file_larger_than_the_limit_is_refused(tmp_path):
    with (tmp_path / "huge.scm").open("wb") as handle:
        handle.truncate(MAX_SOURCE_BYTES + 1)
    result = taskscheme("check", "huge.scm", cwd=tmp_path)
    assert result.returncode == 2
    assert "cannot read huge.scm: larger than 16 MiB" in assert_clean(result.stderr)


def test_load_of_something_that_is_not_a_file_name_is_a_type_error():
    with pytest.raises(Exception) as caught:
        interpreter().eval("(load 5)")
    assert caught.value.kind == "type-error"
    assert "load: expected a string" in str(caught.value)


# ---------------------------------------------------------------- load, and programs on stdin


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_load_finds_relative_names_beside_the_loading_file(tmp_path):
    write(tmp_path / "project/main.scm", '(load "lib/util.scm")\n(display (twice (base)))')
    write(tmp_path / "project/lib/util.scm", '(load "base.scm")\n(define (twice x) (* 2 x))')
    write(tmp_path / "project/lib/base.scm", "(define (base) 21)")
    write(tmp_path / "base.scm", "(define (base) 0)")  # beside the working directory
    result = taskscheme("run", "project/main.scm", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, b"42"), result.stderr
    with interpreter(capabilities=Capabilities(read=[tmp_path / "project"])) as interp:
        interp.run_file(tmp_path / "project/main.scm")
        assert interp.eval("(twice (base))") == 42


def test_a_load_that_fails_says_where_it_looked(tmp_path):
    write(tmp_path / "project/main.scm", '(display "start")\n(load "helpers.scm")')
    result = taskscheme("run", "project/main.scm", cwd=tmp_path)
    message = assert_clean(result.stderr)
    assert result.returncode == 1
    assert (
        "project/main.scm:2:1: file-error: load: cannot read project/helpers.scm: no such file"
        in message
    )
    assert f"(looked for {tmp_path.resolve() / 'project/helpers.scm'})" in message


def test_load_outside_any_file_is_relative_to_the_working_directory(tmp_path):
    write(tmp_path / "lib.scm", "(define answer 42)")
    result = taskscheme("eval", '(load "lib.scm") answer', cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, b"42\n"), result.stderr


def test_run_dash_reads_the_program_from_standard_input(tmp_path):
    write(tmp_path / "lib.scm", "(define answer 42)")
    program = '(load "lib.scm")\n(write (list answer (command-line)))\n(car 1)'
    result = taskscheme("run", "-", "x", cwd=tmp_path, stdin=program)
    assert result.stdout == b'(42 ("-" "x"))'
    assert "<stdin>:3:1: type-error" in assert_clean(result.stderr)
    bad = taskscheme("run", "-", cwd=tmp_path, stdin=b"(display \xe9)")
    assert bad.returncode == 2
    assert "cannot read <stdin>: it is not UTF-8 text" in assert_clean(bad.stderr)
