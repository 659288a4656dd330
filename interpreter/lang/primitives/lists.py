"""Pairs and lists, and `apply`.

Pairs read from program text (SourcePair) are literal constants: the mutators refuse them.
Every walk along a list is a loop over cdrs, never recursion, and the walks that could
run forever on a circular list detect the cycle. The higher-order list procedures (map,
filter, fold, member, assoc, ...) are written in Scheme in stdlib/.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from functools import cmp_to_key
from itertools import product
from operator import attrgetter
from typing import Any

from interpreter.errors import ArityError, SchemeError, SchemeTypeError
from interpreter.lang.datums import (
    NIL,
    UNSPECIFIED,
    Char,
    MutableString,
    Pair,
    SourcePair,
    pairs,
    python_to_list,
    string_text,
)
from interpreter.lang.primitives import PRIMITIVES, primitive
from interpreter.lang.primitives.common import (
    check_allocation,
    check_nonnegative,
    check_procedure,
    check_size,
    library_caller,
    list_items,
    spine,
)
from interpreter.lang.primitives.equivalence import is_eq, is_equal, is_eqv
from interpreter.lang.primitives.hashtables import equal_key, eqv_key
from interpreter.lang.primitives.numbers import add, check_number, multiply
from interpreter.lang.printer import write_abbreviated, write_string
from interpreter.lang.raising import scheme_error, type_error
from interpreter.lang.runtime import apply_procedure


@primitive("cons")
def cons(a: Any, b: Any) -> Pair:
    return Pair(a, b)


@primitive("car")
def car(pair: Any) -> Any:
    if type(pair) is Pair or type(pair) is SourcePair:
        return pair.car
    raise type_error("car", "a pair", pair, 1)


@primitive("cdr")
def cdr(pair: Any) -> Any:
    if type(pair) is Pair or type(pair) is SourcePair:
        return pair.cdr
    raise type_error("cdr", "a pair", pair, 1)


def _define_cxr(path: str) -> None:
    """Register `c<path>r`, e.g. path "ad" is cadr: the car of the cdr."""
    name = f"c{path}r"
    steps = path[::-1]

    def cxr(value: Any) -> Any:
        node = value
        for done, step in enumerate(steps):
            if type(node) is not Pair and type(node) is not SourcePair:
                walked = f" (after taking c{steps[:done][::-1]}r)" if done else ""
                raise SchemeTypeError(
                    f"{name}: expected a pair, got {write_string(node)}{walked} in {write_string(value)}"
                )
            node = node.car if step == "a" else node.cdr
        return node

    primitive(name)(cxr)


for _length in (2, 3):
    for _path in product("ad", repeat=_length):
        _define_cxr("".join(_path))


def _mutable_pair(proc: str, pair: Any) -> Pair:
    if type(pair) is Pair:
        return pair
    if type(pair) is SourcePair:
        raise SchemeError(
            f"{proc}: cannot modify a literal constant (copy it first, e.g. with list-copy)", [pair]
        )
    raise type_error(proc, "a pair", pair, 1)


@primitive("set-car!")
def set_car(pair: Any, obj: Any) -> Any:
    _mutable_pair("set-car!", pair).car = obj
    return UNSPECIFIED


@primitive("set-cdr!")
def set_cdr(pair: Any, obj: Any) -> Any:
    _mutable_pair("set-cdr!", pair).cdr = obj
    return UNSPECIFIED


@primitive("pair?")
def is_pair(obj: Any) -> bool:
    return type(obj) is Pair or type(obj) is SourcePair


@primitive("null?")
def is_null(obj: Any) -> bool:
    return obj is NIL


@primitive("list")
def make_list_of(*items: Any) -> Any:
    return python_to_list(items)


_CIRCULAR = object()


def _measure(value: Any) -> tuple[int, Any]:
    """The number of pairs along the cdr chain of `value` and what ends it: NIL for a
    proper list, another non-pair for an improper one, `_CIRCULAR` for a circular one
    (tortoise and hare)."""
    count = 0
    slow = fast = value
    while True:
        for _ in range(2):
            if type(fast) is not Pair and type(fast) is not SourcePair:
                return count, fast
            fast = fast.cdr
            count += 1
        slow = slow.cdr
        if fast is slow:
            return count, _CIRCULAR


def proper_length(value: Any) -> int | None:
    """The length of a proper list; None for an improper or circular one."""
    count, end = _measure(value)
    return count if end is NIL else None


@primitive("list?")
def is_list(obj: Any) -> bool:
    return proper_length(obj) is not None


def _length_of(proc: str, lst: Any, position: int) -> int:
    """The length of the proper list `lst`, counted without copying it."""
    count = proper_length(lst)
    if count is None:
        list_items(proc, lst, position)  # raises the precise error: improper or circular
    return count


@primitive("length")
def length(lst: Any) -> int:
    return _length_of("length", lst, 1)


@primitive("append")
def append(*lists: Any) -> Any:
    """All but the last argument are copied; the last becomes the shared tail. The
    copies are counted before any is made, stopping at the first past max_allocation."""
    if not lists:
        return NIL
    copied = 0
    for position, lst in enumerate(lists[:-1], 1):
        copied += _length_of("append", lst, position)
        check_allocation("append", copied, "list")
    result = lists[-1]
    for lst in reversed(lists[:-1]):
        result = python_to_list(list_items("append", lst, 1), result)
    return result


def _reverse_onto(proc: str, lst: Any, tail: Any) -> Any:
    """The elements of the proper list `lst` in reverse order, consed onto `tail`, in
    one walk."""
    result = tail
    end = lst
    for pair in pairs(proc, lst, 1):
        result = Pair(pair.car, result)
        end = pair.cdr
    if end is not NIL:
        raise type_error(proc, "a proper list", lst, 1)
    return result


@primitive("reverse")
def reverse(lst: Any) -> Any:
    return _reverse_onto("reverse", lst, NIL)


def _walk(proc: str, lst: Any, k: Any, inclusive: bool = True) -> Any:
    """The list after `k` cdrs; an error naming the list's length if it is too short.
    `inclusive`: k may be the length itself (list-tail), not only an element's index."""
    check_nonnegative(proc, k, 2)
    node = lst
    for taken in range(k):
        if type(node) is not Pair and type(node) is not SourcePair:
            raise _out_of_range(proc, lst, k, taken, inclusive)
        node = node.cdr
    return node


