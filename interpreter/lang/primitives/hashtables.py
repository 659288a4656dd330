"""Hash tables (SRFI-69 names), `equal?` by default, in insertion order.

A `HashTable` is a Python dict from a *normalized key* to (original key, value). The
normalized key is a hashable value that is equal exactly when the Scheme keys are
equivalent: for `equal?` tables strings, symbols, characters and numbers stand for
themselves (floats and booleans tagged, so that 1, 1.0 and #t stay distinct keys), and
pairs, vectors and bytevectors are frozen by structure into flat tuples. A mutable key that is
changed after insertion is not found again (as in every Scheme). For `eqv?` and `eq?`
tables numbers and characters compare by value and everything else by identity.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from interpreter.errors import SchemeError
from interpreter.lang.datums import (
    UNSPECIFIED,
    Char,
    MutableString,
    Nil,
    Pair,
    SourcePair,
    Symbol,
    python_to_list,
)
from interpreter.lang.primitives import alias, primitive
from interpreter.lang.primitives.common import check_allocation, list_items, procedure_argument
from interpreter.lang.printer import register_writer
from interpreter.lang.raising import scheme_error, type_error


class _Tag:
    """Marks the kind of a normalized key; compared by identity."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


_FLOAT, _BOOL, _LIST, _VECTOR, _DOT, _CLOSE, _BYTES, _IDENTITY = (
    _Tag(n) for n in ("float", "bool", "list", "vector", "dot", "close", "bytes", "id")
)


def _value_key(value: Any) -> Any:
    """The key of a value that `eqv?` compares by value, or None if it compares by identity."""
    kind = type(value)
    if kind is int or kind is Fraction or kind is Char or kind is Symbol:
        return value
    if kind is float:
        return (_FLOAT, value.hex())  # distinguishes 0.0 from -0.0 and makes NaN equal itself
    if kind is bool:
        return (_BOOL, value)
    return None


def eqv_key(value: Any) -> Any:
    """The normalized key for `eqv?` (and `eq?`) tables."""
    key = _value_key(value)
    return (_IDENTITY, id(value)) if key is None else key


def equal_key(value: Any) -> Any:
    """The normalized key for `equal?` tables; circular keys are refused.

    Pairs and vectors become one flat tuple of tokens (an opening tag, the elements, a
    closing tag), built with an explicit stack: nested tuples would make Python hash and
    compare them recursively, and a key nested 10,000 deep would exhaust the stack.
    """
    key = _equal_atom_key(value)
    if key is not _COMPOUND:
        return key
    tokens: list[Any] = []
    active: set[int] = set()  # the pairs and vectors being frozen, to catch cycles
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is _Tag:
            tokens.append(item)
        elif kind is _Leave:
            tokens.append(_CLOSE)
            active.difference_update(item.ids)
        elif kind is list or kind is tuple:
            _enter(id(item), active, item)
            tokens.append(_VECTOR)
            stack.append(_Leave([id(item)]))
            stack.extend(reversed(item))
        elif kind is Pair or kind is SourcePair:
            tokens.append(_LIST)
            cars, ids, tail = [], [], item
            while type(tail) is Pair or type(tail) is SourcePair:
                _enter(id(tail), active, item)
                ids.append(id(tail))
                cars.append(tail.car)
                tail = tail.cdr
            stack.append(_Leave(ids))
            if type(tail) is not Nil:
                stack.append(tail)
                stack.append(_DOT)
            stack.extend(reversed(cars))
        else:
            tokens.append(_equal_atom_key(item))
    return tuple(tokens)


class _Leave:
    """Stack marker: a pair chain or vector is finished; close it and stop watching its ids."""

    __slots__ = ("ids",)

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids


def _enter(key: int, active: set[int], whole: Any) -> None:
    if key in active:
        raise scheme_error("hash table key is circular", [whole])
    active.add(key)


_COMPOUND = object()


