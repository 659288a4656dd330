"""Pairs and lists, and `apply`.

Pairs read from program text (SourcePair) are literal constants: the mutators refuse them.
Every walk along a list is a loop over cdrs, never recursion, and the walks that could
run forever on a circular list detect the cycle. The higher-order list procedures (map,
filter, fold, member, assoc, ...) are written in Scheme in stdlib/.
"""

from __future__ import annotations

from itertools import product
from typing import Any

from interpreter.errors import ArityError, SchemeError, SchemeTypeError
from interpreter.lang.datums import NIL, UNSPECIFIED, Pair, SourcePair, python_to_list
from interpreter.lang.primitives import primitive
from interpreter.lang.primitives.common import check_nonnegative, check_procedure, list_items, spine
from interpreter.lang.printer import write_string
from interpreter.lang.raising import type_error
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


def proper_length(value: Any) -> int | None:
    """The length of a proper list; None for an improper or circular one (tortoise and hare)."""
    count = 0
    slow = fast = value
    while True:
        for _ in range(2):
            if fast is NIL:
                return count
            if type(fast) is not Pair and type(fast) is not SourcePair:
                return None
            fast = fast.cdr
            count += 1
        slow = slow.cdr
        if fast is slow:
            return None


@primitive("list?")
def is_list(obj: Any) -> bool:
    return proper_length(obj) is not None


@primitive("length")
def length(lst: Any) -> int:
    count = proper_length(lst)
    if count is None:
        list_items("length", lst, 1)  # raises the precise error: improper or circular
    return count


@primitive("append")
def append(*lists: Any) -> Any:
    """All but the last argument are copied; the last becomes the shared tail."""
    if not lists:
        return NIL
    result = lists[-1]
    for position in range(len(lists) - 1, 0, -1):
        result = python_to_list(list_items("append", lists[position - 1], position), result)
    return result


def _reverse_onto(proc: str, lst: Any, tail: Any) -> Any:
    """The elements of the proper list `lst` in reverse order, consed onto `tail`, in
    one walk (a second pointer at half speed catches a circular list)."""
    result = tail
    node = slow = lst
    count = 0
    while type(node) is Pair or type(node) is SourcePair:
        result = Pair(node.car, result)
        node = node.cdr
        count += 1
        if not count & 1:
            slow = slow.cdr
            if slow is node:
                list_items(proc, lst, 1)  # raises: a circular list
    if node is not NIL:
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
    return SchemeError(f"{proc}: index {k} is out of range for a list of length {length} ({valid})")


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
    return python_to_list([fill] * check_nonnegative("make-list", k, 1))


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