def _out_of_range(proc: str, lst: Any, k: int, length: int, inclusive: bool) -> SchemeError:
    if type(lst) is not Pair and type(lst) is not SourcePair and lst is not NIL:
        return type_error(proc, "a list", lst, 1)
    high = length if inclusive else length - 1
    valid = f"valid indexes are 0 to {high}" if high >= 0 else "it has no elements"
    return SchemeError(
        f"{proc}: index {write_abbreviated(k)} is out of range for a list of length {length} "
        f"({valid})"
    )


@primitive("append-reverse")
def append_reverse(rev_head: Any, tail: Any) -> Any:
    """SRFI 1: `(append (reverse rev-head) tail)`, without the intermediate copy."""
    return _reverse_onto("append-reverse", rev_head, tail)


@primitive("list-tail")
def list_tail(lst: Any, k: Any) -> Any:
    return _walk("list-tail", lst, k)


def _pair_at(proc: str, lst: Any, k: Any) -> Pair:
    node = _walk(proc, lst, k, inclusive=False)
    if type(node) is Pair or type(node) is SourcePair:
        return node
    raise _out_of_range(proc, lst, k, k, inclusive=False)


@primitive("list-ref")
def list_ref(lst: Any, k: Any) -> Any:
    return _pair_at("list-ref", lst, k).car


@primitive("list-set!")
def list_set(lst: Any, k: Any, obj: Any) -> Any:
    _mutable_pair("list-set!", _pair_at("list-set!", lst, k)).car = obj
    return UNSPECIFIED


@primitive("list-copy")
def list_copy(obj: Any) -> Any:
    """A fresh spine (so the copy is mutable); an improper tail is kept, a non-list returned."""
    items, tail = spine("list-copy", obj, 1)
    return python_to_list(items, tail)


@primitive("last-pair")
def last_pair(lst: Any) -> Pair:
    if type(lst) is not Pair and type(lst) is not SourcePair:
        raise type_error("last-pair", "a pair", lst, 1)
    items, _ = spine("last-pair", lst, 1)
    return _walk("last-pair", lst, len(items) - 1)


@primitive("make-list")
def make_list(k: Any, fill: Any = False) -> Any:
    return python_to_list([fill] * check_size("make-list", k, 1, "list"))


def apply_arguments(args: list | tuple) -> tuple[Any, list]:
    """The procedure and the arguments of `(apply proc arg ... list)`: R7RS requires the
    final list, so `(apply +)` is an arity error, not a call with no arguments."""
    if len(args) < 2:
        raise ArityError(f"apply: expects at least 2 arguments, got {len(args)}")
    proc = check_procedure("apply", args[0], 1)
    return proc, [*args[1:-1], *list_items("apply", args[-1], len(args))]


