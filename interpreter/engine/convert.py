"""Values between Python and the language, for host code that embeds the evaluator.

One table (docs/embedding.md) says what becomes what. Going in (`to_language`): lists
become lists, tuples vectors, dicts, other mappings and dataclasses hash tables, None
the unspecified value, callables host procedures. Coming out (`to_python`): lists and
vectors become lists, hash tables dicts, symbols and characters strings, the unspecified
value None. Both walk nested data with explicit stacks, so no depth of data exhausts
Python's recursion limit.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Mapping
from fractions import Fraction
from functools import wraps
from itertools import pairwise
from typing import Any

from interpreter.errors import ArityError, SchemeError
from interpreter.lang.datums import (
    NIL,
    UNSPECIFIED,
    Char,
    Keyword,
    MutableString,
    Pair,
    Parameter,
    SourcePair,
    Symbol,
    Values,
)
from interpreter.lang.primitives.common import is_procedure
from interpreter.lang.primitives.hashtables import HashTable
from interpreter.lang.primitives.json import Frame, convert_nested
from interpreter.lang.primitives.json import to_python as json_to_python
from interpreter.lang.runtime import host_arity_problem, split_keywords

# How a language procedure leaves for Python (the Interpreter wraps it so that each call
# runs under its rules); None leaves procedures as they are.
Export = Callable[[Any], Any] | None
# Values known to be JSON data, by id (see to_python).
JsonValues = Mapping[int, Any] | None


def to_python(value: Any, export: Export = None, json_values: JsonValues = None) -> Any:
    """A Scheme value as plain Python: lists and vectors become lists, symbols and chars
    strings, hash tables dicts, the unspecified value None; numbers, strings, booleans
    and bytevectors stay as they are; procedures go through `export`; anything else
    (records, ports, host objects) is returned unchanged. A circular structure is an
    error (it has no Python equivalent as plain data). Hash table keys that convert to
    lists become tuples, so they can be dict keys.

    `json_values` (by id) are values known to be JSON data, a task's JSON answers: each
    converts as JSON does, its objects (association lists) to dicts, recursively, and
    `null` to None."""
    return convert_nested(value, lambda item: _open(item, export, json_values), _circular)


def _circular() -> SchemeError:
    return SchemeError("cannot convert a circular structure to a Python value")


def _open(value: Any, export: Export, json_values: JsonValues) -> tuple[Any, Frame | None]:
    """(the Python form of `value`, or for a container its empty shell; a frame to fill it)."""
    if json_values and json_values.get(id(value)) is value:
        try:
            return json_to_python(value), None
        except SchemeError:
            pass  # the program put something JSON cannot hold into it: as any other value
    kind = type(value)
    if kind is Symbol:
        return value.name, None
    if kind is MutableString:
        return value.text, None
    if kind is Char:
        return value.ch, None
    if value is UNSPECIFIED:
        return None, None
    if value is NIL:
        return [], None
    if kind is HashTable:
        shell: dict[Any, Any] = {}
        entries = ((_hashable(to_python(k, export, json_values)), v) for k, v in value.items())
        return shell, (id(value), shell, entries)
    if kind is Pair or kind is SourcePair:
        items, tail = _spine(value)
        if tail is not NIL:
            items.append(tail)
    elif kind in (list, tuple, Values):
        items = value
    elif export is not None and is_procedure(value):
        return export(value), None
    else:
        return value, None
    shell = [None] * len(items)
    return shell, (id(value), shell, enumerate(items))


def _spine(value: Any) -> tuple[list[Any], Any]:
    items = []
    seen: set[int] = set()
    while type(value) is Pair or type(value) is SourcePair:
        if id(value) in seen:
            raise SchemeError("cannot convert a circular list to a Python value")
        seen.add(id(value))
        items.append(value.car)
        value = value.cdr
    return items, value


def _hashable(key: Any) -> Any:
    """A converted key usable in a dict: lists (at any depth) as tuples."""
    if type(key) is not list:
        return key
    return tuple(_hashable(item) for item in key)


# ------------------------------------------------------------------ Python -> language

# How a Python callable enters the language (the Interpreter makes host procedures that
# convert their arguments and results).
Import = Callable[[Callable[..., Any]], Any]


def to_language(value: Any, host: Import) -> Any:
    """A Python value as a value of the language (see the module docstring); a callable
    becomes `host(callable)`. A container met twice is converted once, so sharing and
    cycles are kept."""
    root: list[Any] = [None]
    converted: dict[int, Any] = {}
    # (value to convert, where its result goes: a function taking it)
    pending: list[tuple[Any, Callable[[Any], None]]] = [
        (value, lambda done: root.__setitem__(0, done))
    ]
    while pending:
        item, store = pending.pop()
        store(_enter(item, host, converted, pending))
    return root[0]


# Values that are the same in Python and in the language: stored as they are, at once.
_PLAIN = frozenset([str, int, float, bool, Fraction])


def _enter(value: Any, host: Import, converted: dict[int, Any], pending: list) -> Any:
    """The language form of `value`; for a container its shell, whose parts are pushed
    onto `pending` to fill in."""
    if type(value) in _PLAIN:
        return value
    if value is None:
        return UNSPECIFIED
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    shell = converted.get(id(value))
    if shell is not None:
        return shell
    if isinstance(value, list):
        if not value:
            return NIL
        cells = [Pair(item if type(item) in _PLAIN else None, NIL) for item in value]
        for cell, following in pairwise(cells):
            cell.cdr = following
        converted[id(value)] = cells[0]
        pending.extend(
            (item, _setter(cell, "car"))
            for cell, item in zip(cells, value, strict=True)
            if type(item) not in _PLAIN
        )
        return cells[0]
    if isinstance(value, tuple):
        vector: list[Any] = [item if type(item) in _PLAIN else None for item in value]
        converted[id(value)] = vector
        pending.extend(
            (item, _slot(vector, index))
            for index, item in enumerate(value)
            if type(item) not in _PLAIN
        )
        return vector
    if isinstance(value, Mapping) or _is_dataclass_instance(value):
        table = HashTable()
        converted[id(value)] = table
        entries = (
            value.items()
            if isinstance(value, Mapping)
            else ((field.name, getattr(value, field.name)) for field in dataclasses.fields(value))
        )
        for key, item in entries:
            key = to_language(key, host)
            table.set(key, None)  # in order now; the value is filled in later
            pending.append((item, _entry(table, key)))
        return table
    if isinstance(value, Procedure):
        return value.procedure
    if is_language_procedure(value) or not callable(value) or isinstance(value, type):
        return value
    return host(value)


def is_language_procedure(value: Any) -> bool:
    """A procedure of the language (a lambda, a primitive, a tool, a parameter object, a
    host procedure already made), rather than a Python callable still to be made one."""
    return (
        getattr(value, "is_procedure", False) is True
        or hasattr(value, "scheme_name")
        or type(value) is Parameter
    )


def _is_dataclass_instance(value: Any) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def _setter(cell: Pair, field: str) -> Callable[[Any], None]:
    return lambda done: setattr(cell, field, done)


def _slot(vector: list[Any], index: int) -> Callable[[Any], None]:
    return lambda done: vector.__setitem__(index, done)


def _entry(table: HashTable, key: Any) -> Callable[[Any], None]:
    return lambda done: table.set(key, done)


# ------------------------------------------------------------------ procedures both ways


class Procedure:
    """A procedure of the language as a Python callable: arguments are converted in,
    keyword arguments passed as `#:name value` (`max_items=3` -> `#:max-items 3`), the
    result converted out; `call` runs it under its Interpreter's rules (the lock, the
    interrupt, the recursion and allocation limits, the program's ports)."""

    def __init__(self, procedure: Any, call: Callable[[Any, list[Any]], Any]) -> None:
        self.procedure = procedure
        self._call = call
        self.__name__ = getattr(procedure, "scheme_name", None) or getattr(
            procedure, "name", "procedure"
        )

    def __call__(self, *args: Any, **options: Any) -> Any:
        return self._call(self.procedure, [*args, *keyword_arguments(options)])

    def __getattr__(self, name: str) -> Any:
        """What the procedure itself has (a tool's `spec`, a task's options)."""
        if name.startswith("__") or name == "procedure":  # copy and pickle probe these
            raise AttributeError(name)
        return getattr(self.procedure, name)

    def __repr__(self) -> str:
        return f"<taskscheme procedure {self.__name__}>"


