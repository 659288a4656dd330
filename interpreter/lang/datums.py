"""The values of the language: what the reader produces and what programs compute with.

Python values stand for Scheme values wherever the two agree: int, Fraction and float
are numbers, str is an immutable string (a literal; `MutableString` is the kind programs
make and may change), True/False are booleans, a list is a vector (a tuple is a literal,
immutable vector), a dict-backed HashTable is a hash table. The classes here cover the
rest. Every procedure is a Python callable, so host code calls
Scheme procedures and Scheme calls host functions the same way.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from interpreter.errors import ArityError, SchemeError, UnboundVariableError
from interpreter.source import Span


class _Interned:
    """A name with one object per spelling, so equality is identity (fast `eq?`).

    The table holds its names weakly: a program that makes symbols from data (a million
    `string->symbol` calls) would otherwise keep every one for the life of the process.
    While any value holds a name, its spelling gives that same object."""

    __slots__ = ("__weakref__", "name")
    _table: dict[str, weakref.ref]
    _sweep_at: int

    def __init_subclass__(cls) -> None:
        cls._table = {}
        cls._sweep_at = _FIRST_SWEEP

    def __new__(cls, name: str):
        reference = cls._table.get(name)
        existing = reference() if reference is not None else None
        if existing is not None:
            return existing
        with _interning:  # racing threads agree on one object
            reference = cls._table.get(name)
            existing = reference() if reference is not None else None
            if existing is None:
                existing = object.__new__(cls)
                existing.name = name
                cls._table[name] = weakref.ref(existing)
                if len(cls._table) > cls._sweep_at:
                    cls._sweep()
            return existing

    @classmethod
    def _sweep(cls) -> None:
        """Drop the entries of names no value holds any more (their references are dead);
        done as the table doubles, so it costs a constant time per name made."""
        live = {name: ref for name, ref in cls._table.items() if ref() is not None}
        cls._table.clear()
        cls._table.update(live)
        cls._sweep_at = max(_FIRST_SWEEP, 2 * len(live))

    def __reduce__(self):
        return (type(self), (self.name,))


# interning makes a new name under this lock; sweeps start once a table has this many
_interning = threading.Lock()
_FIRST_SWEEP = 4096


class Symbol(_Interned):
    __slots__ = ()

    def __repr__(self) -> str:
        return self.name


def gensym(prefix: str = "g") -> Symbol:
    """A fresh symbol that no program text can name (uninterned). Being a distinct object
    is what makes it fresh, so it prints as plain `prefix` and needs no counter."""
    symbol = object.__new__(Symbol)
    symbol.name = prefix
    return symbol


def is_interned(symbol: Symbol) -> bool:
    """Can program text name `symbol`? Not if it is a gensym or an `Alias`."""
    reference = Symbol._table.get(symbol.name)
    return reference is not None and reference() is symbol


class Alias(Symbol):
    """The fresh symbol a `syntax-rules` expansion puts in place of a template's `original`.

    It is uninterned, so nothing the user wrote is it, and named like `original`, so it
    reads as the program was written. `home` is the analyzer scope the macro was defined
    in (None for a global macro): unless the expansion binds the alias, it means there
    what `original` means. What an alias stands for lives in the alias itself, so it goes
    when the expanded code that holds the alias goes.
    """

    __slots__ = ("home", "original")

    def __new__(cls, original: Symbol, home: Any) -> Alias:
        alias = object.__new__(cls)
        alias.name = original.name
        alias.original = original
        alias.home = home
        return alias


class Keyword(_Interned):
    """`#:name`, used to mark options in calls and task forms."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"#:{self.name}"


class Char:
    """A character; kept apart from one-character strings."""

    __slots__ = ("ch",)
    _table: dict[str, Char] = {}

    def __new__(cls, ch: str) -> Char:
        existing = cls._table.get(ch)
        if existing is not None:
            return existing
        char = object.__new__(cls)
        char.ch = ch
        if len(cls._table) < 4096:
            cls._table[ch] = char
        return char

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Char) and other.ch == self.ch

    def __hash__(self) -> int:
        return hash(("char", self.ch))

    def __repr__(self) -> str:
        return f"#\\{self.ch}"