def _equal_atom_key(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is Nil:
        return value
    if kind is MutableString:
        return value.text  # equal to the same text in a literal; a key changed later is lost
    if kind is Pair or kind is SourcePair or kind is list or kind is tuple:
        return _COMPOUND
    if kind is bytes or kind is bytearray:
        return (_BYTES, bytes(value))
    return eqv_key(value)


_KEY_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "equal": equal_key,
    "eqv": eqv_key,
    "eq": eqv_key,
}


class HashTable:
    """A mutable map with Scheme key equivalence; `kind` is "equal", "eqv" or "eq"."""

    __slots__ = ("_key", "entries", "kind")

    def __init__(self, kind: str = "equal") -> None:
        self.kind = kind
        self._key = _KEY_FUNCTIONS[kind]
        self.entries: dict[Any, tuple[Any, Any]] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, key: Any, default: Any = None) -> Any:
        entry = self.entries.get(self._key(key))
        return default if entry is None else entry[1]

    def contains(self, key: Any) -> bool:
        return self._key(key) in self.entries

    def set(self, key: Any, value: Any) -> None:
        self.entries[self._key(key)] = (key, value)

    def delete(self, key: Any) -> None:
        self.entries.pop(self._key(key), None)

    def items(self) -> list[tuple[Any, Any]]:
        """A snapshot of (key, value) pairs, safe to iterate while the table changes."""
        return list(self.entries.values())

    def copy(self) -> HashTable:
        table = HashTable(self.kind)
        table.entries = dict(self.entries)
        return table


register_writer(HashTable, lambda table: f"#<hash-table {len(table)}>")

_MISSING = object()


def _check_table(proc: str, value: Any, position: int = 1) -> HashTable:
    if type(value) is HashTable:
        return value
    raise type_error(proc, "a hash table", value, position)


def _kind(proc: str, spec: Any) -> str:
    """The equivalence named by a symbol (`'equal`) or given as a procedure (`equal?`)."""
    if spec is None:
        return "equal"
    if type(spec) is Symbol and spec.name in ("equal", "eqv", "eq", "string"):
        return "equal" if spec.name == "string" else spec.name
    name = getattr(spec, "scheme_name", None)
    if name in ("equal?", "eqv?", "eq?", "string=?"):
        return "equal" if name == "string=?" else name[:-1]
    raise type_error(proc, "'equal, 'eqv, 'eq or 'string (or equal?, eqv?, eq?, string=?)", spec, 1)


@primitive("make-hash-table")
def make_hash_table(kind: Any = None, *_ignored: Any) -> HashTable:
    """`(make-hash-table)`, `(make-hash-table 'eqv)` or `(make-hash-table eqv?)`; further
    arguments (a hash function, a size, weakness) are accepted and ignored."""
    return HashTable(_kind("make-hash-table", kind))


def _table_maker(name: str, kind: str) -> None:
    def make(*_ignored: Any) -> HashTable:
        return HashTable(kind)

    primitive(name)(make)


for _name, _kind_name in {
    "make-equal-hash-table": "equal",
    "make-eqv-hash-table": "eqv",
    "make-eq-hash-table": "eq",
}.items():
    _table_maker(_name, _kind_name)


@primitive("hash-table?")
def is_hash_table(obj: Any) -> bool:
    return type(obj) is HashTable


def _missing(proc: str, key: Any) -> SchemeError:
    return scheme_error(f"{proc}: key not found:", [key])


@primitive("hash-table-ref")
def hash_table_ref(table: Any, key: Any, failure: Any = None) -> Any:
    """The value for `key`; if absent, `(failure)` or an error naming the key."""
    value = _check_table("hash-table-ref", table).get(key, _MISSING)
    if value is not _MISSING:
        return value
    if failure is None:
        raise _missing("hash-table-ref", key)
    return procedure_argument("hash-table-ref", failure, 3)()


@primitive("hash-table-ref/default")
def hash_table_ref_default(table: Any, key: Any, default: Any) -> Any:
    return _check_table("hash-table-ref/default", table).get(key, default)


