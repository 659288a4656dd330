"""Error types shared by every stage, and the one way errors are shown to users.

Every error a program can cause is a `TaskschemeError`. It carries the span where it
happened and, once it has unwound through the evaluator, the program's own call chain.
`format_error` turns one into the message users see: `file:line:col`, the message, the
source line with a caret under the span, and the call chain, innermost first.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_RESOURCE = 3
EXIT_INTERRUPTED = 130


@dataclass(frozen=True, slots=True)
class Span:
    """Where a piece of source text sits: 1-based line and column, end exclusive."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class SourceName(str):
    """A file name as a span holds it: it prints as the name, and keeps the text that was
    read under that name, so an error quotes the right line even after another text has
    been read under the same name (every `eval` of an Interpreter reads "<eval>")."""

    text: str

    def __new__(cls, name: str, text: str) -> SourceName:
        self = super().__new__(cls, name)
        self.text = text
        return self

    def __reduce__(self):
        return (SourceName, (str(self), self.text))


class SourceRegistry:
    """Source texts by file name, so an error can quote the line it points at."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}

    def add(self, name: str, text: str) -> None:
        self._texts[name] = text

    def line(self, name: str, number: int) -> str | None:
        text = getattr(name, "text", None)
        if text is None:
            text = self._texts.get(name)
        if text is None:
            try:
                with open(name, encoding="utf-8") as handle:
                    text = handle.read()
            except OSError:
                return None
            self._texts[name] = text
        lines = text.splitlines()
        if 1 <= number <= len(lines):
            return lines[number - 1]
        return None


SOURCES = SourceRegistry()


@dataclass(frozen=True, slots=True)
class Frame:
    """One entry of a call chain: the procedure that was running and the call's span.

    `via` names the procedure that call started, when it reached `name` by tail calls
    (its own frame was replaced, as proper tail calls require)."""

    name: str
    span: Span | None
    via: str | None = None
    # `name` went on by tail calls into the standard library, where the error happened
    into_library: bool = False


class TaskschemeError(Exception):
    """Base of every error a user's program can cause.

    `payload` is the value a Scheme `guard` clause receives; for errors raised from
    Python it is the exception itself, which the language sees as an error object.
    """

    kind = "error"
    entry = False  # an arity error raised on entry to a procedure, before its body ran
    running = None  # the procedure the evaluator's call loop was running when this passed

    def __init__(self, message: str, span: Span | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.chain: list[Frame] = []

    @property
    def payload(self) -> object:
        return self

    @property
    def irritants(self) -> list:
        return []

    def locate(self, span: Span | None) -> None:
        """Give the error a location if it has none yet (innermost wins)."""
        if self.span is None and span is not None:
            self.span = span

    def located(self, span: Span | None) -> TaskschemeError:
        self.locate(span)
        return self

    def add_frame(self, name: str, span: Span | None) -> None:
        self.chain.append(Frame(name, span))

    def headline(self) -> str:
        return self.message


class ConfigError(TaskschemeError):
    """A configuration value that cannot be used: names the setting and the value."""

    kind = "config-error"


class SchemeSyntaxError(TaskschemeError):
    """A form that cannot be read or expanded."""

    kind = "syntax-error"


class SchemeError(TaskschemeError):
    """An error object made by `(error message irritant ...)` or by a primitive."""

    # made by (error 'who "message" irritant ...): shown as "who: message irritant ..."
    who_form = False

    def __init__(self, message: str, irritants: list | None = None, span: Span | None = None):
        super().__init__(message, span)
        self._irritants = list(irritants or [])

    @property
    def irritants(self) -> list:
        return self._irritants

    def headline(self) -> str:
        if not self._irritants:
            return self.message
        from interpreter.lang.printer import write_string

        irritants = self._irritants
        message = self.message
        if self.who_form:
            message, irritants = f"{message}: {irritants[0]}", irritants[1:]
        return " ".join([message, *(write_string(i) for i in irritants)])


class SchemeTypeError(SchemeError):
    """A primitive got a value of the wrong type."""

    kind = "type-error"


class ArityError(SchemeError):
    """A procedure was called with the wrong number of arguments."""

    kind = "arity-error"


class UnboundVariableError(SchemeError):
    kind = "unbound-variable"


class RecursionDepthError(SchemeError):
    kind = "recursion-too-deep"


class RaisedValue(TaskschemeError):
    """`(raise obj)` of something that is not an error object, not caught by the program."""

    kind = "uncaught-raise"

    def __init__(self, value: object, continuable: bool = False, span: Span | None = None):
        from interpreter.lang.printer import write_string

        super().__init__(f"uncaught raise of {write_string(value)}", span)
        self.value = value
        self.continuable = continuable

    @property
    def payload(self) -> object:
        return self.value


def type_error(
    proc: str, expected: str, value: object, position: int | None = None
) -> SchemeTypeError:
    """The error a primitive raises for a bad argument: names the procedure, what it wanted and what it got."""
    from interpreter.lang.datums import Values
    from interpreter.lang.printer import write_string

    where = f" as argument {position}" if position is not None else ""
    got = write_string(value)
    if type(value) is Values:
        got = f"{len(value)} values ({got}) where one was expected"
    return SchemeTypeError(f"{proc}: expected {expected}{where}, got {got}")


class UsageError(Exception):
    """A bad command line or API call, not a program error (exit code 2)."""


MAX_CHAIN_SHOWN = 12


def caret_block(span: Span, sources: SourceRegistry = SOURCES) -> str:
    """The source line of `span` with carets under the span (empty if unknown)."""
    text = sources.line(span.file, span.line)
    if text is None:
        return ""
    start = max(span.col - 1, 0)
    if span.end_line == span.line:
        width = max(span.end_col - span.col, 1)
    else:
        width = max(len(text) - start, 1)
    gutter = f"{span.line:>4} | "
    return f"{gutter}{text}\n{' ' * len(gutter)}{' ' * start}{'^' * width}"


# The files of the standard library (api.py adds each as it loads it).
LIBRARY_FILES: set[str] = set()


def in_library(span: Span | None) -> bool:
    return span is not None and span.file in LIBRARY_FILES


def format_error(error: TaskschemeError, sources: SourceRegistry = SOURCES) -> str:
    """The message a user sees for `error`: location, message, source line, call chain.

    An error inside the standard library is shown at the program's call into it (the
    innermost frame in the program's own code), naming the library procedure."""
    span, headline, chain = error.span, error.headline(), error.chain
    if in_library(span):
        index = next((i for i, f in enumerate(chain) if f.span and not in_library(f.span)), None)
        if index is not None:
            entry = chain[index]
            span = entry.span
            if entry.into_library:
                headline = (
                    f"{headline} (in the standard library, reached by tail calls from {entry.name})"
                )
            elif not headline.startswith(f"{entry.name}:"):
                headline = f"{headline} (in {entry.name}, from the standard library)"
            # the call into the library is the location now: the chain goes on from it
            chain = chain[index + 1 :]
    where = f"{span}: " if span else ""
    parts = [f"{where}{error.kind}: {headline}"]
    if span:
        block = caret_block(span, sources)
        if block:
            parts.append(block)
    if chain:
        parts.append("call chain (innermost first):")
        parts.extend(_compress_chain(chain))
    return "\n".join(parts)