class MutableString:
    """A string a program may change with `string-set!`, `string-fill!` and `string-copy!`:
    what R7RS calls a newly allocated string (from `make-string`, `string-copy`,
    `string-append`, ...). Literals and strings from the host are Python str and stay
    immutable, so code that never mutates pays nothing for the possibility.

    The text is kept as a str while it is only read (`text` costs one attribute read) and
    as a list of characters once it is changed, so a loop of `string-set!` is linear;
    `text` joins the list again when something reads the whole string.
    """

    __slots__ = ("_chars", "_text")

    def __init__(self, text: str) -> None:
        self._text: str | None = text
        self._chars: list[str] | None = None

    @property
    def text(self) -> str:
        text = self._text
        if text is None:
            text = self._text = "".join(self._chars)  # type: ignore[arg-type]
        return text

    def __len__(self) -> int:
        return len(self._text) if self._text is not None else len(self._chars)  # type: ignore[arg-type]

    def char_at(self, index: int) -> str:
        return self._text[index] if self._text is not None else self._chars[index]  # type: ignore[index]

    def replace(self, start: int, text: str) -> None:
        """Write `text` over the characters from `start` on (it fits: the caller checked)."""
        chars = self._chars
        if chars is None:
            chars = self._chars = list(self._text)  # type: ignore[arg-type]
        chars[start : start + len(text)] = text
        self._text = None

    def __str__(self) -> str:
        return self.text


def string_text(value: Any) -> str | None:
    """The text of a string, mutable or not; None for anything else."""
    if type(value) is str:
        return value
    if type(value) is MutableString:
        return value.text
    return None


def frozen(value: Any) -> Any:
    """`value`, but a mutable string as its text now: for what is kept or handed on as
    text (a task's template and options, a key), which later changes must not reach."""
    return value.text if type(value) is MutableString else value


class Nil:
    """The empty list."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "()"

    def __bool__(self) -> bool:
        # The empty list is true in Scheme; Python code must test `is NIL`.
        return True

    def __iter__(self):
        return iter(())


NIL = Nil()


class Pair:
    """A cons cell. Iterating a pair walks a proper list."""

    __slots__ = ("car", "cdr")

    def __init__(self, car: Any, cdr: Any) -> None:
        self.car = car
        self.cdr = cdr

    def __iter__(self):
        node = self
        while type(node) is Pair or type(node) is SourcePair:
            yield node.car
            node = node.cdr
        if node is not NIL:
            raise ValueError("improper list")


class SourcePair(Pair):
    """A pair read from program text; as a literal it is immutable.

    `span` is the whole list's span, `car_span` the span of this cell's element, so
    errors can point at any sub-expression without wrapping atoms.
    """

    __slots__ = ("car_span", "span")

    def __init__(self, car: Any, cdr: Any, span: Span | None, car_span: Span | None = None) -> None:
        self.car = car
        self.cdr = cdr
        self.span = span
        self.car_span = car_span


def is_pair(value: Any) -> bool:
    return type(value) is Pair or type(value) is SourcePair


class Unspecified:
    """The value of expressions that have no useful value; the REPL prints nothing."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "#<unspecified>"


UNSPECIFIED = Unspecified()


class Eof:
    __slots__ = ()

    def __repr__(self) -> str:
        return "#<eof>"


EOF = Eof()


class Values(tuple):
    """Several values returned at once by `values`."""

    __slots__ = ()


class Promise:
    """`delay`, `delay-force` and `make-promise`: computed at most once."""

    __slots__ = ("done", "value")

    def __init__(self, done: bool, value: Any) -> None:
        self.done = done
        self.value = value  # the result when done, else a thunk


