"""Operands a compiled node reads in place instead of calling their nodes.

A node for a constant, a variable of the innermost frame, or a call of an arithmetic or
comparison primitive on two of those keeps what it reads as its `operand` attribute.
Call nodes and `if` (calls.py, forms.py) are compiled from templates by shape: for each
operand they hold, the shape says which code reads it (`operand_code`) and the values
that code needs are passed in (`operand_values`), so one compiled template serves every
node of that shape, and reading `n`, `1` or `(- n 1)` costs no call of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from interpreter.errors import TaskschemeError, UnboundVariableError
from interpreter.lang.datums import Environment, Symbol
from interpreter.lang.expand import strip_aliases
from interpreter.source import Span

Node = Callable[[Environment], Any]

# The primitives whose call on two integers is computed in place, as Python spells them.
INLINE_OPERATORS = {
    Symbol(name): operator
    for name, operator in {
        "+": "+",
        "-": "-",
        "*": "*",
        "=": "==",
        "<": "<",
        ">": ">",
        "<=": "<=",
        ">=": ">=",
    }.items()
}


def constant_node(value: Any) -> Node:
    def constant(env):
        return value

    constant.operand = ("constant", value)
    return constant


def local_node(name: Symbol, span: Span | None) -> Node:
    """A variable of the innermost frame."""

    def local_ref(env):
        try:
            return env.bindings[name]
        except KeyError:
            raise used_before_definition(name, span) from None

    local_ref.operand = ("local", name, span)
    return local_ref


def mark_operation(
    node: Node, operator: str, primitive: Any, table: dict, name: Symbol, left: Node, right: Node
) -> None:
    """`node` calls the primitive `name` (Python's `operator`) on `left` and `right`: if
    both are read in place, so can the whole call be, while `name` still holds `primitive`."""
    if operand_shape(left)[0] in _SIMPLE and operand_shape(right)[0] in _SIMPLE:
        node.operand = ("operation", operator, primitive, table, name, left, right)


_SIMPLE = ("constant", "local")


def operand_shape(node: Node, operations: bool = True) -> tuple:
    """What decides the code that reads `node`: its kind, and for an operation, its
    operator and its operands' shapes. Without `operations`, an operation is read
    through its node (a call of many arguments: fewer shapes to compile)."""
    operand = getattr(node, "operand", None)
    if operand is None or (not operations and operand[0] == "operation"):
        return ("node",)
    if operand[0] == "operation":
        return ("operation", operand[1], operand_shape(operand[5]), operand_shape(operand[6]))
    return (operand[0],)


def operand_values(node: Node, operations: bool = True) -> list:
    """The values the code for `node` reads, in the order of `operand_code`'s names."""
    operand = getattr(node, "operand", None)
    if operand is None or (not operations and operand[0] == "operation"):
        return [node]
    if operand[0] == "constant":
        return [operand[1]]
    if operand[0] == "local":
        return [operand[1], operand[2]]
    _, _, primitive, table, name, left, right = operand
    return [node, primitive, table, name, *operand_values(left), *operand_values(right)]


def operand_code(shape: tuple, var: str) -> tuple[list[str], list[str]]:
    """(the names of the values it needs, the lines of code) that leave the value of an
    operand of this shape in the local variable `var`."""
    kind = shape[0]
    if kind == "node":
        return [f"{var}_node"], [f"{var} = {var}_node(env)"]
    if kind == "constant":
        return [f"{var}_value"], [f"{var} = {var}_value"]
    if kind == "local":
        return [f"{var}_name", f"{var}_span"], [
            "try:",
            f"    {var} = env.bindings[{var}_name]",
            "except KeyError:",
            f"    raise used_before_definition({var}_name, {var}_span) from None",
        ]
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
        f"if {var}_f is {var}_primitive and type({var}x) is int and type({var}y) is int:",
        f"    {var} = {var}x {operator} {var}y",
        "else:",
        f"    {var} = {var}_node(env)",
    ]
    return names + left_names + right_names, lines


def used_before_definition(name: Symbol, span: Span | None) -> TaskschemeError:
    return UnboundVariableError(
        f"{strip_aliases(name).name} is used before its definition", span=span
    )


_IF_TEMPLATE = """
def make({params}):
    def if_node(env):
        {test}
        if t is not False:
            {then}
            return a
        {otherwise}
        return b
    return if_node
"""


def if_node(test: Node, then: Node, otherwise: Node) -> Node:
    """The node of `(if test then otherwise)`, its three operands read in place."""
    shapes = (operand_shape(test), operand_shape(then), operand_shape(otherwise))
    values = [*operand_values(test), *operand_values(then), *operand_values(otherwise)]
    return _if_maker(shapes)(*values)


@cache
def _if_maker(shapes: tuple[tuple, tuple, tuple]) -> Callable:
    params, blocks = [], []
    for shape, var, indent in zip(shapes, "tab", (8, 12, 8), strict=True):
        names, lines = operand_code(shape, var)
        params.extend(names)
        blocks.append(("\n" + " " * indent).join(lines))
    source = _IF_TEMPLATE.format(
        params=", ".join(params), test=blocks[0], then=blocks[1], otherwise=blocks[2]
    )
    namespace = {"used_before_definition": used_before_definition}
    exec(compile(source, "<if>", "exec"), namespace)
    return namespace["make"]
