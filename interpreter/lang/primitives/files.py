"""File ports and file-system questions (R7RS 6.13 and (scheme file)).

Programs read their own data files (a CSV of tickets, a document to summarize), so
opening, reading whole files and writing results are here; every failure is a
`file-error?` object naming the procedure, the path and the reason.
"""

from __future__ import annotations

import os
from typing import Any

from interpreter.errors import SchemeError
from interpreter.lang.datums import UNSPECIFIED, Parameter, python_to_list
from interpreter.lang.primitives import PRIMITIVES, primitive
from interpreter.lang.primitives.common import check_string, procedure_argument
from interpreter.lang.primitives.io import InputPort, OutputPort


class FileInputPort(InputPort):
    """An input port that owns its file: closing the port closes the file."""

    __slots__ = ()

    def close(self) -> None:
        super().close()
        self._stream.close()


class FileOutputPort(OutputPort):
    __slots__ = ()

    def close(self) -> None:
        super().close()
        self._stream.close()


def file_error(proc: str, path: str, error: OSError) -> SchemeError:
    reason = error.strerror or str(error)
    if isinstance(error, FileNotFoundError):
        reason = "no such file"
    result = SchemeError(f"{proc}: cannot open {path}: {reason}")
    result.kind = "file-error"
    return result


def _open(proc: str, path: Any, mode: str):
    check_string(proc, path, 1)
    try:
        return open(path, mode, encoding="utf-8", newline="" if "w" in mode else None)
    except OSError as error:
        raise file_error(proc, path, error) from None


@primitive("open-input-file")
def open_input_file(path: Any) -> FileInputPort:
    return FileInputPort(_open("open-input-file", path, "r"), name=path)


@primitive("open-output-file")
def open_output_file(path: Any) -> FileOutputPort:
    return FileOutputPort(_open("open-output-file", path, "w"), name=path)


def _with_port(port: Any, proc: Any) -> Any:
    try:
        return proc(port)
    finally:
        port.close()


@primitive("call-with-input-file")
def call_with_input_file(path: Any, proc: Any) -> Any:
    proc = procedure_argument("call-with-input-file", proc, 2)
    return _with_port(open_input_file(path), proc)


@primitive("call-with-output-file")
def call_with_output_file(path: Any, proc: Any) -> Any:
    proc = procedure_argument("call-with-output-file", proc, 2)
    return _with_port(open_output_file(path), proc)


def _redirect(parameter: Parameter, port: Any, thunk: Any) -> Any:
    saved = parameter.value
    parameter.value = port
    try:
        return thunk()
    finally:
        parameter.value = saved
        port.close()


@primitive("with-input-from-file")
def with_input_from_file(path: Any, thunk: Any) -> Any:
    thunk = procedure_argument("with-input-from-file", thunk, 2)
    return _redirect(PRIMITIVES["current-input-port"], open_input_file(path), thunk)


@primitive("with-output-to-file")
def with_output_to_file(path: Any, thunk: Any) -> Any:
    thunk = procedure_argument("with-output-to-file", thunk, 2)
    return _redirect(PRIMITIVES["current-output-port"], open_output_file(path), thunk)


@primitive("file-exists?")
def file_exists(path: Any) -> bool:
    check_string("file-exists?", path, 1)
    return os.path.exists(path)


@primitive("delete-file")
def delete_file(path: Any) -> Any:
    check_string("delete-file", path, 1)
    try:
        os.remove(path)
    except OSError as error:
        raise file_error("delete-file", path, error) from None
    return UNSPECIFIED


@primitive("file->string")
def file_to_string(path: Any) -> str:
    """The whole text of a file (UTF-8)."""
    with _open("file->string", path, "r") as handle:
        return handle.read()


@primitive("file->lines")
def file_to_lines(path: Any) -> Any:
    """The lines of a file as a list of strings, without line endings."""
    with _open("file->lines", path, "r") as handle:
        return python_to_list(handle.read().splitlines())
