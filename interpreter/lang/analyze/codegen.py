"""Nodes compiled from shapes: a call or `if` reads its operands in place.

Every node is a function `node(env)`. Most nodes of the hot path (constants, variables,
calls, `if`, bodies) are not written by hand: each is compiled from its shape, which
says which code reads it, and made from its values, what that code needs (a variable's
name, a call's span). One compiled code object serves every node of one shape.

A node's operands are read in place, so reading `n`, `1` or `(- n 1)` costs no call of
its own. Each node also keeps, as its `operand`, a deeper shape that takes in whole
calls and `if`s as well: the body of `(define (fib n) (if (< n 2) n (+ (fib (- n 1))
(fib (- n 2)))))` compiled from that is one Python function that tests, subtracts and
makes both calls itself, where a tree of nodes makes a Python call per node. Compiling
one costs more than most procedures ever run, so a procedure's body is compiled that
deep only once it is called a second time (`hot_body`, runtime.Body). How much one node
takes in is bounded by `MAX_WEIGHT`, which keeps the code, and the number of distinct
shapes, small.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from functools import lru_cache
from types import CodeType, FunctionType
from typing import Any

from interpreter.errors import TaskschemeError, UnboundVariableError
from interpreter.lang.datums import Environment, Symbol
from interpreter.lang.expand import strip_aliases
from interpreter.lang.primitives.numbers import MINUS_SMALL_FACTOR, SMALL_FACTOR
from interpreter.lang.runtime import (
    CaseLambda,
    Lambda,
    TailCall,
    checked_tail_call,
    host_error,
    passing_call,
    run_calls,
)
from interpreter.source import Span

Node = Callable[[Environment], Any]
Shape = tuple

# read through its own node: a call of `node(env)`
NODE: Shape = ("node",)
# read with no call and no control flow of their own
SIMPLE = frozenset({"constant", "local", "parent", "global"})
# what a node reads in place before it is hot: few kinds, so few distinct shapes to compile
SHALLOW = frozenset({"constant", "local", "operation"})
# The calls and `if`s one compiled node takes in, itself included.
MAX_WEIGHT = 6
# The shapes whose compiled code is kept for reuse, the most recently used: the number of
# possible shapes is finite but vast, and a session that evaluates ever new code (a REPL,
# a server) would otherwise keep the code of every shape it ever compiled.
SHAPES_KEPT = 512


def used_before_definition(name: Symbol, span: Span | None) -> TaskschemeError:
    return UnboundVariableError(
        f"{strip_aliases(name).name} is used before its definition", span=span
    )


@lru_cache(maxsize=SHAPES_KEPT)
def weight(shape: Shape) -> int:
    kind = shape[0]
    if kind == "call" or kind == "call-many":
        return 1 + sum(weight(s) for s in shape[4:])
    if kind == "if" or kind == "sequence":
        return 1 + sum(weight(s) for s in shape[1:])
    return 0


def read_in_place(
    nodes: list[Node], room: int, kinds: frozenset[str] | None = None
) -> tuple[list, list]:
    """The shapes to read `nodes` with and the values that code needs, taking in whole
    operands (of `kinds`, if given), left to right, while their weight fits in `room`."""
    shapes, values = [], []
    for node in nodes:
        operand = getattr(node, "operand", None)
        shape = NODE if operand is None else operand[0]
        if (kinds is not None and shape[0] not in kinds) or weight(shape) > room:
            shape = NODE
        room -= weight(shape)
        shapes.append(shape)
        values.extend([node] if shape is NODE else operand[1])
    return shapes, values


def compiled_node(
    head: Shape, head_values: list, operands: list[Node] = (), simple_only: bool = False
) -> Node:
    """The node of shape `head` plus its `operands`' shapes, made from `head_values` plus
    theirs. It reads in place only operands that make no call of their own; its `operand`
    keeps the deeper shape that takes in calls and `if`s too (up to MAX_WEIGHT)."""
    shallow_shapes, shallow_values = read_in_place(
        operands, 0, SHALLOW & SIMPLE if simple_only else SHALLOW
    )
    node = _function(head + tuple(shallow_shapes), [*head_values, *shallow_values])
    deep_shapes, deep_values = read_in_place(
        operands, MAX_WEIGHT - 1, SIMPLE if simple_only else None
    )
    node.operand = (head + tuple(deep_shapes), [*head_values, *deep_values])
    return node


def hot_body(node: Node) -> Callable[[], Node] | None:
    """How to compile `node`, a procedure's body, to one function with its calls and
    `if`s taken in; None if that would take in nothing more than `node` has already."""
    operand = getattr(node, "operand", None)
    if operand is None or weight(operand[0]) <= 1:
        return None
    shape, values = operand
    return lambda: _function(shape, values)


def _function(shape: Shape, values: list) -> Node:
    """The node function of `shape`, reading `values` as its globals, not as a closure: a
    closure's values live in every call's Python frame, and a large frame makes deep
    recursion cross CPython's stack chunks often (each crossing maps and unmaps memory),
    which made `tak` twice as slow."""
    code, names = _code(shape)
    values_by_name = dict(zip(names, values, strict=True))
    return FunctionType(code, {"__builtins__": builtins, **_NAMESPACE, **values_by_name})


@lru_cache(maxsize=SHAPES_KEPT)
def _code(shape: Shape) -> tuple[CodeType, list[str]]:
    """The code of a node of `shape`, and the names of the values it reads."""
    names, lines = operand_code(shape, "r")
    label = shape[0].replace("-", "_")
    source = f"def {label}_node(env):\n    " + "\n    ".join(lines) + "\n    return r\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<{shape[0]}>", "exec"), namespace)
    return namespace[f"{label}_node"].__code__, names


_NAMESPACE = {
    "Lambda": Lambda,
    "CaseLambda": CaseLambda,
    "TailCall": TailCall,
    "Environment": Environment,
    "SMALL_FACTOR": SMALL_FACTOR,
    "MINUS_SMALL_FACTOR": MINUS_SMALL_FACTOR,
    "TaskschemeError": TaskschemeError,
    "passing_call": passing_call,
    "checked_tail_call": checked_tail_call,
    "host_error": host_error,
    "run_calls": run_calls,
    "used_before_definition": used_before_definition,
}


def operand_code(shape: Shape, var: str, out: str | None = None) -> tuple[list[str], list[str]]:
    """(the names of the values it needs, the lines of code) that leave the value of an
    operand of this shape in the local variable `out` (by default `var`). Every name
    the code takes or makes starts with `var`."""
    return _CODE[shape[0]](shape, var, out or var)


def _node_code(shape, var, out):
    return [f"{var}_node"], [f"{out} = {var}_node(env)"]


def _constant_code(shape, var, out):
    return [f"{var}_value"], [f"{out} = {var}_value"]


def _variable_code(bindings: str) -> Callable:
    def code(shape, var, out):
        return [f"{var}_name", f"{var}_span"], [
            "try:",
            f"    {out} = {bindings}[{var}_name]",
            "except KeyError:",
            f"    raise used_before_definition({var}_name, {var}_span) from None",
        ]

    return code


def _global_code(shape, var, out):
    """A global read from its table; a miss (autoload, unbound) goes through the node."""
    return [f"{var}_table", f"{var}_name", f"{var}_node"], [
        "try:",
        f"    {out} = {var}_table[{var}_name]",
        "except KeyError:",
        f"    {out} = {var}_node(env)",
    ]


def _operation_code(shape, var, out):
    """`+ - * = < > <= >=` on two simple operands: computed in place on two integers
    while the global name holds the primitive, else through the call's own node."""
    operator, left, right = shape[1:]
    names = [f"{var}_node", f"{var}_primitive", f"{var}_table", f"{var}_global"]
    left_names, left_lines = operand_code(left, f"{var}x")
    right_names, right_lines = operand_code(right, f"{var}y")
    lines = [
        "try:",
        f"    {var}_f = {var}_table[{var}_global]",
        "except KeyError:",
        f"    {var}_f = None",
        *left_lines,
        *right_lines,
        f"if {var}_f is {var}_primitive and {_inline_test(operator, f'{var}x', f'{var}y')}:",
        f"    {out} = {var}x {operator} {var}y",
        "else:",
        f"    {out} = {var}_node(env)",
    ]
    return names + left_names + right_names, lines


