"""The nodes that other nodes read in place: constants, variables, arithmetic, `if`.

Each gets an `operand` (codegen.py): a node that calls it compiles its code in instead
of calling it, so reading `n`, `1`, `(- n 1)` or a whole `if` costs no call of its own.
"""

from __future__ import annotations

from typing import Any

from interpreter.lang.analyze.codegen import (
    SIMPLE,
    Node,
    compiled_node,
    read_in_place,
    used_before_definition,
)
from interpreter.lang.datums import Symbol
from interpreter.source import Span

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
    return compiled_node(("constant",), [value])


def variable_node(name: Symbol, depth: int, span: Span | None) -> Node:
    """A variable `depth` environments out from the innermost."""
    if depth == 0:
        return compiled_node(("local",), [name, span])
    if depth == 1:
        return compiled_node(("parent",), [name, span])

    def deep_ref(env):
        for _ in range(depth):
            env = env.parent
        try:
            return env.bindings[name]
        except KeyError:
            raise used_before_definition(name, span) from None

    return deep_ref


def global_operand(node: Node, table: dict, name: Symbol) -> Node:
    """Mark `node`, which reads the global `name`, as read in place from `table`; the
    node itself still answers a miss (autoload, or the unbound-variable error)."""
    node.operand = (("global",), [table, name, node])
    return node


def mark_operation(
    node: Node, operator: str, primitive: Any, table: dict, name: Symbol, left: Node, right: Node
) -> None:
    """`node` calls the primitive `name` (Python's `operator`) on `left` and `right`: if
    both are read in place, so can the whole call be, while `name` still holds `primitive`."""
    shapes, values = read_in_place([left, right], 0, SIMPLE)
    if all(shape[0] in SIMPLE for shape in shapes):
        node.operand = (
            ("operation", operator, *shapes),
            [node, primitive, table, name, *values],
        )


def if_node(test: Node, then: Node, otherwise: Node) -> Node:
    """The node of `(if test then otherwise)`, its three operands read in place."""
    return compiled_node(("if",), [], [test, then, otherwise])
