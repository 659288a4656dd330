"""Nodes for procedure calls, the hottest path of the evaluator.

A call node evaluates its operator and arguments and calls; in tail position it returns
a `TailCall` for a compound procedure instead (proper tail calls). Calls are compiled
by shape (codegen.py), so arguments and the operator are read in place: a constant, a
variable, arithmetic, or a whole inner call. A simple procedure's environment is made
and its body run right in the node. A call of `+ - * = < > <= >=` on two integers, by the
global name of the primitive, computes the result in place while the name still holds
that primitive.
"""

from __future__ import annotations

from interpreter.errors import TaskschemeError
from interpreter.lang.analyze.codegen import SIMPLE, Node, compiled_node, read_in_place
from interpreter.lang.analyze.nodes import INLINE_OPERATORS, mark_operation
from interpreter.lang.control import tail_call_of
from interpreter.lang.datums import Symbol
from interpreter.lang.primitives import all_primitives
from interpreter.source import Span

# Calls of more arguments evaluate them through their nodes into a list.
MAX_FIXED_ARGUMENTS = 6
# Calls of more arguments read in place only constants and variables: each combination
# of shapes is compiled, and their number grows fast with the count.
MAX_FUSED_ARGUMENTS = 3


def call_node(
    function: Node,
    arguments: list[Node],
    globals_table: dict,
    name: Symbol | None,
    tail: bool,
    span: Span | None,
) -> Node:
    """The node of a call of `function` with `arguments`. `name` is the operator's
    global name when the call names a global."""
    operator = INLINE_OPERATORS.get(name) if len(arguments) == 2 else None
    primitive = all_primitives()[name.name] if operator else None
    (function_shape,), function_values = read_in_place([function], 0, SIMPLE)
    head_values = [primitive, span, *function_values]
    if len(arguments) > MAX_FIXED_ARGUMENTS:
        node = compiled_node(("call-many", tail, None, function_shape), [*head_values, arguments])
    else:
        node = compiled_node(
            ("call", tail, operator, function_shape),
            head_values,
            arguments,
            simple_only=len(arguments) > MAX_FUSED_ARGUMENTS,
        )
    if operator:
        mark_operation(node, operator, primitive, globals_table, name, *arguments)
    if tail and name is not None and name in TAIL_CALLING_PRIMITIVES:
        return _tail_calling(name, function, arguments, node, span)
    return node


# `apply` and `call-with-values` call a procedure in tail position (R7RS 3.5). A call
# of either in tail position, by its global name, gets a node that makes that call a
# TailCall when the operator is still the primitive; every other call is untouched.
TAIL_CALLING_PRIMITIVES = {Symbol("apply"): "apply", Symbol("call-with-values"): "call-with-values"}


def _tail_calling(name: Symbol, function: Node, arguments: list[Node], generic: Node, span) -> Node:
    primitive = all_primitives()[TAIL_CALLING_PRIMITIVES[name]]

    def tail_calling(env):
        if function(env) is not primitive:
            return generic(env)
        try:
            return tail_call_of(primitive, [a(env) for a in arguments])
        except TaskschemeError as error:
            error.locate(span)
            raise

    return tail_calling
