"""Textual ports: output and input over Python text streams and strings.

`current-output-port`, `current-error-port` and `current-input-port` are parameter
objects, so `parameterize` redirects them. Their default ports look up `sys.stdout`,
`sys.stderr` and `sys.stdin` at each use rather than when the interpreter starts, so
pytest's capture and embedders that redirect `sys.stdout` see the program's output.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import select
import stat
import sys
from collections.abc import Callable
from typing import IO, Any, BinaryIO, TextIO

from interpreter.errors import FileError, SchemeError
from interpreter.lang.datums import EOF, UNSPECIFIED, Char, MutableString, Parameter
from interpreter.lang.primitives import alias, primitive
from interpreter.lang.primitives.chars import check_char
from interpreter.lang.primitives.common import (
    allocation_error,
    check_allocation,
    check_nonnegative,
    check_range,
    check_string,
    max_allocation,
    procedure_argument,
)
from interpreter.lang.printer import (
    TextTooLong,
    display_string,
    register_writer,
    write_shared_string,
    write_string,
)
from interpreter.lang.raising import type_error
from interpreter.lang.reader import first_datum_end, read_all

# How Python's "surrogateescape" error handler passes on a byte that is not UTF-8.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


class Port:
    """A stream, given directly or found by `lookup` at each use, and an open/closed state."""

    __slots__ = ("_lookup", "_stream", "closed", "name")

    def __init__(
        self,
        stream: IO | None = None,
        *,
        lookup: Callable[[], IO] | None = None,
        name: str = "string",
    ):
        self._stream = stream
        self._lookup = lookup
        self.name = name
        self.closed = False

    @property
    def stream(self) -> IO:
        if self.closed:
            raise SchemeError(f"cannot use the closed port {write_string(self)}")
        return self._lookup() if self._lookup is not None else self._stream

    def close(self) -> None:
        """Mark the port closed; the underlying stream is left to whoever opened it."""
        self.closed = True


class OutputPort(Port):
    """Where `display`, `write` and friends send text."""

    __slots__ = ()

    @classmethod
    def to_string(cls) -> OutputPort:
        """A string port: collects what is written, read back with `getvalue`."""
        return cls(io.StringIO())

    def write(self, text: str, proc: str) -> None:
        """Send `text` on, for the procedure `proc`; a string port holds at most
        max_allocation characters, as any string."""
        if type(self._stream) is io.StringIO:
            check_allocation(proc, self._stream.tell() + len(text), "string")
        try:
            self.stream.write(text)
        except UnicodeEncodeError as error:
            raise self._unwritable(error, proc) from None

    def _unwritable(self, error: UnicodeEncodeError, proc: str) -> SchemeError:
        """The text holds a character the stream's encoding cannot write: say which."""
        char = error.object[error.start]
        if 0xD800 <= ord(char) <= 0xDFFF:
            reason = "it is a lone surrogate, not a Unicode character (write shows it escaped)"
        else:
            reason = f"the port's encoding, {error.encoding}, has no such character"
        return SchemeError(
            f"{proc}: cannot write {write_string(Char(char))} to port {self.name}: {reason}"
        )

    def flush(self) -> None:
        self.stream.flush()

    def getvalue(self) -> str:
        if not isinstance(self._stream, io.StringIO):
            raise SchemeError(f"get-output-string: {write_string(self)} is not a string port")
        return self._stream.getvalue()