@primitive("apply")
def apply(proc: Any, first: Any, *rest: Any) -> Any:
    """`(apply f 1 2 '(3 4))` calls `(f 1 2 3 4)`: the last argument is a list of the rest."""
    return apply_procedure(*apply_arguments((proc, first, *rest)))


# --- for the standard library: arguments that must be lists -----------------------------


def _list_ends(who: str, value: Any, position: int) -> bool:
    """Whether `value`, a proper or circular list, ends; an improper list is an error."""
    end = _measure(value)[1]
    if end is not NIL and end is not _CIRCULAR:
        raise type_error(who, "a list", value, position)
    return end is NIL


def _require_list(who: str, value: Any, position: int) -> None:
    """A proper list, else an error: improper is "expected a list", circular says so."""
    if not _list_ends(who, value, position):
        raise SchemeError(
            f"{who}: expected a proper list as argument {position}, got a circular list"
        )


@primitive("%check-list")
def check_list_argument(who: Any, value: Any, position: Any) -> Any:
    """`(%check-list 'filter xs 2)`: a library procedure that walks all of a list checks
    it first, so a circular list is an error instead of a loop that never ends."""
    name, position = library_caller("%check-list", who, position, 3)
    _require_list(name, value, position)
    return UNSPECIFIED


@primitive("%check-lists")
def check_list_arguments(who: Any, lists: Any, position: Any) -> Any:
    """`(%check-lists 'map lists 2)`: lists walked side by side until the shortest ends
    (the first is argument `position`). Each is a proper or circular list, and at least
    one must end."""
    name, position = library_caller("%check-lists", who, position, 3)
    checked = list_items(name, lists, position)
    ends = [_list_ends(name, value, position + offset) for offset, value in enumerate(checked)]
    if not any(ends):
        raise SchemeError(f"{name}: every list is circular, so it would never end")
    return UNSPECIFIED


# --- searching ---------------------------------------------------------------------------


def _search(who: str, lst: Any, test: Any, entries: bool) -> Any:
    """The first pair of `lst` whose element passes `test` (`entries`: the first element,
    itself a pair, whose car passes), or #f. Ends early; a circular list is an error."""
    end = lst
    for pair in pairs(who, lst, 2):
        item = pair.car
        if entries:
            if type(item) is not Pair and type(item) is not SourcePair:
                raise type_error(who, "an association list (a list of pairs)", lst, 2)
            if test(item.car):
                return item
        elif test(item):
            return pair
        end = pair.cdr
    if end is not NIL:
        raise type_error(who, "a list", lst, 2)
    return False


def _calling(who: str, same: Any, x: Any) -> Any:
    """A test of one element against `x` by the program's equivalence predicate."""
    check_procedure(who, same, 3)
    return lambda item: apply_procedure(same, [x, item]) is not False


def _define_search(name: str, same: Any, entries: bool) -> None:
    """Register `memq` and friends; `member` and `assoc` (whose `same` is `equal?`) take
    the program's own equivalence predicate as an optional third argument."""

    def search(x: Any, lst: Any, compare: Any = None) -> Any:
        test = (lambda item: same(x, item)) if compare is None else _calling(name, compare, x)
        return _search(name, lst, test, entries)

    def search_by_same(x: Any, lst: Any) -> Any:
        return search(x, lst)

    primitive(name)(search if same is is_equal else search_by_same)


for _name, _same, _entries in (
    ("memq", is_eq, False),
    ("memv", is_eqv, False),
    ("member", is_equal, False),
    ("assq", is_eq, True),
    ("assv", is_eqv, True),
    ("assoc", is_equal, True),
):
    _define_search(_name, _same, _entries)


# --- building lists ----------------------------------------------------------------------


@primitive("iota")
def iota(count: Any, start: Any = 0, step: Any = 1) -> Any:
    """`(iota count [start [step]])`: count numbers from start (0), step (1) apart."""
    size = check_size("iota", count, 1, "list")
    check_number("iota", start, 2)
    check_number("iota", step, 3)
    if type(start) is int and type(step) is int:
        return python_to_list(range(start, start + size * step, step) if step else [start] * size)
    return python_to_list([add(start, multiply(i, step)) for i in range(size)])


@primitive("list-tabulate")
def list_tabulate(n: Any, proc: Any) -> Any:
    """`(list-tabulate n f)`: the list of `(f 0)` ... `(f (- n 1))`."""
    size = check_size("list-tabulate", n, 1, "list")
    check_procedure("list-tabulate", proc, 2)
    return python_to_list([apply_procedure(proc, [i]) for i in range(size)])


# --- whole-list procedures of the library that Python does in one pass -----------------

_HASHED_EQUIVALENCES = {is_equal: equal_key, is_eqv: eqv_key}