class bound:
    """`var` is `value` for the extent of the block.

    A class, not a generator: a generator left suspended when a block is abandoned (an
    evaluation stopped by its time limit deep in a recursion) is closed later, wherever
    the garbage collector runs, in another context, where resetting the variable fails
    and Python prints "Exception ignored" on stderr."""

    __slots__ = ("_token", "_value", "_var")

    def __init__(self, var: ContextVar, value: Any) -> None:
        self._var = var
        self._value = value

    def __enter__(self) -> None:
        self._token = self._var.set(self._value)

    def __exit__(self, *exception: object) -> None:
        self._var.reset(self._token)


class Parameter:
    """A parameter object: a procedure whose value `parameterize` rebinds dynamically.

    The value lives in a context variable: a rebinding is seen by the thread (and the
    context) that made it and by the workers it starts, never by another thread, so two
    programs running at once (two Interpreters, or one from two threads) cannot send
    each other's output to the wrong port."""

    __slots__ = ("_value", "converter", "name")

    def __init__(self, value: Any, converter: Any = None, name: str = "parameter") -> None:
        self._value: ContextVar[Any] = ContextVar(name, default=value)
        self.converter = converter
        self.name = name

    @property
    def value(self) -> Any:
        return self._value.get()

    @value.setter
    def value(self, value: Any) -> None:
        self._value.set(value)

    def bound(self, value: Any) -> bound:
        """The parameter holds `value` in this context for the extent of the block."""
        return bound(self._value, value)

    def __call__(self, *args: Any) -> Any:
        if args:
            raise ArityError(
                f"{self.name}: a parameter object takes no arguments, got {len(args)} "
                "(parameterize gives it a new value)"
            )
        return self._value.get()


class RecordType:
    """A type made by `define-record-type`."""

    __slots__ = ("fields", "name")

    def __init__(self, name: str, fields: tuple[str, ...]) -> None:
        self.name = name
        self.fields = fields

    def __repr__(self) -> str:
        return f"#<record-type {self.name}>"


class Record:
    __slots__ = ("rtype", "values")

    def __init__(self, rtype: RecordType, values: list[Any]) -> None:
        self.rtype = rtype
        self.values = values


# The working memory of a scope that adds none: shared, so it cannot be changed.
NO_CONTEXT: Mapping[Any, Any] = MappingProxyType({})