class InputPort(Port):
    """Where `read-char`, `read-line` and friends take text from.

    Text taken from the stream waits in one buffer, `_pending`, read from `_at` on; new
    text only ever goes on its end, so it comes out in the order the stream gave it."""

    __slots__ = ("_at", "_decoder", "_pending", "_source", "_unread", "fold_case")

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        lookup: Callable[[], TextIO] | None = None,
        name: str = "string",
    ):
        super().__init__(stream, lookup=lookup, name=name)
        self._pending = ""  # text taken from the stream; what is before `_at` has been read
        self._at = 0
        # text read from a pipe or terminal's file descriptor and not taken yet, the
        # stream it came from, and the decoder of its bytes
        self._unread = ""
        self._source: TextIO | None = None
        self._decoder: io.IncrementalNewlineDecoder | None = None
        self.fold_case = False  # `read` met #!fold-case in this port's text

    @classmethod
    def from_string(cls, text: str) -> InputPort:
        return cls(io.StringIO(text))

    def _fetch(self, size: int) -> str:
        """The stream's next text, "" at its end: up to `size` characters, and from a
        stream that may have to wait (standard input, a pipe) no more than a line, so
        a read waits only for the line it needs."""
        if type(self.stream) is io.StringIO:
            return self._decoded(lambda stream: stream.read(size))
        return self._decoded(lambda stream: self._read_line(stream, size))

    def _read_line(self, stream: TextIO, size: int) -> str:
        """The next line of `stream` ("" at the end), or its first `size` characters if
        it is longer, waiting for it in a way an interrupt can stop.

        Python delivers an interrupt to a thread only between bytecodes, never inside a
        blocked read. So a stream that may have to wait (a pipe or terminal: a file
        descriptor that is not a regular file) is read from its descriptor directly,
        once select says input has arrived, and select waits in short steps. Other
        streams (strings, files, a host's stream without a descriptor) are read as they
        are; a host's stream that blocks sees an interrupt when its read returns."""
        fd = _waiting_descriptor(stream)
        if fd is None:
            return stream.readline(size)
        if self._source is not stream:
            self._source, self._unread = stream, ""
            self._decoder = io.IncrementalNewlineDecoder(_UTF8(), translate=True)
        decoder = self._decoder
        pieces = [self._unread]
        have = len(self._unread)
        end = self._unread.find("\n")
        while end < 0 and have < size:
            while not select.select([fd], [], [], _POLL_SECONDS)[0]:
                pass
            data = os.read(fd, _CHUNK)
            text = decoder.decode(data, final=not data)  # type: ignore[union-attr]
            newline = text.find("\n")
            end = have + newline if newline >= 0 else -1
            pieces.append(text)
            have += len(text)
            if not data:
                break
        unread = "".join(pieces)
        end = min(have, size) if end < 0 or end >= size else end + 1
        line, self._unread = unread[:end], unread[end:]
        return line

    def _decoded(self, read: Callable[[TextIO], str]) -> str:
        """What `read` gives, refused if the stream met bytes that are not UTF-8: Python's
        text streams (stdin) either fail or pass such bytes on as lone surrogates."""
        stream = self.stream
        try:
            text = read(stream)
            clean = type(stream) is io.StringIO or not _ESCAPED_BYTE.search(text)
        except UnicodeDecodeError:
            clean = False
        if not clean:
            raise FileError(f"cannot read {self.name}: it is not UTF-8 text")
        return text

    def fill(self, size: int) -> bool:
        """Buffer `size` characters of what is still to be read, or all there is; from a
        terminal or pipe, only what has arrived (at least a line), so an interactive
        `read` does not wait for more than the user typed. True if the end is buffered."""
        stream = self.stream
        waits = isinstance(stream, io.TextIOWrapper)
        pieces = [self._pending[self._at :]]
        have = len(pieces[0])
        ended = False
        while have < size:
            if waits and len(pieces) > 1 and not self._unread and not _arrived(stream):
                break
            more = self._fetch(size - have)
            if not more:
                ended = True
                break
            pieces.append(more)
            have += len(more)
        if len(pieces) > 1:
            self._pending, self._at = "".join(pieces), 0
        return ended

    def _grow(self, proc: str) -> bool:
        """Buffer more text for `proc`, which needs all that is buffered and more: as
        much again (so a long read costs time in proportion to its length), refused
        once that is more than a string may hold. False at the end of input."""
        have = len(self._pending) - self._at
        check_allocation(proc, have, "string")
        return not self.fill(have + max(have, _CHUNK)) or len(self._pending) - self._at > have

    def read_char(self) -> str:
        """One character, or "" at the end of input."""
        char = self.peek_char()
        self._at += len(char)
        return char

    def peek_char(self) -> str:
        if self._at == len(self._pending):
            self.fill(1)
        return self._pending[self._at : self._at + 1]

    def read_line(self) -> str | None:
        """The next line without its line ending ("\n" or "\r\n"), or None at the end
        of input."""
        checked = 0  # how many buffered characters are known to hold no newline
        while (end := self._pending.find("\n", self._at + checked)) < 0:
            checked = len(self._pending) - self._at
            if not self._grow("read-line"):
                if not checked:
                    return None
                end = len(self._pending)
                break
        line = self._pending[self._at : end]
        self._at = min(end + 1, len(self._pending))
        return line[:-1] if line.endswith("\r") else line

    def read_string(self, k: int) -> str:
        while len(self._pending) - self._at < k and self._grow("read-string"):
            pass
        taken = self._pending[self._at : self._at + k]
        self._at += len(taken)
        return taken

    @property
    def buffered(self) -> str:
        return self._pending[self._at :]

    def skip(self, count: int) -> None:
        """Drop `count` buffered characters: `read` has read them."""
        self._at += count

    def char_ready(self) -> bool:
        """True unless reading would have to wait for input (only a terminal or pipe can)."""
        return self._at < len(self._pending) or bool(self._unread) or _arrived(self.stream)