@primitive("delete-duplicates")
def delete_duplicates(lst: Any, same: Any = is_equal) -> Any:
    """The first of each run of equivalent elements, in order. With `equal?` or `eqv?`
    the elements are hashed (one pass); another predicate compares each element with
    those kept so far."""
    check_procedure("delete-duplicates", same, 2)
    _require_list("delete-duplicates", lst, 1)
    items = list_items("delete-duplicates", lst, 1)
    key = _HASHED_EQUIVALENCES.get(same)
    if key is not None:
        first: dict[Any, Any] = {}
        try:
            for item in items:
                first.setdefault(key(item), item)
            return python_to_list(list(first.values()))
        except SchemeError:  # a circular element has no key; compare it instead
            pass
    kept: list[Any] = []
    for item in items:
        if not any(apply_procedure(same, [item, other]) is not False for other in kept):
            kept.append(item)
    return python_to_list(kept)


class _Leave:
    """Stack marker of `flatten`: the pairs of one list are done."""

    __slots__ = ("ids",)

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids


@primitive("flatten")
def flatten(tree: Any) -> Any:
    """The leaves of a tree of lists, left to right (an improper tail is a leaf, `()` is
    none), with an explicit stack: no depth limit. A list inside itself is an error."""
    leaves: list[Any] = []
    inside: set[int] = set()  # the pairs of the lists being flattened, to catch cycles
    stack: list[Any] = [tree]
    while stack:
        item = stack.pop()
        if type(item) is _Leave:
            inside.difference_update(item.ids)
        elif type(item) is Pair or type(item) is SourcePair:
            chain = list(pairs("flatten", item, 1))
            ids = [id(pair) for pair in chain]
            if not inside.isdisjoint(ids):
                raise scheme_error("flatten: the tree contains itself", [tree])
            inside.update(ids)
            stack.append(_Leave(ids))
            stack.append(chain[-1].cdr)
            stack.extend(pair.car for pair in reversed(chain))
        elif item is not NIL:
            leaves.append(item)
    return python_to_list(leaves)


# --- sorting ---------------------------------------------------------------------------


_REALS = frozenset((int, Fraction, float))
_STRINGS = frozenset((str, MutableString))

# Orderings Python compares the same way by itself: the primitive's name -> the element
# types it orders like Python, the key Python compares, and whether it is descending.
_NATIVE_ORDERINGS: dict[str, tuple[frozenset[type], Any, bool]] = {
    "<": (_REALS, None, False),
    ">": (_REALS, None, True),
    "string<?": (_STRINGS, string_text, False),
    "string>?": (_STRINGS, string_text, True),
    "char<?": (frozenset((Char,)), attrgetter("ch"), False),
    "char>?": (frozenset((Char,)), attrgetter("ch"), True),
}


def _all_of_types(items: Sequence[Any], types: frozenset[type]) -> bool:
    """Every item is of one of `types`, and no float is a NaN (which orders nothing)."""
    present = set(map(type, items))
    if not present <= types:
        return False
    return float not in present or all(x == x for x in items)


def sorted_by(less: Any, items: Sequence[Any]) -> list[Any]:
    """`items` in the order `less?` gives, stably (equal elements keep their order).

    Python's sort is stable and asks only "is a before b?", so it calls `less?` once per
    comparison. When `less?` is `<`, `string<?` or the like and every element is one it
    orders as Python does, Python compares them itself and no procedure is called.
    """
    native = _NATIVE_ORDERINGS.get(getattr(less, "scheme_name", ""))
    if native is not None and PRIMITIVES.get(less.scheme_name) is less:
        types, key, descending = native
        if _all_of_types(items, types):
            return sorted(items, key=key, reverse=descending)

    def before(a: Any, b: Any) -> int:
        return -1 if apply_procedure(less, [a, b]) is not False else 0

    return sorted(items, key=cmp_to_key(before))


@primitive("sort")
def sort(sequence: Any, less: Any) -> Any:
    """`(sort sequence less?)`: a new sorted list or vector; the argument is left alone."""
    check_procedure("sort", less, 2)
    if type(sequence) is list or type(sequence) is tuple:
        return sorted_by(less, sequence)
    if sequence is NIL or type(sequence) is Pair or type(sequence) is SourcePair:
        return python_to_list(sorted_by(less, list_items("sort", sequence, 1)))
    raise type_error("sort", "a list or a vector", sequence, 1)


@primitive("list-sort")
def list_sort(less: Any, lst: Any) -> Any:
    """R7RS-large / SRFI 132 argument order: `(list-sort less? list)`."""
    check_procedure("list-sort", less, 1)
    return python_to_list(sorted_by(less, list_items("list-sort", lst, 2)))
