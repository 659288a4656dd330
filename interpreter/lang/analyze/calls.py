"""Nodes for procedure calls, the hottest path of the evaluator.

A call node evaluates its operator and arguments and calls; in tail position it returns
a `TailCall` for a compound procedure instead (proper tail calls). Each kind of call is
compiled from one template, for 0 to MAX_FIXED_ARGUMENTS arguments and for "many", so
the arguments stay in local variables and a simple procedure's frame is built without
zip. Two more things are compiled into the node instead of being calls of their own:

- an argument that is a constant or a variable of the innermost frame (most arguments)
  is read in place, not through its node;
- a call of `+ - * = < > <= >=` on two integers, by the global name of the primitive,
  computes the result in place while the name still holds that primitive.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from interpreter.errors import TaskschemeError
from interpreter.lang.analyze.nodes import (
    INLINE_OPERATORS,
    mark_operation,
    operand_code,
    operand_shape,
    operand_values,
    used_before_definition,
)
from interpreter.lang.control import tail_call_of
from interpreter.lang.datums import Environment, Symbol
from interpreter.lang.primitives import all_primitives
from interpreter.lang.runtime import (
    CaseLambda,
    Lambda,
    TailCall,
    host_error,
    record_frame,
    run_calls,
)
from interpreter.source import Span

Node = Callable[[Environment], Any]


def call_node(
    function: Node,
    arguments: list[Node],
    globals_table: dict,
    name: Symbol | None,
    tail: bool,
    span: Span | None,
) -> Node:
    """The node of a call of `function` with `arguments`. `name` is the operator's
    global name when the call names a global (the node then reads it straight from
    `globals_table`)."""
    by_global_name = name is not None
    if len(arguments) > MAX_FIXED_ARGUMENTS:
        maker = _application_maker(tail, None, by_global_name, None)
        node = maker(function, globals_table, name, None, arguments, span)
    else:
        # arithmetic in the arguments of calls of many arguments is not read in place:
        # each combination of shapes is compiled, and their number grows fast
        operations = len(arguments) <= MAX_FUSED_ARGUMENTS
        shapes = tuple(operand_shape(a, operations) for a in arguments)
        operator = INLINE_OPERATORS.get(name) if len(arguments) == 2 else None
        primitive = all_primitives()[name.name] if operator else None
        maker = _application_maker(tail, shapes, by_global_name, operator)
        values = [value for a in arguments for value in operand_values(a, operations)]
        node = maker(function, globals_table, name, primitive, *values, span)
        if operator:
            mark_operation(node, operator, primitive, globals_table, name, *arguments)
    if tail and by_global_name and name in TAIL_CALLING_PRIMITIVES:
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


_CALL_TEMPLATE = """
def make(function, table, name, primitive, {params}span):
    def application(env):
        {fetch}
        {evaluate}
        {inline}
        try:
            if type(f) is Lambda:
                if f.simple and f.nreq == {count}:
                    m = f.meter
                    if m is not None:
                        m.left -= 1
                        if m.left < 0:
                            m.exhausted()
                    p = f.params
                    result = f.body(Environment({frame}, None, f.env))
                    if type(result) is not TailCall:
                        return result
                    return run_calls(result.proc, result.args)
                return run_calls(f, {arglist})
            if type(f) is CaseLambda:
                return run_calls(f, {arglist})
            return f({values})
        except TaskschemeError as error:
            if error.span is None:
                error.span = span
            record_frame(error, f, span)
            # the chain says where the error went; a Python traceback through every
            # frame would keep them all alive and make unwinding deep recursion slow
            error.__traceback__ = None
            raise
        except Exception as error:
            raise host_error(f, {arglist}, error, span) from error
    return application
"""

_TAIL_CALL_TEMPLATE = """
def make(function, table, name, primitive, {params}span):
    def tail_application(env):
        {fetch}
        {evaluate}
        {inline}
        if type(f) is Lambda:
            if f.simple:
                if f.nreq != {count}:
                    error = f.arity_error({count})
                    error.span = span
                    raise error
            else:
                try:
                    f.check_arguments({arglist})
                except TaskschemeError as error:
                    error.span = span
                    raise
            return TailCall(f, {arglist})
        try:
            if type(f) is CaseLambda:
                return TailCall(f.select({count}), {arglist})
            return f({values})
        except TaskschemeError as error:
            if error.span is None:
                error.span = span
            raise
        except Exception as error:
            raise host_error(f, {arglist}, error, span) from error
    return tail_application
"""

_NAMESPACE = {
    "Lambda": Lambda,
    "CaseLambda": CaseLambda,
    "TailCall": TailCall,
    "Environment": Environment,
    "TaskschemeError": TaskschemeError,
    "record_frame": record_frame,
    "host_error": host_error,
    "run_calls": run_calls,
    "used_before_definition": used_before_definition,
}


MAX_FIXED_ARGUMENTS = 6
MAX_FUSED_ARGUMENTS = 3

# How the operator is fetched: through its node, or (for a global name) straight from
# the global table, falling back to the node for a miss (autoload, unbound error).
_FETCH = "f = function(env)"
_FETCH_GLOBAL = (
    "try:\n            f = table[name]\n        except KeyError:\n            f = function(env)"
)


_INLINE = (
    "if f is primitive and type(v0) is int and type(v1) is int:\n"
    "            return v0 {operator} v1"
)


@cache
def _application_maker(
    tail: bool, shapes: tuple[tuple, ...] | None, by_global_name: bool, operator: str | None
) -> Callable:
    """The node factory for one kind of call, compiled from its template on first use.
    `shapes` says how each argument is read (None: more than MAX_FIXED_ARGUMENTS)."""
    template = _TAIL_CALL_TEMPLATE if tail else _CALL_TEMPLATE
    fetch = _FETCH_GLOBAL if by_global_name else _FETCH
    inline = _INLINE.format(operator=operator) if operator else "pass"
    if shapes is None:
        fields = {
            "params": "arguments, ",
            "evaluate": "values = [a(env) for a in arguments]",
            "count": "len(values)",
            "frame": "dict(zip(p, values))",
            "arglist": "values",
            "values": "*values",
        }
    else:
        count = len(shapes)
        values = [f"v{i}" for i in range(count)]
        params, lines = [], []
        for i, shape in enumerate(shapes):
            names, code = operand_code(shape, f"v{i}")
            params.extend(names)
            lines.extend(code)
        fields = {
            "params": "".join(f"{name}, " for name in params),
            "evaluate": "\n        ".join(lines) or "pass",
            "count": str(count),
            "frame": "{" + ", ".join(f"p[{i}]: {v}" for i, v in enumerate(values)) + "}",
            "arglist": "[" + ", ".join(values) + "]",
            "values": ", ".join(values),
        }
    namespace = dict(_NAMESPACE)
    source = template.format(fetch=fetch, inline=inline, **fields)
    label = "n" if shapes is None else len(shapes)
    exec(compile(source, f"<application/{label}>", "exec"), namespace)
    return namespace["make"]
