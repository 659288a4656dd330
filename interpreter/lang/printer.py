"""Values as text: `write` (what the reader reads back, where that is possible) and `display`.

Printing walks data with an explicit stack, so a list of a million elements or a nesting
10,000 deep prints without touching Python's recursion limit. Before printing compound
data a first pass finds the pairs, vectors and records that lie on a cycle; they are
printed with R7RS datum labels (`#0=(a . #0#)`), so circular data prints finitely.
`write_shared_string` labels every shared part instead (`write-shared`).
`write_abbreviated` is for values shown in error messages: it prints only the first
elements of each list and vector, a few levels deep and a few hundred characters long,
so an error about a vector of a million elements is one line.

Types defined elsewhere (hash tables, ports, the evaluator's procedures) either are
callable (printed as `#<procedure name>`) or register their own writer with
`register_writer`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from interpreter.errors import TaskschemeError
from interpreter.lang.datums import (
    NIL,
    Alias,
    Char,
    Environment,
    Eof,
    Keyword,
    MutableString,
    Nil,
    Pair,
    Parameter,
    Promise,
    Record,
    RecordType,
    SourcePair,
    Symbol,
    Unspecified,
    Values,
    procedure_name,
)
from interpreter.lang.primitives.number_syntax import format_number, leading_digits, parse_number


def write_string(obj: Any, most: int | None = None) -> str:
    """`obj` as `write` prints it: strings quoted, characters as `#\\a`, cycles labelled.
    With `most`, a text longer than `most` characters raises TextTooLong."""
    return _print(obj, _WRITE_ATOMS, shared=False, most=most)


def display_string(obj: Any, most: int | None = None) -> str:
    """`obj` as `display` prints it: strings and characters as their plain text."""
    return _print(obj, _DISPLAY_ATOMS, shared=False, most=most)


def write_shared_string(obj: Any, most: int | None = None) -> str:
    """`obj` as `write-shared` prints it: every shared pair, vector or record is labelled."""
    return _print(obj, _WRITE_ATOMS, shared=True, most=most)


class TextTooLong(Exception):
    """The text of a value passed the most characters it may have: a tree whose parts are
    shared prints each part in full every time, so its text can grow without end."""

    def __init__(self, length: int):
        super().__init__(length)
        self.length = length


@dataclass(frozen=True, slots=True)
class Abbreviation:
    """How much of a value `write_abbreviated` shows; the rest is written `...`."""

    items: int = 20  # elements of each list, vector or record
    depth: int = 6  # levels of nesting
    atom: int = 100  # characters of one string, symbol or number
    length: int = 300  # characters in all


ERROR_ABBREVIATION = Abbreviation()


def write_abbreviated(obj: Any, limits: Abbreviation = ERROR_ABBREVIATION) -> str:
    """`obj` as `write` prints it, cut short as `limits` says (in time proportional to
    what is shown, not to the size of `obj`); circular data needs no labels here."""
    return _emit(obj, _WRITE_ATOMS, {}, limits)


# --- atoms -----------------------------------------------------------------------------

_CHAR_NAMES = {
    "\x07": "alarm",
    "\x08": "backspace",
    "\x7f": "delete",
    "\x1b": "escape",
    "\n": "newline",
    "\x00": "null",
    "\r": "return",
    " ": "space",
    "\t": "tab",
}

# Written as hex escapes: control characters, and lone surrogates (a string can hold one,
# from JSON's "\ud800"; no text encoding can, so `write` keeps such text printable).
_CONTROL_CODES = [*range(0x20), *range(0x7F, 0xA0), *range(0xD800, 0xE000)]
_STRING_ESCAPES = {code: f"\\x{code:x};" for code in _CONTROL_CODES}
_STRING_ESCAPES.update(
    {ord('"'): '\\"', ord("\\"): "\\\\", ord("\n"): "\\n", ord("\t"): "\\t", ord("\r"): "\\r"}
)
_SYMBOL_ESCAPES = {code: f"\\x{code:x};" for code in _CONTROL_CODES}
_SYMBOL_ESCAPES.update({ord("|"): "\\|", ord("\\"): "\\\\"})
_DELIMITERS = frozenset("()[]{}\";'`,|")


def _write_str(text: str) -> str:
    return '"' + text.translate(_STRING_ESCAPES) + '"'


def _write_char(char: Char) -> str:
    ch = char.ch
    name = _CHAR_NAMES.get(ch)
    if name is not None:
        return "#\\" + name
    if "!" <= ch <= "~":
        return "#\\" + ch
    return f"#\\x{ord(ch):x}"


@lru_cache(maxsize=4096)
def _write_symbol_name(name: str) -> str:
    """A symbol's name, in bars when the reader would otherwise read it as something else."""
    plain = (
        name
        and name != "."
        and name[0] != "#"
        and not any(c in _DELIMITERS or c.isspace() or not c.isprintable() for c in name)
        and parse_number(name) is None
        and not _complex_number_like(name)
    )
    return name if plain else "|" + name.translate(_SYMBOL_ESCAPES) + "|"