def _inline_test(operator: str, x: str, y: str) -> str:
    """When `x operator y` is computed in place: on two integers, and for `*` two small
    enough that the product needs no size check (the primitive checks the others)."""
    test = f"type({x}) is int and type({y}) is int"
    if operator == "*":
        bounds = "MINUS_SMALL_FACTOR < {} < SMALL_FACTOR"
        test += f" and {bounds.format(x)} and {bounds.format(y)}"
    return test


def _if_code(shape, var, out):
    test_names, test_lines = operand_code(shape[1], f"{var}_t")
    then_names, then_lines = operand_code(shape[2], f"{var}_a", out)
    else_names, else_lines = operand_code(shape[3], f"{var}_b", out)
    lines = [
        *test_lines,
        f"if {var}_t is not False:",
        *_indent(then_lines),
        "else:",
        *_indent(else_lines),
    ]
    return test_names + then_names + else_names, lines


def _sequence_code(shape, var, out):
    """`begin`, or a body: each operand for its effect, the last for the value."""
    names, lines = [], []
    for index, operand in enumerate(shape[1:], start=1):
        last = index == len(shape) - 1
        operand_names, operand_lines = operand_code(
            operand, f"{var}_{index}", out if last else None
        )
        names.extend(operand_names)
        lines.extend(operand_lines)
    return names, lines


