"""What travels between a run and its Ray workers: items, results and error objects.

Only data travels: numbers, booleans, strings, characters, symbols, keywords, the empty
list, pairs and lists, vectors, bytevectors, and error objects (whose irritants are data
in turn). A procedure, port, record, promise, hash table or environment lives in one
process and cannot: `encode` refuses it with `NotData`, and the caller names the item.

A value is encoded as plain Python (atoms as they are, containers as tagged tuples) and
pickled by Ray; a list's spine is walked in a loop, so a long list needs no deep stack.
The same `write`-equal value comes back, with fresh pairs and vectors (never shared
with the sender's).
"""

from __future__ import annotations

import pickle
from fractions import Fraction
from typing import Any

from interpreter.errors import TaskschemeError
from interpreter.lang.datums import (
    EOF,
    NIL,
    UNSPECIFIED,
    Char,
    Keyword,
    MutableString,
    Pair,
    Symbol,
    is_pair,
)
from interpreter.lang.printer import write_abbreviated

_ATOMS = (bool, int, float, complex, Fraction, str, bytes, bytearray, Keyword)
_SINGLETONS = {id(NIL): "nil", id(UNSPECIFIED): "unspecified", id(EOF): "eof"}
_BY_TAG = {"nil": NIL, "unspecified": UNSPECIFIED, "eof": EOF}


class NotData(Exception):
    """`value` (inside an item or a result) cannot leave its process."""

    def __init__(self, value: Any, why: str = "") -> None:
        super().__init__(why)
        self.value = value
        self.why = why


def encode(value: Any) -> Any:
    """`value` as plain Python that pickles, or NotData."""
    return _encode(value, set())


def decode(data: Any) -> Any:
    """The language value `encode` made `data` from."""
    if type(data) is not tuple:
        return data
    tag = data[0]
    if tag in _BY_TAG:
        return _BY_TAG[tag]
    if tag == "symbol":
        return Symbol(data[1])
    if tag == "char":
        return Char(data[1])
    if tag == "mutable-string":
        return MutableString(data[1])
    if tag == "vector":
        return [decode(item) for item in data[1]]
    if tag == "literal-vector":
        return tuple(decode(item) for item in data[1])
    if tag == "list":
        result = decode(data[2])
        for item in reversed(data[1]):
            result = Pair(decode(item), result)
        return result
    return _decode_error(data)


def _encode(value: Any, open_containers: set[int]) -> Any:
    kind = type(value)
    if kind in _ATOMS:
        return value
    if id(value) in _SINGLETONS:
        return (_SINGLETONS[id(value)],)
    if kind is Symbol:
        return ("symbol", value.name)
    if kind is Char:
        return ("char", value.ch)
    if kind is MutableString:
        return ("mutable-string", value.text)
    if kind is list or kind is tuple:
        with _opened(value, open_containers):
            items = [_encode(item, open_containers) for item in value]
        return ("vector" if kind is list else "literal-vector", items)
    if is_pair(value):
        return _encode_list(value, open_containers)
    if isinstance(value, TaskschemeError):
        return _encode_exception(value, open_containers)
    raise NotData(value)


def _encode_list(value: Any, open_containers: set[int]) -> tuple[str, list[Any], Any]:
    items, spine = [], []
    node = value
    try:
        while is_pair(node):
            if id(node) in open_containers:
                raise NotData(value, "it contains itself")
            open_containers.add(id(node))
            spine.append(id(node))
            items.append(_encode(node.car, open_containers))
            node = node.cdr
        return ("list", items, _encode(node, open_containers))
    finally:
        open_containers.difference_update(spine)


class _opened:
    """Marks a vector as being encoded, so one that contains itself is refused."""

    def __init__(self, value: Any, open_containers: set[int]) -> None:
        if id(value) in open_containers:
            raise NotData(value, "it contains itself")
        self.key, self.open = id(value), open_containers

    def __enter__(self) -> None:
        self.open.add(self.key)

    def __exit__(self, *exc_info: object) -> None:
        self.open.discard(self.key)


def encode_exception(error: BaseException) -> tuple[Any, ...]:
    """`error` (an error object, or any exception a remote call raised) for `decode`."""
    return _encode_exception(error, set())


def _encode_exception(error: BaseException, open_containers: set[int]) -> tuple[Any, ...]:
    """An exception: its class, message and fields. Fields that are language values
    (irritants, a raised value) are encoded, and an irritant that is not data travels as
    its written form; the rest (metrics, spans, transcripts) pickle as they are; anything
    else (a Python exception kept for --debug) is dropped."""
    fields = {}
    for name, field in vars(error).items():
        try:
            fields[name] = ("value", _encode(field, open_containers))
        except NotData:
            if _pickles(field):
                fields[name] = ("raw", field)
            elif type(field) is list:
                fields[name] = ("value", ("vector", [_shown(item) for item in field]))
    return ("error", type(error), error.args, fields)


def _shown(value: Any) -> Any:
    try:
        return encode(value)
    except NotData:
        return write_abbreviated(value)


def _decode_error(data: tuple[Any, ...]) -> BaseException:
    _, cls, args, fields = data
    error = cls.__new__(cls)
    error.args = args
    for name, (how, field) in fields.items():
        setattr(error, name, decode(field) if how == "value" else field)
    return error


def _pickles(value: Any) -> bool:
    try:
        pickle.dumps(value)
    except Exception:
        return False
    return True