# How often a program waiting for input looks for an interrupt, and how much it reads.
_POLL_SECONDS = 0.05
_CHUNK = 65536
_UTF8 = codecs.getincrementaldecoder("utf-8")


def _waiting_descriptor(stream: TextIO) -> int | None:
    """The file descriptor of a stream whose reads may wait (a pipe, a terminal)."""
    try:
        fd = stream.fileno()
        return None if stat.S_ISREG(os.fstat(fd).st_mode) else fd
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return None


def _arrived(stream: TextIO) -> bool:
    """Can `stream` be read without waiting? Only a terminal or pipe may have to wait."""
    if isinstance(stream, io.StringIO):
        return True
    try:
        return bool(select.select([stream], [], [], 0)[0])
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return True


class BinaryInputPort(Port):
    """Where `read-u8` and friends take bytes from (a bytevector or a binary file); keeps
    one peeked byte."""

    __slots__ = ("_pending",)

    def __init__(self, stream: BinaryIO, name: str):
        super().__init__(stream, name=name)
        self._pending = b""

    def read(self, count: int, proc: str) -> bytes:
        """Up to `count` bytes, fewer only at the end of input, for `proc`: read a chunk
        at a time, so more than a bytevector may hold is refused before it is read."""
        pieces = [self._pending[:count]]
        self._pending = self._pending[count:]
        have = len(pieces[0])
        while have < count:
            check_allocation(proc, have, "bytevector")
            piece = self.stream.read(min(count - have, max(have, _CHUNK)))
            if not piece:
                break
            pieces.append(piece)
            have += len(piece)
        return b"".join(pieces)

    def peek(self) -> bytes:
        """The next byte without taking it, or b"" at the end of input."""
        if not self._pending:
            self._pending = self.stream.read(1)
        return self._pending


class BinaryOutputPort(Port):
    """Where `write-u8` and `write-bytevector` send bytes (a bytevector or a binary file)."""

    __slots__ = ()

    def write(self, data: bytes | bytearray) -> None:
        self.stream.write(data)

    def getvalue(self) -> bytearray | None:
        """What was written, if this is a bytevector port."""
        stream = self.stream
        return bytearray(stream.getvalue()) if isinstance(stream, io.BytesIO) else None


INPUT_PORTS = (InputPort, BinaryInputPort)
OUTPUT_PORTS = (OutputPort, BinaryOutputPort)

register_writer(OutputPort, lambda port: f"#<output-port {port.name}>")
register_writer(InputPort, lambda port: f"#<input-port {port.name}>")
register_writer(BinaryOutputPort, lambda port: f"#<binary-output-port {port.name}>")
register_writer(BinaryInputPort, lambda port: f"#<binary-input-port {port.name}>")


def _port_parameter(name: str, port: Port) -> Parameter:
    kind = type(port)
    expected = "an output port" if kind is OutputPort else "an input port"

    def convert(value: Any) -> Any:
        if isinstance(value, kind):
            return value
        raise type_error(name, expected, value, 1)

    parameter = Parameter(port, convert, name)
    alias(name, parameter)
    return parameter