def _call_code(shape, var, out):
    """A procedure call: ("call", tail, operator, function shape, *argument shapes).

    A "call-many" has more than the fixed number of arguments, evaluated through their
    nodes into a list. `operator`: Python's spelling of an arithmetic primitive the
    call names, computed in place on two integers while the name holds it."""
    kind, tail, operator, function_shape, *argument_shapes = shape
    f = f"{var}_f"
    names, lines = operand_code(function_shape, f)
    names = [f"{var}_primitive", f"{var}_span", *names]
    if kind == "call-many":
        names.append(f"{var}_arguments")
        lines.append(f"{var}_values = [a(env) for a in {var}_arguments]")
        call = {
            "count": f"len({var}_values)",
            "bindings": f"dict(zip({var}_p, {var}_values))",
            "arglist": f"{var}_values",
            "values": f"*{var}_values",
        }
    else:
        arguments = [f"{var}_{i}" for i in range(len(argument_shapes))]
        for shape_of_argument, argument in zip(argument_shapes, arguments, strict=True):
            argument_names, argument_lines = operand_code(shape_of_argument, argument)
            names.extend(argument_names)
            lines.extend(argument_lines)
        call = {
            "count": str(len(arguments)),
            "bindings": "{"
            + ", ".join(f"{var}_p[{i}]: {a}" for i, a in enumerate(arguments))
            + "}",
            "arglist": "[" + ", ".join(arguments) + "]",
            "values": ", ".join(arguments),
        }
    template = _TAIL_CALL if tail else _CALL
    protocol = template.format(var=var, out=out, f=f, **call).strip("\n").split("\n")
    if operator:
        lines += [
            f"if {f} is {var}_primitive and {_inline_test(operator, f'{var}_0', f'{var}_1')}:",
            f"    {out} = {var}_0 {operator} {var}_1",
            "else:",
            *_indent(protocol),
        ]
    else:
        lines += protocol
    return names, lines


# A call not in tail position: a simple compound procedure's environment is made (as
# Environment.make does, without a call) and its body run right here; anything else goes
# through run_calls or is a host procedure.
_CALL = """
try:
    if type({f}) is Lambda and {f}.simple and {f}.nreq == {count}:
        {var}_m = {f}.meter
        if {var}_m is not None:
            {var}_m.left -= 1
            if {var}_m.left < 0:
                {var}_m.exhausted()
        {var}_p = {f}.params
        {var}_e = Environment()
        {var}_e.bindings = {bindings}
        {var}_e.parent = {f}.env
        {out} = {f}.body.run({var}_e)
        if type({out}) is TailCall:
            {out} = run_calls({out}.proc, {out}.args)
    elif type({f}) is Lambda or type({f}) is CaseLambda:
        {out} = run_calls({f}, {arglist})
    else:
        {out} = {f}({values})
except TaskschemeError as error:
    raise passing_call(error, {f}, {var}_span)
except Exception as error:
    raise host_error({f}, {arglist}, error, {var}_span) from error
"""

# A call in tail position: a compound procedure is left to the caller's loop as a
# TailCall; a host procedure is called here.
_TAIL_CALL = """
if type({f}) is Lambda and {f}.simple and {f}.nreq == {count}:
    {out} = TailCall({f}, {arglist})
elif type({f}) is Lambda or type({f}) is CaseLambda:
    {out} = checked_tail_call({f}, {arglist}, {var}_span)
else:
    try:
        {out} = {f}({values})
    except TaskschemeError as error:
        raise error.located({var}_span)
    except Exception as error:
        raise host_error({f}, {arglist}, error, {var}_span) from error
"""


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


_CODE = {
    "node": _node_code,
    "constant": _constant_code,
    "local": _variable_code("env.bindings"),
    "parent": _variable_code("env.parent.bindings"),
    "global": _global_code,
    "operation": _operation_code,
    "if": _if_code,
    "sequence": _sequence_code,
    "call": _call_code,
    "call-many": _call_code,
}
