"""Table-driven conformance cases: a program, and the value it must produce as `write` prints it.

Each row is `(id, program, expected)`. `expected` is the text `write` gives for the value
of the program's last expression, or `Raises(kind, fragment)` for a program that must
fail with that error kind (and a message containing `fragment`), or `Prints(text, value)`
for a program whose output (to the current output port) matters as well as its value.
Every program runs in a fresh `Interpreter` through the public API.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

import pytest

from interpreter.engine.capabilities import Capabilities
from interpreter.engine.interpreter import Interpreter
from interpreter.errors import TaskschemeError
from interpreter.lang.printer import write_string


@dataclass(frozen=True)
class Raises:
    """The program must raise an error of this kind whose message contains `fragment`."""

    kind: str
    fragment: str = ""


@dataclass(frozen=True)
class Prints:
    """The program must write `output` to standard output and end with value `value`."""

    output: str
    value: str | None = None


# R7RS programs may use every file and environment variable of the host
EVERYTHING = Capabilities(read=["/"], write=["/"], env=True)


def evaluate(program: str) -> str:
    """The `write` text of the value of the last form of `program`."""
    return write_string(Interpreter(capabilities=EVERYTHING).eval_scheme(program))


def evaluate_with_output(program: str) -> tuple[str, str]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        value = write_string(Interpreter(capabilities=EVERYTHING).eval_scheme(program))
    return buffer.getvalue(), value


def cases(rows: list[tuple]) -> pytest.MarkDecorator:
    """Parametrize a test over `(id, program, expected)` rows, one test per behaviour."""
    ids = [row[0] for row in rows]
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates, f"duplicate case ids: {sorted(duplicates)}"
    return pytest.mark.parametrize(
        ("program", "expected"), [pytest.param(row[1], row[2], id=row[0]) for row in rows]
    )


def check(program: str, expected: str | Raises | Prints) -> None:
    """Run one row and assert its outcome."""
    if isinstance(expected, Raises):
        with pytest.raises(TaskschemeError) as caught:
            evaluate(program)
        error = caught.value
        assert error.kind == expected.kind, f"{error.kind}: {error.headline()}"
        assert expected.fragment in error.headline()
        return
    if isinstance(expected, Prints):
        output, value = evaluate_with_output(program)
        assert output == expected.output
        if expected.value is not None:
            assert value == expected.value
        return
    assert evaluate(program) == expected