CURRENT_OUTPUT = _port_parameter(
    "current-output-port", OutputPort(lookup=lambda: sys.stdout, name="stdout")
)
CURRENT_ERROR = _port_parameter(
    "current-error-port", OutputPort(lookup=lambda: sys.stderr, name="stderr")
)
CURRENT_INPUT = _port_parameter(
    "current-input-port", InputPort(lookup=lambda: sys.stdin, name="stdin")
)


def port_argument(
    proc: str,
    port: Any,
    position: int,
    kind: type | tuple[type, ...],
    expected: str,
    current: Parameter,
) -> Any:
    """The port argument at `position` if it is a `kind`, or `current`'s port if it was
    left out; a type error naming what was `expected` otherwise."""
    if port is None:
        port = current()
    if isinstance(port, kind):
        return port
    raise type_error(proc, expected, port, position)


def output_port(proc: str, port: Any, position: int) -> OutputPort:
    """The port argument at `position`, or the current output port if it was left out."""
    return port_argument(proc, port, position, OutputPort, "a textual output port", CURRENT_OUTPUT)


def _input_port(proc: str, port: Any, position: int) -> InputPort:
    return port_argument(proc, port, position, InputPort, "a textual input port", CURRENT_INPUT)


def port_of(proc: str, port: Any, kinds: type | tuple[type, ...], expected: str) -> Any:
    """The port argument (argument 1) if it is one of `kinds`."""
    if isinstance(port, kinds):
        return port
    raise type_error(proc, expected, port, 1)


# --- output ------------------------------------------------------------------------------


def printed(proc: str, to_text: Callable[[Any, int], str], obj: Any) -> str:
    """`obj` as `to_text` prints it for `proc`. The text is a string the call makes, so
    max_allocation bounds it: a tree whose parts are shared (each printed in full each
    time it is reached) is refused, not printed forever."""
    try:
        return to_text(obj, max_allocation())
    except TextTooLong as error:
        raise allocation_error(proc, error.length, "string") from None


def _printing(name: str, to_text: Callable[[Any, int], str]) -> None:
    def procedure(obj: Any, port: Any = None) -> Any:
        target = output_port(name, port, 2)
        target.write(printed(name, to_text, obj), name)
        return UNSPECIFIED

    primitive(name)(procedure)


for _name, _to_text in {
    "display": display_string,
    "write": write_string,
    "write-shared": write_shared_string,
    "write-simple": write_string,  # labels cycles too: printing must always terminate
}.items():
    _printing(_name, _to_text)


@primitive("newline")
def newline(port: Any = None) -> Any:
    output_port("newline", port, 1).write("\n", "newline")
    return UNSPECIFIED


@primitive("write-char")
def write_char(char: Any, port: Any = None) -> Any:
    output_port("write-char", port, 2).write(check_char("write-char", char, 1), "write-char")
    return UNSPECIFIED


@primitive("write-string")
def write_string_to_port(string: Any, port: Any = None, start: Any = 0, end: Any = None) -> Any:
    text = check_string("write-string", string, 1)
    target = output_port("write-string", port, 2)
    first, last = check_range("write-string", start, end, len(text), "string", 3)
    target.write(text[first:last], "write-string")
    return UNSPECIFIED


@primitive("flush-output-port")
def flush_output_port(port: Any = None) -> Any:
    """Textual and binary output ports alike (R7RS: any output port)."""
    kinds = (OutputPort, BinaryOutputPort)
    target = port_argument("flush-output-port", port, 1, kinds, "an output port", CURRENT_OUTPUT)
    target.stream.flush()
    return UNSPECIFIED


@primitive("open-output-string")
def open_output_string() -> OutputPort:
    return OutputPort.to_string()


@primitive("get-output-string")
def get_output_string(port: Any) -> MutableString:
    return MutableString(output_port("get-output-string", port, 1).getvalue())


@primitive("call-with-output-string")
def call_with_output_string(proc: Any) -> MutableString:
    """Call `(proc port)` with a fresh string port; return what it wrote."""
    write_to = procedure_argument("call-with-output-string", proc, 1)
    port = OutputPort.to_string()
    write_to(port)
    return MutableString(port.getvalue())


