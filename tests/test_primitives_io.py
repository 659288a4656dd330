"""Ports and the output/input primitives, called from Python."""

import io
import sys

import pytest

from interpreter.errors import SchemeError, SchemeTypeError
from interpreter.lang.datums import EOF, NIL, Char, frozen, python_to_list
from interpreter.lang.primitives import all_primitives
from interpreter.lang.primitives.io import CURRENT_OUTPUT, InputPort, OutputPort

P = all_primitives()


def call(name, *args):
    """The primitive's result; a string it made (mutable) as its text, to compare."""
    return frozen(P[name](*args))


def test_default_output_follows_sys_stdout(capsys):
    call("display", "hi")
    call("write", "hi")
    call("newline")
    call("write-char", Char("x"))
    call("write-string", "abcdef", CURRENT_OUTPUT(), 2, 4)
    assert capsys.readouterr().out == 'hi"hi"\nxcd'


def test_current_error_port(capsys):
    call("display", "oops", call("current-error-port"))
    assert capsys.readouterr().err == "oops"


def test_string_ports():
    port = call("open-output-string")
    call("write", python_to_list([1, "a", Char("b")]), port)
    call("display", python_to_list([1, "a", Char("b")]), port)
    assert call("get-output-string", port) == '(1 "a" #\\b)(1 a b)'
    assert call("output-port?", port) is True
    assert call("textual-port?", port) is True
    assert call("input-port?", port) is False


def test_call_with_output_string():
    assert call("call-with-output-string", lambda port: call("display", 42, port)) == "42"


def test_with_output_to_string_redirects_and_restores(capsys):
    assert call("with-output-to-string", lambda: call("display", "inside")) == "inside"

    def failing():
        call("display", "lost")
        raise SchemeError("boom")

    with pytest.raises(SchemeError, match="boom"):
        call("with-output-to-string", failing)
    call("display", "outside")
    assert capsys.readouterr().out == "outside"


def test_parameterizing_the_output_port(capsys):
    port = OutputPort.to_string()
    saved = CURRENT_OUTPUT.value
    CURRENT_OUTPUT.value = CURRENT_OUTPUT.converter(port)
    try:
        call("display", "redirected")
    finally:
        CURRENT_OUTPUT.value = saved
    assert port.getvalue() == "redirected"
    with pytest.raises(SchemeTypeError, match="current-output-port: expected an output port"):
        CURRENT_OUTPUT.converter("not a port")


def test_input_string_ports():
    port = call("open-input-string", "ab\ncd\n\nlast")
    assert call("peek-char", port) == Char("a")
    assert call("read-char", port) == Char("a")
    assert call("read-line", port) == "b"
    assert call("read-string", 1, port) == "c"
    assert call("char-ready?", port) is True
    assert call("read-line", port) == "d"
    assert call("read-line", port) == ""
    assert call("read-line", port) == "last"
    assert call("read-line", port) is EOF
    assert call("read-char", port) is EOF
    assert call("peek-char", port) is EOF
    assert call("read-string", 3, port) is EOF


def test_peeked_newline_ends_a_line():
    port = InputPort.from_string("\nx")
    call("peek-char", port)
    assert call("read-line", port) == ""
    assert call("read-line", port) == "x"


def test_default_input_follows_sys_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("typed\n"))
    assert call("read-line") == "typed"


def test_closed_ports_and_type_errors():
    port = call("open-output-string")
    call("close-port", port)
    assert call("output-port-open?", port) is False
    with pytest.raises(SchemeError, match="cannot use the closed port #<output-port string>"):
        call("display", 1, port)
    with pytest.raises(
        SchemeTypeError, match="display: expected a textual output port as argument 2, got \\(\\)"
    ):
        call("display", 1, NIL)
    with pytest.raises(SchemeTypeError, match="read-char: expected a textual input port"):
        call("read-char", OutputPort.to_string())
    with pytest.raises(SchemeTypeError, match="with-output-to-string: expected a procedure"):
        call("with-output-to-string", "x")


def test_port_subclasses_are_ports():
    class FilePort(OutputPort):
        __slots__ = ()

    port = FilePort(io.StringIO(), name="data.txt")
    call("display", "x", port)
    assert call("output-port?", port) is True
    assert call("get-output-string", port) == "x"
    assert call("with-output-to-string", lambda: call("write", port)) == "#<output-port data.txt>"