def _complex_number_like(name: str) -> bool:
    """Is `name` R7RS's spelling of a complex number (`+i`, `1-2i`, `+inf.0i`, `1@2`)?
    taskscheme reads those as symbols, but other Schemes read them as numbers."""
    if "@" in name:
        magnitude, _, angle = name.partition("@")
        return parse_number(magnitude) is not None and parse_number(angle) is not None
    if name[-1:] not in ("i", "I"):
        return False
    body = name[:-1]
    for at, sign in enumerate(body):
        if sign in "+-":
            imaginary = body[at:]
            if (imaginary in ("+", "-") or parse_number(imaginary) is not None) and (
                at == 0 or parse_number(body[:at]) is not None
            ):
                return True
    return False


def _write_bytes(data: bytes | bytearray) -> str:
    return "#u8(" + " ".join(map(str, data)) + ")"


def _write_parameter(param: Parameter) -> str:
    return f"#<parameter {param.name}>"


_COMMON_ATOMS: dict[type, Callable[[Any], str]] = {
    bool: lambda b: "#t" if b else "#f",
    int: format_number,
    float: format_number,
    Fraction: format_number,
    Keyword: lambda k: "#:" + k.name,
    Nil: lambda _: "()",
    Unspecified: lambda _: "#<unspecified>",
    Eof: lambda _: "#<eof>",
    bytes: _write_bytes,
    bytearray: _write_bytes,
    Promise: lambda _: "#<promise>",
    Parameter: _write_parameter,
    RecordType: lambda t: f"#<record-type {_bare_type_name(t)}>",
    Environment: lambda _: "#<environment>",
}
_WRITE_ATOMS = {
    **_COMMON_ATOMS,
    str: _write_str,
    MutableString: lambda s: _write_str(s.text),
    Char: _write_char,
    Symbol: lambda s: _write_symbol_name(s.name),
}
_DISPLAY_ATOMS = {
    **_COMMON_ATOMS,
    str: str,
    MutableString: lambda s: s.text,
    Char: lambda c: c.ch,
    Symbol: lambda s: s.name,
}
# An alias a macro expansion made shows in expanded code as the symbol it renamed.
_WRITE_ATOMS[Alias] = _WRITE_ATOMS[Symbol]
_DISPLAY_ATOMS[Alias] = _DISPLAY_ATOMS[Symbol]
_ATOM_TYPES = set(_WRITE_ATOMS)


_REGISTERED: dict[type, Callable[[Any], str]] = {}


def register_writer(kind: type, writer: Callable[[Any], str]) -> None:
    """Print values of type `kind` (and its subclasses) as `writer(value)`, for `write` and
    `display` alike. For opaque values (`#<hash-table 3>`): the printer does not look inside.
    """
    _REGISTERED[kind] = writer
    _WRITE_ATOMS[kind] = writer
    _DISPLAY_ATOMS[kind] = writer
    _ATOM_TYPES.add(kind)


def _bare_type_name(rtype: RecordType) -> str:
    """`<point>` is shown as `point`, as in `#<point x: 1>`."""
    name = rtype.name
    return name[1:-1] if len(name) > 2 and name[0] == "<" and name[-1] == ">" else name