def keyword_arguments(options: Mapping[str, Any]) -> list[Any]:
    """Python keyword arguments as the language's `#:name value` arguments."""
    return [
        part for name, value in options.items() for part in (Keyword(name.replace("_", "-")), value)
    ]


def host_procedure(
    fn: Callable[..., Any], name: str, arguments: Callable[[Any], Any], result: Callable[[Any], Any]
) -> Callable[..., Any]:
    """`fn` as a procedure of the language named `name`: its arity and keyword arguments
    come from its Python signature (`#:max-items 3` -> `max_items=3`), each argument
    passes through `arguments` and its result through `result`. A call that does not
    fit the signature is an arity error of the language, before `fn` runs."""
    try:
        signature: inspect.Signature | None = inspect.signature(fn)
    except (TypeError, ValueError):  # a builtin without a signature: Python checks the call
        signature = None
    keywords = _keywords(signature)
    any_keyword = signature is not None and any(
        p.kind is p.VAR_KEYWORD for p in signature.parameters.values()
    )

    @wraps(fn)
    def call(*args: Any) -> Any:
        positional, given = _split(name, args, keywords, any_keyword)
        options = {key.name.replace("-", "_"): value for key, value in given.items()}
        if signature is not None:
            _check_call(name, fn, signature, positional, options)
        converted = {key: arguments(value) for key, value in options.items()}
        return result(fn(*[arguments(arg) for arg in positional], **converted))

    call.scheme_name = name
    return call


def _keywords(signature: inspect.Signature | None) -> list[Keyword]:
    if signature is None:
        return []
    return [
        Keyword(p.name.replace("_", "-"))
        for p in signature.parameters.values()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]


def _split(name: str, args: tuple, keywords: list[Keyword], any_keyword: bool) -> tuple[list, dict]:
    """The positional arguments and the `#:key value` options of a call of a host
    procedure: its named keywords, or every keyword if it takes any (**options)."""
    if any_keyword:
        return split_keywords(name, args, None)
    if not keywords or not any(type(arg) is Keyword for arg in args):
        return list(args), {}
    return split_keywords(name, args, keywords)


def _check_call(
    name: str, fn: Callable[..., Any], signature: inspect.Signature, args: list, options: dict
) -> None:
    try:
        signature.bind(*args, **options)
        return
    except TypeError:
        pass
    missing = [
        f"#:{p.name.replace('_', '-')}"
        for p in signature.parameters.values()
        if p.kind is p.KEYWORD_ONLY and p.default is p.empty and p.name not in options
    ]
    problem = f"needs {' '.join(missing)}" if missing else host_arity_problem(fn, len(args))
    if problem is None:
        twice = [
            f"#:{key.replace('_', '-')}"
            for key in options
            if key in _positional_names(signature, len(args))
        ]
        problem = f"{' '.join(twice)} given both by position and by keyword"
    raise ArityError(f"{name}: {problem}")


def _positional_names(signature: inspect.Signature, count: int) -> list[str]:
    params = [
        p.name
        for p in signature.parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return params[:count]
