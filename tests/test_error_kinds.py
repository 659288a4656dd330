"""Every error kind is a class of errors.py: a file that cannot be used is a FileError,
whichever procedure met it, so `file-error?`, the printed kind and `except` agree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from interpreter import Interpreter
from interpreter.engine.capabilities import Capabilities
from interpreter.errors import FileError, SchemeSyntaxError, SchemeTypeError, TaskschemeError


@pytest.mark.parametrize(
    "program",
    [
        '(open-input-file "{dir}/missing.txt")',
        '(load "{dir}/missing.scm")',
        '(read-line (open-input-file "{dir}/latin1.txt"))',
        '(open-input-file (string-append "{dir}/" (make-string 3 #\\nul)))',
    ],
)
def test_a_file_that_cannot_be_used_is_a_file_error(tmp_path: Path, program: str) -> None:
    (tmp_path / "latin1.txt").write_bytes("café\n".encode("latin-1"))
    text = program.replace("{dir}", tmp_path.as_posix())
    interp = Interpreter(capabilities=Capabilities(read=[tmp_path]))
    with pytest.raises(FileError) as caught:
        interp.eval_scheme(text)
    assert caught.value.kind == "file-error"
    guarded = f"(guard (e ((file-error? e) (list (error-object-kind e) (read-error? e)))) {text})"
    assert interp.eval(guarded) == ["file-error", False]


def test_calling_a_value_that_is_not_a_procedure_is_a_type_error() -> None:
    with pytest.raises(SchemeTypeError) as caught:
        Interpreter().eval_scheme("(define x 1) (x 2)")
    assert caught.value.kind == "type-error"
    assert "not a procedure: 1 cannot be called" in caught.value.message


def test_read_error_is_true_of_syntax_errors_only() -> None:
    interp = Interpreter()
    with pytest.raises(SchemeSyntaxError):
        interp.eval_scheme('(read (open-input-string "(1 2"))')
    guarded = "(guard (e (#t (list (read-error? e) (file-error? e)))) {})"
    assert interp.eval(guarded.format('(read (open-input-string "(1 2"))')) == [True, False]
    assert interp.eval(guarded.format('(error "plain")')) == [False, False]


def test_no_error_has_its_kind_set_after_it_is_made() -> None:
    """A kind set on an instance (`error.kind = "file-error"`) would escape isinstance."""
    package = Path(__file__).resolve().parent.parent / "interpreter"
    set_kinds = [
        f"{path.relative_to(package)}:{node.lineno}"
        for path in sorted(package.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Attribute)
        and target.attr == "kind"
        and isinstance(node.value, ast.Constant)
    ]
    assert not set_kinds, f"error kinds set on instances: {set_kinds}"
    assert issubclass(FileError, TaskschemeError)