def _write_opaque(obj: Any) -> str:
    """Subclasses of registered types, procedures and foreign Python objects."""
    for base in type(obj).__mro__[1:]:
        writer = _REGISTERED.get(base)
        if writer is not None:
            register_writer(type(obj), writer)  # found directly from now on
            return writer(obj)
    if callable(obj) and not isinstance(obj, type):
        name = procedure_name(obj)
        return (
            "#<procedure>"
            if name in ("procedure", "anonymous", "<lambda>", "lambda")
            else f"#<procedure {name}>"
        )
    return f"#<python {type(obj).__name__}>"


# --- compound data ---------------------------------------------------------------------


class _Text(str):
    """Text the emitter copies out as is (as opposed to a Scheme string to print)."""


class _Closer(_Text):
    """The text that ends a compound value: the emitter is one level less deep after it."""


_SPACE, _DOT, _ELLIPSIS = _Text(" "), _Text(" . "), _Text("...")
_CLOSE, _CLOSE_OPAQUE = _Closer(")"), _Closer(">")


def _children(obj: Any) -> Iterator[Any] | None:
    """The values inside a non-pair compound value, or None for anything else."""
    kind = type(obj)
    if kind is list or kind is tuple or kind is Values:
        return iter(obj)
    if kind is Record:
        return iter(obj.values)
    if isinstance(obj, TaskschemeError):
        return iter(obj.irritants)
    return None


def _print(
    obj: Any, atoms: dict[type, Callable[[Any], str]], shared: bool, most: int | None
) -> str:
    atom = atoms.get(type(obj))
    if atom is not None:
        return atom(obj)
    labels = _find_labels(obj, shared)
    return _emit(obj, atoms, labels, most=most)


def _find_labels(root: Any, shared: bool) -> dict[int, int | None]:
    """Which compound values need a datum label: those on a cycle (or, if `shared`, seen twice).

    A depth-first walk with an explicit stack of generators. A pair's generator walks the
    whole cdr chain, so a long list is one stack entry, not one per element. `state`
    maps each value reached to True while it is on the current path, False once done.
    """
    marked: dict[int, int | None] = {}
    state: dict[int, bool] = {}

    def arrive(key: int) -> bool:
        """Record reaching a value; True if its insides still have to be walked."""
        seen = state.get(key)
        if seen is None:
            state[key] = True
            return True
        if seen or shared:
            marked[key] = None
        return False

    def walk_list(node: Any) -> Iterator[Any]:
        spine = [id(node)]
        while True:
            if type(node.car) not in _ATOM_TYPES:
                yield node.car
            node = node.cdr
            kind = type(node)
            if kind is not Pair and kind is not SourcePair:
                if kind not in _ATOM_TYPES:
                    yield node
                break
            key = id(node)
            seen = state.get(key)
            if seen is not None:  # `arrive`, inlined: this loop runs once per list element
                if seen or shared:
                    marked[key] = None
                break
            state[key] = True
            spine.append(key)
        state.update(dict.fromkeys(spine, False))

    def walk_other(node: Any, children: Iterator[Any]) -> Iterator[Any]:
        for child in children:
            if type(child) not in _ATOM_TYPES:
                yield child
        state[id(node)] = False

    def start(node: Any) -> Iterator[Any] | None:
        if type(node) is Pair or type(node) is SourcePair:
            return walk_list(node) if arrive(id(node)) else None
        children = _children(node)
        if children is None or not arrive(id(node)):
            return None
        return walk_other(node, children)

    first = start(root)
    stack = [first] if first is not None else []
    end = object()
    while stack:
        child = next(stack[-1], end)
        if child is end:
            stack.pop()
            continue
        frame = start(child)
        if frame is not None:
            stack.append(frame)
    return marked