@primitive("with-output-to-string")
def with_output_to_string(thunk: Any) -> MutableString:
    """Call `(thunk)` with the current output port sent to a string; return that string."""
    thunk = procedure_argument("with-output-to-string", thunk, 1)
    port = OutputPort.to_string()
    saved = CURRENT_OUTPUT.value
    CURRENT_OUTPUT.value = port
    try:
        thunk()
    finally:
        CURRENT_OUTPUT.value = saved
    return MutableString(port.getvalue())


# --- input -------------------------------------------------------------------------------


@primitive("open-input-string")
def open_input_string(string: Any) -> InputPort:
    return InputPort.from_string(check_string("open-input-string", string, 1))


def _char_or_eof(text: str) -> Any:
    return Char(text) if text else EOF


@primitive("read-char")
def read_char(port: Any = None) -> Any:
    return _char_or_eof(_input_port("read-char", port, 1).read_char())


@primitive("peek-char")
def peek_char(port: Any = None) -> Any:
    return _char_or_eof(_input_port("peek-char", port, 1).peek_char())


@primitive("read-line")
def read_line(port: Any = None) -> Any:
    line = _input_port("read-line", port, 1).read_line()
    return EOF if line is None else MutableString(line)


@primitive("read-string")
def read_string(k: Any, port: Any = None) -> Any:
    count = check_nonnegative("read-string", k, 1)
    # at most k characters: a count beyond any string's length reads the rest
    text = _input_port("read-string", port, 2).read_string(min(count, sys.maxsize))
    return EOF if count and not text else MutableString(text)


_FIRST_WINDOW = 1024


@primitive("read")
def read(port: Any = None) -> Any:
    """The next datum from a port. The reader looks at a window of the text still to be
    read, made four times larger until the lexer finds where the first datum ends, so a
    read costs about the size of its datum however much text follows it."""
    source = _input_port("read", port, 1)
    size = _FIRST_WINDOW
    while True:
        final = source.fill(size)
        text = source.buffered
        end = first_datum_end(text, source.name, final, source.fold_case)
        if end is not None:
            break
        check_allocation("read", len(text), "datum")
        size = 4 * max(size, len(text))
    source.skip(end)  # a datum that does not read is passed over, not met again
    data = read_all(text[:end], source.name, fold_case=source.fold_case)
    source.fold_case = data.fold_case
    return data[0] if data else EOF


@primitive("char-ready?")
def char_ready(port: Any = None) -> bool:
    return _input_port("char-ready?", port, 1).char_ready()


# --- port objects ------------------------------------------------------------------------


@primitive("call-with-port")
def call_with_port(port: Any, proc: Any) -> Any:
    """Call `proc` with `port`, closing the port when it returns."""
    checked = port_of("call-with-port", port, Port, "a port")
    result = procedure_argument("call-with-port", proc, 2)(checked)
    checked.close()
    return result


@primitive("input-port?")
def is_input_port(obj: Any) -> bool:
    return isinstance(obj, INPUT_PORTS)


@primitive("output-port?")
def is_output_port(obj: Any) -> bool:
    return isinstance(obj, OUTPUT_PORTS)


@primitive("port?")
def is_port(obj: Any) -> bool:
    return isinstance(obj, Port)


@primitive("textual-port?")
def is_textual_port(obj: Any) -> bool:
    return isinstance(obj, (InputPort, OutputPort))


@primitive("binary-port?")
def is_binary_port(obj: Any) -> bool:
    return isinstance(obj, (BinaryInputPort, BinaryOutputPort))


@primitive("input-port-open?")
def is_input_port_open(port: Any) -> bool:
    return not port_of("input-port-open?", port, INPUT_PORTS, "an input port").closed


@primitive("output-port-open?")
def is_output_port_open(port: Any) -> bool:
    return not port_of("output-port-open?", port, OUTPUT_PORTS, "an output port").closed


@primitive("close-port")
def close_port(port: Any) -> Any:
    port_of("close-port", port, Port, "a port").close()
    return UNSPECIFIED


@primitive("close-input-port")
def close_input_port(port: Any) -> Any:
    port_of("close-input-port", port, INPUT_PORTS, "an input port").close()
    return UNSPECIFIED


@primitive("close-output-port")
def close_output_port(port: Any) -> Any:
    port_of("close-output-port", port, OUTPUT_PORTS, "an output port").close()
    return UNSPECIFIED