def _place(span: Span) -> str:
    if in_library(span):
        return f"{span.file.rsplit('/', 1)[-1]}:{span.line} in the standard library"
    return str(span)


def _compress_chain(chain: list[Frame]) -> list[str]:
    """Lines for a call chain; long runs (deep recursion) are summarized, not dumped:
    a frame repeated, or a cycle of up to four frames repeated (mutual recursion, or a
    procedure recursing through `map`), is shown once with how many more times it came."""
    keys = [(f.name, f.span, f.via) for f in chain]
    lines: list[str] = []
    i = 0
    while i < len(chain):
        for width in range(1, MAX_CYCLE + 1):
            unit = keys[i : i + width]
            repeats = 1
            while keys[i + repeats * width : i + (repeats + 1) * width] == unit:
                repeats += 1
            if repeats > 1 and (width == 1 or repeats > 2):
                break
        else:
            width, repeats = 1, 1
        lines.extend(_frame_line(frame) for frame in chain[i : i + width])
        if repeats > 1:
            if width == 1:
                lines.append(f"    ... {repeats - 1} more call(s) of the same")
            else:
                lines.append(f"    ... the {width} calls above, {repeats - 1} more time(s)")
        i += width * repeats
    if len(lines) > MAX_CHAIN_SHOWN:
        hidden = len(lines) - MAX_CHAIN_SHOWN
        lines = [
            *lines[: MAX_CHAIN_SHOWN // 2],
            f"    ... {hidden} more",
            *lines[-MAX_CHAIN_SHOWN // 2 :],
        ]
    return lines


MAX_CYCLE = 4


def _frame_line(frame: Frame) -> str:
    where = f" at {_place(frame.span)}" if frame.span else ""
    via = f" (reached by tail calls from {frame.via})" if frame.via else ""
    return f"  in {frame.name}{where}{via}"
