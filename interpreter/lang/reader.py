"""The reader: program text to data, every datum with its source span.

The LALR(1) parser for `grammar.lark` is Lark's stand-alone parser module, generated
once and kept in the user's cache (`parser_cache.py`), so reading does not import Lark
or build tables; the parser calls `_Builder` as it reduces, so no parse tree is built.
Lists become `SourcePair` chains that remember their span; atoms keep theirs in a
side table (`Datums.spans`) keyed by identity so immutable Python values stay plain.

Lexer callbacks watch every token as it is read: they keep the nesting depth (so text
nested deeper than `MAX_NESTING_DEPTH` is refused at once, before any later stage
recurses over it) and apply `#!fold-case`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

from interpreter.errors import SchemeSyntaxError
from interpreter.lang.datums import NIL, Char, Keyword, SourcePair, Symbol
from interpreter.lang.parser_cache import load_parser_module
from interpreter.lang.primitives.number_syntax import parse_number
from interpreter.source import SourceName, Span

QUOTE_NAMES = {
    "'": Symbol("quote"),
    "`": Symbol("quasiquote"),
    ",": Symbol("unquote"),
    ",@": Symbol("unquote-splicing"),
}

CHAR_NAMES = {
    "space": " ",
    "newline": "\n",
    "tab": "\t",
    "nul": "\0",
    "null": "\0",
    "return": "\r",
    "linefeed": "\n",
    "alarm": "\a",
    "backspace": "\b",
    "delete": "\x7f",
    "escape": "\x1b",
    "altmode": "\x1b",
}

STRING_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "0": "\0",
    '"': '"',
    "\\": "\\",
    "|": "|",
}

# How deeply data may nest in program text: brackets, and quote or `#;` prefixes still
# waiting for their datum. Deeper text is a syntax error, reported where it gets too deep.
MAX_NESTING_DEPTH = 10_000
_MAX_CODE_POINT = 0x10FFFF
_SURROGATES = range(0xD800, 0xE000)

# How a number without a `#` prefix can begin; most atoms are names, which skip parse_number.
_NUMBER_STARTS = frozenset("0123456789+-.")

# Text from a program's own strings (JSON's "\ud800") may hold one; a file cannot.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]+;|[ \t]*\r?\n[ \t]*|.)", re.S)


class _Commented:
    """Marks a datum removed by `#;`, dropped by the enclosing sequence."""


COMMENTED = _Commented()


def _scalar_value(hex_digits: str, span: Span) -> str:
    """The character with this hex code; R7RS characters are Unicode scalar values."""
    code = int(hex_digits, 16)
    if code > _MAX_CODE_POINT or code in _SURROGATES:
        shown = hex_digits if len(hex_digits) <= 12 else hex_digits[:12] + "..."
        raise SchemeSyntaxError(
            f"#x{shown} is not a Unicode scalar value "
            "(valid: 0 to #x10FFFF, except the surrogates #xD800 to #xDFFF)",
            span,
        )
    return chr(code)


def _unescape(body: str, span: Span) -> str:
    def replace(match: re.Match) -> str:
        escape = match.group(1)
        if escape[0] == "x" and escape.endswith(";"):
            return _scalar_value(escape[1:-1], span)
        if "\n" in escape:
            return ""
        if escape in STRING_ESCAPES:
            return STRING_ESCAPES[escape]
        if escape == "x":
            raise SchemeSyntaxError(
                "string escape \\x needs hex digits and a closing ';' (as in \\x41;)", span
            )
        raise SchemeSyntaxError(f"unknown string escape \\{escape}", span)

    return _ESCAPE.sub(replace, body) if "\\" in body else body


class Datums(list):
    """The data read from one text, with the span of each top-level datum."""

    def __init__(self, items: list[Any], spans: list[Span]):
        super().__init__(items)
        self.spans = spans


_local = threading.local()


def _span(token) -> Span:
    return Span(_local.file, token.line, token.column, token.end_line, token.end_column)


def _span_between(start, end) -> Span:
    return Span(_local.file, start.line, start.column, end.end_line, end.end_column)


class _Builder:
    """Callbacks Lark's LALR parser runs as it reduces each rule.

    Each datum travels up as a (value, span) tuple; lists store their elements' spans
    in their cells (`SourcePair.car_span`), so atoms stay plain Python values.
    """

    def start(self, items):
        return [item for item in items if item is not COMMENTED]

    def commented(self, children):
        return COMMENTED

    def list(self, children):
        items = [c for c in children[1:-1] if c is not COMMENTED]
        span = _check_brackets(children[0], children[-1])
        return _build_list(items, NIL, span), span

    def dotted(self, children):
        dot_at = next(i for i, c in enumerate(children) if getattr(c, "type", None) == "DOT")
        head = [c for c in children[1:dot_at] if c is not COMMENTED]
        (tail,) = [c for c in children[dot_at + 1 : -1] if c is not COMMENTED]
        span = _check_brackets(children[0], children[-1])
        if not head:
            raise SchemeSyntaxError("bad dotted list: a datum must come before the dot", span)
        return _build_list(head, tail[0], span), span

    def vector(self, children):
        items = tuple(c[0] for c in children[1:-1] if c is not COMMENTED)
        return items, _span_between(children[0], children[-1])

    def bytevector(self, children):
        span = _span_between(children[0], children[-1])
        items = [c[0] for c in children[1:-1] if c is not COMMENTED]
        if not all(type(b) is int and 0 <= b < 256 for b in items):
            raise SchemeSyntaxError("a bytevector holds only integers from 0 to 255", span)
        return bytes(items), span

    def abbreviation(self, children):
        quote, (datum, datum_span) = children[0], children[-1]
        span = Span(_local.file, quote.line, quote.column, datum_span.end_line, datum_span.end_col)
        inner = SourcePair(datum, NIL, span, datum_span)
        return SourcePair(QUOTE_NAMES[str(quote)], inner, span, _span(quote)), span

    def atom(self, children):
        token = children[0]
        text = str(token)
        number = parse_number(text) if text[0] in _NUMBER_STARTS else None
        return (Symbol(text) if number is None else number), _span(token)

    def prefixed_number(self, children):
        token = children[0]
        number = parse_number(str(token))
        if number is None:
            raise SchemeSyntaxError(f"bad number syntax {str(token)!r}", _span(token))
        return number, _span(token)

    def string(self, children):
        token = children[0]
        span = _span(token)
        return _unescape(str(token)[1:-1], span), span

    def bar_symbol(self, children):
        token = children[0]
        span = _span(token)
        return Symbol(_unescape(str(token)[1:-1], span)), span

    def char(self, children):
        token = children[0]
        span = _span(token)
        body = str(token)[2:]
        if len(body) == 1:
            return Char(body), span
        if body in CHAR_NAMES:
            return Char(CHAR_NAMES[body]), span
        if body[0] == "x" and all(c in "0123456789abcdefABCDEF" for c in body[1:]):
            return Char(_scalar_value(body[1:], span)), span
        raise SchemeSyntaxError(f"unknown character name #\\{body}", span)

    def boolean(self, children):
        return str(children[0]) in ("#t", "#true"), _span(children[0])

    def keyword(self, children):
        token = children[0]
        return Keyword(str(token)[2:]), _span(token)


def _check_brackets(opener, closer) -> Span:
    span = _span_between(opener, closer)
    if (str(opener), str(closer)) in (("(", "]"), ("[", ")")):
        raise SchemeSyntaxError(
            f"'{closer}' closes the '{opener}' opened at line {opener.line}, column {opener.column}",
            _span(closer),
        )
    return span


def _build_list(items: list[tuple[Any, Span]], tail: Any, span: Span) -> Any:
    result = tail
    for value, item_span in reversed(items):
        result = SourcePair(value, result, span, item_span)
    return result


class _Watch:
    """What the lexer callbacks keep while one text is lexed.

    `pending` has one list per open bracket (and one for the top level): the prefixes
    (`'`, `` ` ``, `,`, `,@`, `#;`) read at that level still waiting for their datum.
    `depth` counts the open brackets and all pending prefixes.
    """

    __slots__ = ("depth", "fold_case", "kept", "limit", "pending")

    def __init__(self, fold_case: bool, limit: int | None = MAX_NESTING_DEPTH):
        self.pending: list[list[Any]] = [[]]
        self.depth = 0
        self.fold_case = fold_case
        self.limit = limit
        self.kept = False  # the last datum that ended was not eaten by a `#;`

    def deeper(self, token) -> None:
        self.depth += 1
        if self.limit is not None and self.depth > self.limit:
            raise SchemeSyntaxError(
                f"data nested more than {self.limit} deep (brackets and quote prefixes)",
                _span(token),
            )

    def complete(self) -> None:
        """A datum ended: it satisfies the quotes before it, or a `#;` eats it."""
        prefixes = self.pending[-1]
        self.kept = True
        while prefixes:
            self.depth -= 1
            if prefixes.pop().type == "DATUM_COMMENT":
                self.kept = False
                return


def _on_open(token):
    watch = _local.watch
    watch.pending.append([])
    watch.deeper(token)
    return token


def _on_close(token):
    watch = _local.watch
    if len(watch.pending) > 1:
        watch.depth -= 1 + len(watch.pending.pop())
        watch.complete()
    return token


def _on_prefix(token):
    watch = _local.watch
    watch.pending[-1].append(token)
    watch.deeper(token)
    return token


def _on_datum(token):
    _local.watch.complete()
    return token


def _on_atom(token):
    watch = _local.watch
    watch.complete()
    return token.update(value=token.value.casefold()) if watch.fold_case else token


def _on_char(token):
    watch = _local.watch
    watch.complete()
    if watch.fold_case and len(token.value) > 3:  # a name, as in #\SPACE, not #\A
        return token.update(value="#\\" + token.value[2:].casefold())
    return token


def _on_directive(token):
    _local.watch.fold_case = token.value == "#!fold-case"
    return token


_LEXER_CALLBACKS = {
    "LPAR": _on_open,
    "VECTOR_OPEN": _on_open,
    "BYTEVECTOR_OPEN": _on_open,
    "RPAR": _on_close,
    "QUOTE": _on_prefix,
    "DATUM_COMMENT": _on_prefix,
    "ATOM": _on_atom,
    "CHAR": _on_char,
    "STRING": _on_datum,
    "BOOLEAN": _on_datum,
    "KEYWORD": _on_datum,
    "BAR_SYMBOL": _on_datum,
    "PREFIXED_NUMBER": _on_datum,
    "DIRECTIVE": _on_directive,
}

_parser = None
_parser_lock = threading.Lock()
# The generated parser module: its exception classes are the ones the parser raises.
_lark: Any = None


def _get_parser():
    global _parser, _lark
    if _parser is None:
        with _parser_lock:
            if _parser is None:
                _lark = load_parser_module()
                _parser = _lark.Lark_StandAlone(
                    transformer=_Builder(), lexer_callbacks=_LEXER_CALLBACKS
                )
    return _parser


_lexer = None


def _get_lexer() -> Callable[[str], Iterator[Any]]:
    """Lexes text with the grammar's terminals and the callbacks above. Built once:
    `Lark.lex` builds a new lexer on every call, which costs more than lexing a datum."""
    global _lexer
    if _lexer is None:
        lexer = _get_parser()._build_lexer()

        def lex(source: str) -> Iterator[Any]:
            return _lark.LexerThread.from_text(lexer, source).lex(None)

        _lexer = lex
    return _lexer


def _prepare(text: str, file: str, fold_case: bool, limit: int | None = MAX_NESTING_DEPTH) -> str:
    """Start reading `text`: the text as the lexer sees it (block comments and a script's
    `#!` line blanked, so lines and columns stay put)."""
    _local.file = file
    _local.watch = _Watch(fold_case, limit)
    source = _blank_block_comments(text, file) if "#|" in text else text
    if source.startswith(("#!/", "#! ")):
        end = source.find("\n")
        end = len(source) if end < 0 else end
        source = " " * end + source[end:]
    return source


def read_all(
    text: str, file: str = "<string>", library: bool = False, fold_case: bool = False
) -> Datums:
    """Read every datum in `text`. Spans carry the text, so errors can quote it;
    `library` marks the standard library's own files. `fold_case` starts the text as if
    it began with `#!fold-case`; the result's `fold_case` is the state at its end."""
    file = SourceName(file, text, library)
    surrogate = _LONE_SURROGATE.search(text)
    if surrogate:
        line, col = _position(text, surrogate.start())
        raise SchemeSyntaxError(
            f"the text holds the lone surrogate #\\x{ord(surrogate.group()):x}, "
            "which is not a Unicode character",
            Span(file, line, col, line, col + 1),
        )
    source = _prepare(text, file, fold_case)
    parser = _get_parser()  # before `try`: its `except` clauses name the loaded module's errors
    try:
        items = parser.parse(source)
    except _lark.VisitError as error:
        if isinstance(error.orig_exc, SchemeSyntaxError):
            raise error.orig_exc from None
        raise
    except _lark.UnexpectedCharacters as error:
        raise _bad_character(source, file, error) from None
    except (_lark.UnexpectedToken, _lark.UnexpectedEOF) as error:
        raise _unbalanced(source, file, error) from None
    except _lark.UnexpectedInput as error:  # pragma: no cover - lark's other input errors
        raise SchemeSyntaxError(str(error), Span(file, 1, 1, 1, 2)) from None
    data = Datums([value for value, _ in items], [span for _, span in items])
    data.fold_case = _local.watch.fold_case
    return data


def first_datum_end(text: str, name: str, final: bool, fold_case: bool = False) -> int | None:
    """Where the first datum of `text` ends (after the comments before it), found by
    lexing only as far as that; None if `text` may be cut short there and more text could
    change it, unless `final` says there is no more. `len(text)` if the text holds no
    datum, or one that does not read (read_all of that much says why)."""
    source = _prepare_or_none(text, name, fold_case)
    if source is None:
        return len(text) if final else None
    watch = _local.watch
    lex = _get_lexer()
    try:
        for token in lex(source):
            if token.end_pos == len(source) and not final:
                return None  # the token may go on past the end of the text
            at_top = len(watch.pending) == 1 and not watch.pending[0]
            if at_top and watch.kept and token.type in _DATUM_ENDS:
                return token.end_pos
    except _lark.LarkError:
        pass
    return len(text) if final else None


_DATUM_ENDS = frozenset(
    ["RPAR", "ATOM", "CHAR", "STRING", "BOOLEAN", "KEYWORD", "BAR_SYMBOL", "PREFIXED_NUMBER"]
)


def _prepare_or_none(text: str, name: str, fold_case: bool) -> str | None:
    """`_prepare`, or None where a block comment is not closed within `text`."""
    try:
        return _prepare(text, name, fold_case)
    except SchemeSyntaxError:
        return None


def _tokens(source: str) -> Iterator[Any]:
    """The tokens of `source`, up to the first text that is no token."""
    lex = _get_lexer()
    try:
        yield from lex(source)
    except _lark.UnexpectedCharacters:
        return


def _bad_character(source: str, file: str, error) -> SchemeSyntaxError:
    char = source[error.pos_in_stream] if error.pos_in_stream < len(source) else ""
    span = Span(file, error.line, error.column, error.line, error.column + 1)
    if char == "#":
        word = re.match(r"#[^\s()\[\]\"]*", source[error.pos_in_stream :]).group(0)
        return SchemeSyntaxError(
            f"unknown # syntax {word!r}",
            Span(file, error.line, error.column, error.line, error.column + len(word)),
        )
    if char == '"':
        return SchemeSyntaxError("string is never closed", span)
    if char == "|":
        return SchemeSyntaxError("|symbol| is never closed", span)
    return SchemeSyntaxError(f"unexpected character {char!r}", span)


def _unbalanced(source: str, file: str, error) -> SchemeSyntaxError:
    """Explain a parse error by the brackets: the opener never closed, or the stray closer,
    unless the parser met a mistake before the datum that holds the bracket problem.

    The error's `readable_prefix` is where the top-level datum holding the mistake
    starts: the text before it reads, so `check` can still analyze those forms."""
    token = getattr(error, "token", None)
    parsed_to = None if token is None or token.type == "$END" else token.start_pos
    problem = _bracket_problem(source, file)
    if problem is not None:
        found, datum_start = problem
        if parsed_to is None or parsed_to >= datum_start:
            return _with_prefix(found, datum_start)
    if token is None or token.type == "$END":
        waiting = _local.watch.pending[-1]
        if waiting:
            prefix = waiting[-1]
            return SchemeSyntaxError(
                f"'{prefix}' must be followed by a datum", _span_tok(file, prefix)
            )
    elif getattr(token, "line", None):
        if token.type == "DOT":
            return SchemeSyntaxError(
                "'.' is only allowed inside a list, before its last datum", _span_tok(file, token)
            )
        return SchemeSyntaxError(f"unexpected {str(token)!r}", _span_tok(file, token))
    lines = source.splitlines() or [""]
    return SchemeSyntaxError(
        "unexpected end of input",
        Span(file, len(lines), len(lines[-1]) + 1, len(lines), len(lines[-1]) + 2),
    )


def _bracket_problem(source: str, file: str) -> tuple[SchemeSyntaxError, int] | None:
    """The first bracket that is never closed, closes the wrong kind or closes nothing,
    and where the top-level datum holding it starts (its quote prefixes included)."""
    watch = _local.watch = _Watch(fold_case=False, limit=None)
    openers: list[Any] = []
    datum_start = None
    for token in _tokens(source):
        if datum_start is None:
            datum_start = token.start_pos
        if token.type in ("LPAR", "VECTOR_OPEN", "BYTEVECTOR_OPEN"):
            openers.append(token)
        elif token.type == "RPAR":
            if not openers:
                message = f"unexpected '{token}' with no matching opening bracket"
                return SchemeSyntaxError(message, _span_tok(file, token)), datum_start
            opener = openers.pop()
            if (str(opener)[-1], str(token)) in (("(", "]"), ("[", ")")):
                message = (
                    f"'{token}' closes the '{str(opener)[-1]}' opened at line {opener.line}, "
                    f"column {opener.column}"
                )
                return SchemeSyntaxError(message, _span_tok(file, token)), datum_start
        if len(watch.pending) == 1 and not watch.pending[0]:
            datum_start = None  # a top-level datum ended
    if openers:
        opener = openers[-1]
        return SchemeSyntaxError(
            f"'{opener}' is never closed", _span_tok(file, opener)
        ), datum_start
    return None


def _with_prefix(error: SchemeSyntaxError, end: int) -> SchemeSyntaxError:
    error.readable_prefix = end
    return error


def _span_tok(file: str, token) -> Span:
    return Span(file, token.line, token.column, token.end_line, token.end_column)


# What a block comment cannot start inside: strings, |symbols| (either may hold "#|" or
# "|#"), line comments, a datum comment's "#;" and a character such as #\| or #\".
_NOT_A_BLOCK_COMMENT = re.compile(
    r'"[^"\\]*(?:\\.[^"\\]*)*"?|\|[^|\\]*(?:\\.[^|\\]*)*\|?|;[^\n]*|#;|#\\.?|(#\|)',
    re.DOTALL,
)
_BLOCK_COMMENT_EDGE = re.compile(r"#\||\|#")
_NOT_NEWLINE = re.compile(r"[^\n]")


def _blank_block_comments(text: str, file: str) -> str:
    """Replace (nested) #| |# comments by spaces, keeping newlines so spans stay right.
    The text is scanned by regular expressions, so a long string costs no Python loop."""
    pieces: list[str] = []
    kept = 0
    skipped = _NOT_A_BLOCK_COMMENT.search(text)
    while skipped is not None:
        if skipped.group(1) is None:
            skipped = _NOT_A_BLOCK_COMMENT.search(text, skipped.end())
            continue
        start = skipped.start()
        depth, end = 0, None
        for edge in _BLOCK_COMMENT_EDGE.finditer(text, start):
            depth += 1 if edge.group() == "#|" else -1
            if depth == 0:
                end = edge.end()
                break
        if end is None:
            line, col = _position(text, start)
            raise SchemeSyntaxError(
                "'#|' block comment is never closed", Span(file, line, col, line, col + 2)
            )
        pieces += (text[kept:start], _NOT_NEWLINE.sub(" ", text[start:end]))
        kept = end
        skipped = _NOT_A_BLOCK_COMMENT.search(text, end)
    pieces.append(text[kept:])
    return "".join(pieces)


def _position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of `offset` in `text`."""
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