def _room_for(proc: str, table: HashTable, key: Any) -> HashTable:
    """`table`, if adding `key` keeps it within max_allocation entries (a program filling
    a table in a loop stops with a clear error, not by exhausting memory)."""
    if not table.contains(key):
        check_allocation(proc, len(table) + 1, "hash table")
    return table


@primitive("hash-table-set!")
def hash_table_set(table: Any, key: Any, value: Any) -> Any:
    _room_for("hash-table-set!", _check_table("hash-table-set!", table), key).set(key, value)
    return UNSPECIFIED


@primitive("hash-table-delete!")
def hash_table_delete(table: Any, key: Any) -> Any:
    _check_table("hash-table-delete!", table).delete(key)
    return UNSPECIFIED


@primitive("hash-table-contains?")
def hash_table_contains(table: Any, key: Any) -> bool:
    return _check_table("hash-table-contains?", table).contains(key)


@primitive("hash-table-count")
def hash_table_count(table: Any) -> int:
    return len(_check_table("hash-table-count", table))


alias("hash-table-exists?", hash_table_contains)
alias("hash-table-size", hash_table_count)


@primitive("hash-table-keys")
def hash_table_keys(table: Any) -> Any:
    return python_to_list([key for key, _ in _check_table("hash-table-keys", table).items()])


@primitive("hash-table-values")
def hash_table_values(table: Any) -> Any:
    return python_to_list([value for _, value in _check_table("hash-table-values", table).items()])


@primitive("hash-table->alist")
def hash_table_to_alist(table: Any) -> Any:
    return python_to_list(
        [Pair(key, value) for key, value in _check_table("hash-table->alist", table).items()]
    )


@primitive("alist->hash-table")
def alist_to_hash_table(alist: Any, kind: Any = None, *_ignored: Any) -> HashTable:
    """A table of the alist's entries; the first entry for a key wins, as in `assoc`."""
    table = HashTable(_kind("alist->hash-table", kind))
    for entry in list_items("alist->hash-table", alist, 1):
        if type(entry) is not Pair and type(entry) is not SourcePair:
            raise type_error("alist->hash-table", "an association list (a list of pairs)", alist, 1)
        if not table.contains(entry.car):  # keeps the alist's order, not the reverse
            table.set(entry.car, entry.cdr)
    return table


@primitive("hash-table-update!")
def hash_table_update(table: Any, key: Any, proc: Any, failure: Any = None) -> Any:
    """Set `key` to `(proc current)`; a missing key uses `(failure)` or is an error."""
    checked = _check_table("hash-table-update!", table)
    update = procedure_argument("hash-table-update!", proc, 3)
    current = checked.get(key, _MISSING)
    if current is _MISSING:
        if failure is None:
            raise _missing("hash-table-update!", key)
        current = procedure_argument("hash-table-update!", failure, 4)()
    _room_for("hash-table-update!", checked, key).set(key, update(current))
    return UNSPECIFIED


@primitive("hash-table-update!/default")
def hash_table_update_default(table: Any, key: Any, proc: Any, default: Any) -> Any:
    checked = _check_table("hash-table-update!/default", table)
    update = procedure_argument("hash-table-update!/default", proc, 3)
    checked.set(key, update(checked.get(key, default)))
    return UNSPECIFIED


@primitive("hash-table-walk")
def hash_table_walk(table: Any, proc: Any) -> Any:
    """Call `(proc key value)` for each entry, over a snapshot (the table may change meanwhile)."""
    entries = _check_table("hash-table-walk", table).items()
    visit = procedure_argument("hash-table-walk", proc, 2)
    for key, value in entries:
        visit(key, value)
    return UNSPECIFIED


@primitive("hash-table-copy")
def hash_table_copy(table: Any, mutable: Any = None) -> HashTable:
    return _check_table("hash-table-copy", table).copy()


@primitive("hash-table-clear!")
def hash_table_clear(table: Any) -> Any:
    _check_table("hash-table-clear!", table).entries.clear()
    return UNSPECIFIED