class Environment:
    """A scope of a running program: its own variables, its working memory, and the
    environment it extends.

    `bindings` maps each variable's name (a Symbol) to its value: compiled code reads and
    sets variables in it in place. `context` holds the working-memory entries a
    `with-context` adds (NO_CONTEXT for every other scope). `parent` is the environment
    this one extends; None for a global one. Every procedure call, `let` and
    `with-context` makes one. The analyzer resolves each local variable to its depth, so
    a lookup at run time follows a known number of `parent` links; `lookup` walks the
    chain for code that was not analyzed against it.

    There is no `__init__`: without one, `Environment()` runs in C alone, and a
    procedure call's environment stays about as cheap to make as a dict (a Python
    `__init__` would cost more than the rest of the call). `make` is the constructor;
    the call paths (analyze/codegen.py, runtime.run_calls) do what it does in place.
    """

    __slots__ = ("_context", "bindings", "parent")

    @property
    def context(self) -> Mapping[Symbol, Any]:
        """The working-memory entries of this scope: only a `with-context` sets them, so
        a call's environment is made without them (a slot left unset, one store less)."""
        try:
            return self._context
        except AttributeError:
            return NO_CONTEXT

    @staticmethod
    def make(
        bindings: dict[Symbol, Any],
        parent: Environment | None = None,
        context: Mapping[Symbol, Any] = NO_CONTEXT,
    ) -> Environment:
        """The environment holding `bindings` (kept, not copied) and working-memory
        `context` inside `parent`."""
        env = Environment()
        env.bindings = bindings
        env.parent = parent
        if context:
            env._context = context
        return env

    def extend(
        self,
        names: Iterable[Symbol | str],
        values: Iterable[Any],
        context: Mapping[Symbol | str, Any] | None = None,
    ) -> Environment:
        """A new environment inside this one, binding `names` to `values` and holding the
        working-memory entries `context`; this one is left as it was."""
        bindings = dict(zip(map(_as_symbol, names), values, strict=True))
        entries = {_as_symbol(k): v for k, v in context.items()} if context else NO_CONTEXT
        return Environment.make(bindings, self, entries)

    def lookup(self, name: Symbol | str) -> Any:
        """The value of `name` in the innermost environment of the chain that binds it."""
        symbol = _as_symbol(name)
        environment: Environment | None = self
        while environment is not None:
            bindings = environment.bindings
            if symbol in bindings:
                return bindings[symbol]
            environment = environment.parent
        raise UnboundVariableError(f"unbound variable {symbol.name}")

    def lookup_context(self, key: Symbol | str) -> tuple[bool, Any]:
        """(found, value) of the innermost working-memory entry `key` of the chain."""
        symbol = _as_symbol(key)
        environment: Environment | None = self
        while environment is not None:
            context = environment.context
            if symbol in context:
                return True, context[symbol]
            environment = environment.parent
        return False, None

    def context_keys(self) -> list[Symbol]:
        """Every working-memory key in scope, innermost first."""
        keys: list[Symbol] = []
        environment: Environment | None = self
        while environment is not None:
            keys.extend(k for k in environment.context if k not in keys)
            environment = environment.parent
        return keys

    def chain(self) -> list[Environment]:
        """This environment and those it extends, out to the global one."""
        chain: list[Environment] = []
        environment: Environment | None = self
        while environment is not None:
            chain.append(environment)
            environment = environment.parent
        return chain


def _as_symbol(name: Symbol | str) -> Symbol:
    """A name as the language spells it: a string is the symbol of that name."""
    return Symbol(name) if isinstance(name, str) else name


def is_number(value: Any) -> bool:
    kind = type(value)
    return kind is int or kind is float or kind is Fraction


def is_true(value: Any) -> bool:
    return value is not False


def pairs(proc: str, value: Any, position: int | str | None = None) -> Iterator[Pair]:
    """The pairs along the cdr chain of `value`, in order, stopping at the first non-pair.

    Every walk of a list a program gave goes through here, so a circular list is an
    error naming `proc` (and the argument `position`, or an option like "#:where")
    instead of a loop that never ends or fills memory. A second pointer moves at half
    speed and the walk stops when the two meet, so a search that ends early never walks
    the whole list.
    """
    node = slow = value
    count = 0
    while type(node) is Pair or type(node) is SourcePair:
        yield node
        node = node.cdr
        count += 1
        if not count & 1:
            slow = slow.cdr
            if slow is node:
                raise SchemeError(
                    f"{proc}: expected a proper list{_argument(position)}, got a circular list"
                )


def _argument(position: int | str | None) -> str:
    if position is None:
        return ""
    return f" as argument {position}" if type(position) is int else f" as {position}"


def list_to_python(value: Any, proc: str, position: int | str | None = None) -> list[Any]:
    """The elements of a proper list. An improper list raises ValueError, for the caller
    to say what it expected; a circular one is an error naming `proc` (see `pairs`)."""
    items = []
    tail = value
    for pair in pairs(proc, value, position):
        items.append(pair.car)
        tail = pair.cdr
    if tail is not NIL:
        raise ValueError("not a proper list")
    return items


def python_to_list(items, tail: Any = NIL) -> Any:
    result = tail
    for item in reversed(items):
        result = Pair(item, result)
    return result


def procedure_name(proc: Any) -> str:
    name = getattr(proc, "scheme_name", None) or getattr(proc, "name", None)
    if isinstance(name, str):
        return name
    return getattr(proc, "__name__", "procedure")
