"""File ports and file-system questions (R7RS 6.13 and (scheme file)).

Programs read their own data files (a CSV of tickets, a document to summarize), so
opening, reading whole files and writing results are here; every failure is a
`file-error?` object naming the procedure, the path and the reason.
"""

from __future__ import annotations

import os
from typing import Any, BinaryIO

from interpreter.errors import FileError
from interpreter.lang.datums import UNSPECIFIED, MutableString, Parameter, python_to_list
from interpreter.lang.primitives import PRIMITIVES, primitive
from interpreter.lang.primitives.common import (
    check_allocation,
    check_string,
    procedure_argument,
)
from interpreter.lang.primitives.io import (
    BinaryInputPort,
    BinaryOutputPort,
    InputPort,
    OutputPort,
)
from interpreter.lang.printer import write_abbreviated
from interpreter.source import NotUtf8Error, Utf8Decoder

_CHUNK_BYTES = 1 << 16

# The longest file name a program may give: longer than any the system opens (Linux's
# PATH_MAX), so the error is about the name, before it is resolved or shown in full.
MAX_FILE_NAME = 4096


class Utf8File:
    """A file's text, decoded from its bytes a chunk at a time as it is read, with
    universal newlines (`\r\n` and `\r` read as `\n`). A byte that is not UTF-8 is a
    file-error giving its line and column, which Python's text files cannot tell."""

    def __init__(self, raw: BinaryIO, path: str):
        self._raw = raw
        self._path = path
        self._decoder = Utf8Decoder()
        self._text = ""
        self._at = 0  # how much of `_text` has been read
        self._return = ""  # a \r that ended the last chunk, read once the next shows if \n follows
        self._ended = False

    def _more(self) -> bool:
        """Decode the next chunk, once all of the last was read; False at the end of the
        file."""
        if self._ended:
            return False
        data = self._raw.read(_CHUNK_BYTES)
        self._ended = not data
        try:
            text = self._decoder.decode(data, final=self._ended)
        except NotUtf8Error as error:
            raise FileError(f"cannot read {self._path}: {error}") from None
        text, self._return = self._return + text, ""
        if text.endswith("\r") and not self._ended:  # perhaps half of a \r\n
            text, self._return = text[:-1], "\r"
        self._text = text.replace("\r\n", "\n").replace("\r", "\n")
        self._at = 0
        return True

    def _take(self, size: int, line: bool) -> str:
        """Up to `size` characters, ending after the first newline if `line`; each
        character is copied once, so a long take costs time in proportion to it."""
        pieces = []
        wanted = size
        while wanted:
            if self._at == len(self._text) and not self._more():
                break
            stop = min(len(self._text), self._at + wanted)
            newline = self._text.find("\n", self._at, stop) if line else -1
            if newline >= 0:
                stop = newline + 1
            pieces.append(self._text[self._at : stop])
            wanted -= stop - self._at
            self._at = stop
            if newline >= 0:
                break
        return "".join(pieces)

    def read(self, size: int) -> str:
        """Up to `size` characters; fewer only at the end of the file."""
        return self._take(size, line=False)

    def readline(self, size: int) -> str:
        """The next line with its newline, or its first `size` characters if it is
        longer; "" at the end of the file."""
        return self._take(size, line=True)

    def close(self) -> None:
        self._raw.close()


class _OwnsFile:
    """A port that owns its file: closing the port closes the file."""

    __slots__ = ()

    def close(self) -> None:
        super().close()
        self._stream.close()


class FileInputPort(_OwnsFile, InputPort):
    __slots__ = ()


class FileOutputPort(_OwnsFile, OutputPort):
    __slots__ = ()


class BinaryFileInputPort(_OwnsFile, BinaryInputPort):
    __slots__ = ()


class BinaryFileOutputPort(_OwnsFile, BinaryOutputPort):
    __slots__ = ()


def file_error(proc: str, path: str, error: OSError) -> FileError:
    reason = error.strerror or str(error)
    if isinstance(error, FileNotFoundError):
        reason = "no such file"
    return FileError(f"{proc}: cannot open {path}: {reason}")


def file_name(proc: str, value: Any) -> str:
    """The file name argument 1 of `proc` as text: the one conversion every procedure
    that names a file (and the capability check before it) makes of it. A string, mutable
    or not; a file-error for text that cannot name a file."""
    path = check_string(proc, value, 1)
    problem = (
        "it contains a null character"
        if "\0" in path
        else f"it is longer than {MAX_FILE_NAME} characters"
        if len(path) > MAX_FILE_NAME
        else None
    )
    if problem is not None:
        raise FileError(f"{proc}: {write_abbreviated(path)} is not a file name: {problem}")
    return path


def _open(proc: str, path: Any, mode: str):
    """The file `path` (a string, mutable or not) opened; its `name` is the path."""
    path = file_name(proc, path)
    try:
        if "b" in mode:
            return open(path, mode)
        return open(path, mode, encoding="utf-8", newline="")
    except OSError as error:
        raise file_error(proc, path, error) from None


def _read_text(proc: str, path: Any) -> str:
    """The whole text of a file, read a chunk at a time so a file longer than a string
    may be is refused before it is all read."""
    pieces = []
    length = 0
    with _open(proc, path, "rb") as handle:
        text = Utf8File(handle, handle.name)
        while piece := text.read(_CHUNK_BYTES):
            length = check_allocation(proc, length + len(piece), "string")
            pieces.append(piece)
    return "".join(pieces)


@primitive("open-input-file")
def open_input_file(path: Any) -> FileInputPort:
    handle = _open("open-input-file", path, "rb")
    return FileInputPort(Utf8File(handle, handle.name), name=handle.name)


@primitive("open-output-file")
def open_output_file(path: Any) -> FileOutputPort:
    handle = _open("open-output-file", path, "w")
    return FileOutputPort(handle, name=handle.name)


@primitive("open-binary-input-file")
def open_binary_input_file(path: Any) -> BinaryFileInputPort:
    handle = _open("open-binary-input-file", path, "rb")
    return BinaryFileInputPort(handle, name=handle.name)


@primitive("open-binary-output-file")
def open_binary_output_file(path: Any) -> BinaryFileOutputPort:
    handle = _open("open-binary-output-file", path, "wb")
    return BinaryFileOutputPort(handle, name=handle.name)


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
    path = file_name("file-exists?", path)
    return os.path.exists(path)


@primitive("delete-file")
def delete_file(path: Any) -> Any:
    path = file_name("delete-file", path)
    try:
        os.remove(path)
    except OSError as error:
        raise file_error("delete-file", path, error) from None
    return UNSPECIFIED


@primitive("file->string")
def file_to_string(path: Any) -> MutableString:
    """The whole text of a file (UTF-8)."""
    return MutableString(_read_text("file->string", path))


@primitive("file->lines")
def file_to_lines(path: Any) -> Any:
    """The lines of a file as a list of strings, without line endings."""
    return python_to_list(
        [MutableString(line) for line in _read_text("file->lines", path).splitlines()]
    )
