"""Text that is not Unicode scalar values, at the edges where it meets bytes: files that are
not UTF-8, and strings holding a lone surrogate written to a port. Each is a clean
language error that says what and where, never Python's codec message."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest

from interpreter import Capabilities, Interpreter
from interpreter.errors import SchemeError

# the tests' files are in the temporary directory
FILES = Capabilities(read=[tempfile.gettempdir()], write=[tempfile.gettempdir()])
LONE_SURROGATE = '(json->scheme "\\"a\\\\ud800b\\"")'


@pytest.fixture
def latin1(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("first line\nsecond: caf\xe9 au lait\n".encode("latin-1"))
    return path


@pytest.mark.parametrize(
    "program",
    [
        '(file->string "{path}")',
        '(file->lines "{path}")',
        '(read-line (open-input-file "{path}"))  (read-line (open-input-file "{path}"))'
        ' (let ((p (open-input-file "{path}"))) (read-line p) (read-line p))',
        '(let ((p (open-input-file "{path}"))) (read-string 100 p))',
        '(let ((p (open-input-file "{path}"))) (let loop () (if (eof-object? (read-char p)) 0 (loop))))',
        '(call-with-input-file "{path}" read-line) (call-with-input-file "{path}" (lambda (p) (read-line p) (read-line p)))',
        '(with-input-from-file "{path}" (lambda () (read-line) (read-line)))',
    ],
)
def test_reading_a_file_that_is_not_utf8_says_where(latin1, program):
    with pytest.raises(SchemeError) as caught:
        Interpreter(capabilities=FILES).eval_scheme(program.format(path=latin1))
    assert caught.value.kind == "file-error"
    assert f"cannot read {latin1}: it is not UTF-8 text (at line 2, column 12)" in str(caught.value)


def test_utf8_file_reads_across_chunk_boundaries(tmp_path):
    """Characters of several bytes split between two reads still decode."""
    text = "é€😀\r\n" * 40_000
    path = tmp_path / "wide.txt"
    path.write_bytes(text.encode("utf-8"))
    lines = Interpreter(capabilities=FILES).eval_scheme(
        f'(let ((p (open-input-file "{path}"))) (let loop ((n 0)) '
        f"(let ((line (read-line p))) (if (eof-object? line) n "
        f'(if (string=? line "é€😀") (loop (+ n 1)) line)))))'
    )
    assert lines == 40_000
    assert (
        Interpreter(capabilities=FILES).eval_scheme(f'(string-length (file->string "{path}"))')
        == 4 * 40_000
    )


def test_write_escapes_a_lone_surrogate():
    assert (
        Interpreter(capabilities=FILES).eval(
            f"(call-with-output-string (lambda (p) (write {LONE_SURROGATE} p)))"
        )
        == '"a\\xd800;b"'
    )
    assert (
        Interpreter(capabilities=FILES).eval(
            f"(call-with-output-string (lambda (p) (write (string->symbol {LONE_SURROGATE}) p)))"
        )
        == "|a\\xd800;b|"
    )


def test_display_of_a_lone_surrogate_to_a_string_port_keeps_it():
    assert (
        Interpreter(capabilities=FILES).eval_scheme(
            f"(string-length (with-output-to-string (lambda () (display {LONE_SURROGATE}))))"
        )
        == 3
    )


@pytest.mark.parametrize("procedure", ["display", "write-string"])
def test_writing_a_lone_surrogate_to_a_file_is_a_clean_error(tmp_path, procedure):
    path = tmp_path / "out.txt"
    with pytest.raises(SchemeError) as caught:
        Interpreter(capabilities=FILES).eval_scheme(
            f'(call-with-output-file "{path}" (lambda (p) ({procedure} {LONE_SURROGATE} p)))'
        )
    message = str(caught.value)
    assert "cannot write #\\xd800 to" in message and "a lone surrogate" in message
    assert "codec" not in message


@pytest.mark.parametrize("procedure", ["display", "write"])
def test_command_line_output_of_a_lone_surrogate(procedure):
    result = subprocess.run(
        [sys.executable, "-m", "interpreter", "eval", f"({procedure} {LONE_SURROGATE})"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    if procedure == "write":
        assert result.returncode == 0 and result.stdout.startswith('"a\\xd800;b"')
    else:
        assert result.returncode == 1
        assert "display: cannot write #\\xd800 to port stdout" in result.stderr
        assert "codec" not in result.stderr and "Traceback" not in result.stderr


def test_output_the_port_encoding_cannot_hold_is_a_clean_error():
    result = subprocess.run(
        [sys.executable, "-m", "interpreter", "eval", '(display "caf\\xe9;")'],
        capture_output=True,
        text=True,
        env={
            "PYTHONIOENCODING": "ascii",
            "PATH": "",
            "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"],
        },
    )
    assert result.returncode == 1
    assert "cannot write #\\xe9 to port stdout" in result.stderr
    assert "codec" not in result.stderr and "Traceback" not in result.stderr


def test_reading_standard_input_that_is_not_utf8_is_a_clean_error():
    result = subprocess.run(
        [sys.executable, "-m", "interpreter", "eval", "(read-line)"],
        input=b"caf\xe9\n",
        capture_output=True,
    )
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 1
    assert "cannot read stdin: it is not UTF-8 text" in stderr
    assert "codec" not in stderr and "Traceback" not in stderr