def _emit(
    root: Any,
    atoms: dict[type, Callable[[Any], str]],
    labels: dict[int, int | None],
    limits: Abbreviation | None = None,
    most: int | None = None,
) -> str:
    """Print `root` with an explicit stack of values and `_Text` still to print; with
    `limits`, only as much as they allow; past `most` characters, raise TextTooLong."""
    out: list[str] = []
    stack: list[Any] = [root]
    next_label = 0
    depth = size = counted = 0
    items = None if limits is None else limits.items
    while stack:
        if limits is not None or (most is not None and len(out) - counted >= _COUNT_EVERY):
            size += sum(map(len, out[counted:]))
            counted = len(out)
            if limits is not None and size > limits.length:
                break
            if most is not None and size > most:
                raise TextTooLong(size)
        item = stack.pop()
        kind = type(item)
        if kind is _Text or kind is _Closer:
            out.append(item)
            depth -= kind is _Closer
            continue
        atom = atoms.get(kind)
        if atom is not None:
            out.append(_atom_text(atom, item, limits))
            continue
        if limits is not None and depth >= limits.depth:
            out.append("...")
            continue
        if labels and id(item) in labels:
            label = labels[id(item)]
            if label is not None:
                out.append(f"#{label}#")
                continue
            labels[id(item)] = next_label
            out.append(f"#{next_label}=")
            next_label += 1
        if kind is Pair or kind is SourcePair:
            out.append("(")
            elements = [item.car]
            node = item.cdr
            while (type(node) is Pair or type(node) is SourcePair) and id(node) not in labels:
                if items is not None and len(elements) > items:
                    break
                elements.append(node.car)
                node = node.cdr
            stack.append(_CLOSE)
            if node is not NIL and (items is None or len(elements) <= items):
                stack.append(node)
                stack.append(_DOT)
            _push_items(stack, elements, atoms, limits)
        elif kind is list or kind is tuple:
            out.append("#(")
            stack.append(_CLOSE)
            _push_items(stack, item, atoms, limits)
        elif kind is Values:
            _push_items(stack, item, atoms, limits)
            continue
        elif kind is Record:
            out.append("#<" + _bare_type_name(item.rtype))
            stack.append(_CLOSE_OPAQUE)
            fields = list(zip(item.rtype.fields, item.values, strict=False))
            _push_fields(stack, [(f" {field}: ", value) for field, value in fields], items)
        elif isinstance(item, TaskschemeError):
            out.append(f"#<error {_write_str(item.message)}")
            stack.append(_CLOSE_OPAQUE)
            _push_fields(stack, [(" ", irritant) for irritant in item.irritants], items)
        else:
            out.append(_write_opaque(item))
            continue
        depth += 1
    text = "".join(out)
    if most is not None and len(text) > most:
        raise TextTooLong(len(text))
    if limits is not None and (stack or len(text) > limits.length):
        text = text[: limits.length] + "..."
    return text


# How many pieces of text `_emit` adds between counts of the length reached.
_COUNT_EVERY = 1024

# An integer this large takes long to write in full, so an abbreviation writes only its
# first digits (a million digits take seconds).
_HUGE_BITS = 10_000


def _atom_text(atom: Callable[[Any], str], item: Any, limits: Abbreviation | None) -> str:
    if limits is not None and type(item) is int and item.bit_length() > _HUGE_BITS:
        return leading_digits(item, limits.atom) + "..."
    text = atom(item)
    if limits is not None and len(text) > limits.atom:
        return text[: limits.atom] + "..."
    return text


def _push_fields(stack: list[Any], fields: list[tuple[str, Any]], most: int | None) -> None:
    """Push a record's fields or an error's irritants, each after its label text."""
    if most is not None and len(fields) > most:
        stack.append(_Text(" ..."))
        fields = fields[:most]
    for label, value in reversed(fields):
        stack.append(value)
        stack.append(_Text(label))


def _push_items(
    stack: list[Any],
    items: list[Any] | tuple[Any, ...],
    atoms: dict[type, Callable[[Any], str]],
    limits: Abbreviation | None = None,
) -> None:
    """Push `items`, space separated, to pop in order; runs of atoms are printed right away
    into one piece of text, so a flat list of a million numbers is a handful of stack entries.
    With `limits`, only the first `limits.items` items, then `...`."""
    pieces: list[Any] = []
    run: list[str] = []
    shown = items if limits is None or len(items) <= limits.items else items[: limits.items]
    for index, item in enumerate(shown):
        if index:
            run.append(" ")
        atom = atoms.get(type(item))
        if atom is not None:
            run.append(_atom_text(atom, item, limits))
            continue
        if run:
            pieces.append(_Text("".join(run)))
            run = []
        pieces.append(item)
    if len(shown) < len(items):
        run.append(" ...")
    if run:
        pieces.append(_Text("".join(run)))
    stack.extend(reversed(pieces))
