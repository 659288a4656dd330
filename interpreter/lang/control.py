"""Control: escapes, dynamic-wind, exceptions, multiple values and promises.

These procedures call the program's procedures with `apply_procedure`, not through
`Lambda.__call__`: a call through `__call__` passes through C and uses C stack, and a
program recursing through `call-with-values` or `dynamic-wind` would overflow it long
before Python's recursion limit.
"""

from __future__ import annotations

import threading
from typing import Any

from interpreter.errors import ArityError, SchemeError, TaskschemeError
from interpreter.lang.datums import Promise, Symbol, Values, string_text
from interpreter.lang.primitives.common import check_procedure
from interpreter.lang.primitives.lists import apply_arguments
from interpreter.lang.printer import display_string
from interpreter.lang.raising import raised_value, scheme_error, type_error
from interpreter.lang.runtime import CaseLambda, Lambda, TailCall, apply_procedure, host_error


class Continuation:
    """An escape-only continuation captured by call/cc."""

    __slots__ = ("active",)
    is_procedure = True
    name = "continuation"

    def __init__(self) -> None:
        self.active = True

    def __call__(self, *values: Any) -> Any:
        if not self.active:
            raise SchemeError(
                "continuation called after its call/cc returned: only escaping continuations are supported"
            )
        raise ContinuationInvoked(self, values[0] if len(values) == 1 else Values(values))


class ContinuationInvoked(BaseException):
    """Unwinds the Python stack to the call/cc that made `continuation`.

    A BaseException so that host code catching Exception does not swallow an escape.
    """

    def __init__(self, continuation: Continuation, value: Any) -> None:
        super().__init__()
        self.continuation = continuation
        self.value = value


class _Dynamic(threading.local):
    """Per-thread dynamic state: the stack of exception handlers."""

    def __init__(self) -> None:
        self.handlers: list[Any] = []


DYNAMIC = _Dynamic()
# on the handler stack: a guard is running here (the handlers outside it are not called)
GUARD_MARK = object()


def call_cc(proc: Any) -> Any:
    continuation = Continuation()
    try:
        return apply_procedure(proc, [continuation])
    except ContinuationInvoked as escape:
        if escape.continuation is continuation:
            return escape.value
        raise
    finally:
        continuation.active = False


def dynamic_wind(before: Any, thunk: Any, after: Any) -> Any:
    apply_procedure(before, [])
    try:
        return apply_procedure(thunk, [])
    finally:
        apply_procedure(after, [])


def raise_value(value: Any) -> Any:
    """`raise`: the current handler runs here, where the raise happened (in its dynamic
    environment, minus itself); if it returns, that is a secondary error."""
    _signal(value, value if isinstance(value, TaskschemeError) else raised_value(value))


def _signal(value: Any, error: TaskschemeError) -> None:
    handlers = DYNAMIC.handlers
    error.handled_at = None  # raised afresh (an error object may be raised again)
    if handlers and handlers[-1] is not GUARD_MARK:
        _call_handler(handlers, value)
        secondary = _handler_returned(value)
        secondary.handled_at = len(handlers) - 1
        raise secondary
    raise error


def _call_handler(handlers: list, value: Any) -> Any:
    """Call the innermost handler with the handlers outside it installed. An error it
    raises is marked with the outermost depth it was raised from: the
    `with-exception-handler`s from there inwards let it pass, since a raise inside a
    handler already called the handlers outside it, in place. Keeping the outermost
    mark keeps a chain of handlers that re-raise from calling each handler again at
    every level (which made unwinding quadratic)."""
    depth = len(handlers) - 1
    handler = handlers.pop()
    try:
        return apply_procedure(handler, [value])
    except TaskschemeError as error:
        if error.handled_at is None or depth < error.handled_at:
            error.handled_at = depth
        raise
    finally:
        handlers.append(handler)


def _handler_returned(value: Any) -> SchemeError:
    return scheme_error(
        "exception handler returned from a non-continuable error; use raise-continuable "
        "to resume, or escape from the handler",
        [value],
    )


def raise_continuable(value: Any) -> Any:
    handlers = DYNAMIC.handlers
    if handlers and handlers[-1] is not GUARD_MARK:
        return _call_handler(handlers, value)
    if isinstance(value, TaskschemeError):
        raise value
    raise raised_value(value, continuable=True)


def with_exception_handler(handler: Any, thunk: Any) -> Any:
    """Install `handler` for the extent of `(thunk)`. `raise`, `error` and
    `raise-continuable` call it where they happen; an error signalled by a primitive or
    by the evaluator (a type error, an unbound variable) reaches it once the stack has
    unwound to here."""
    if not callable(handler):
        raise type_error("with-exception-handler", "a procedure", handler, 1)
    handlers = DYNAMIC.handlers
    depth = len(handlers)
    handlers.append(handler)
    try:
        return apply_procedure(thunk, [])
    except TaskschemeError as error:
        del handlers[depth:]
        if error.handled_at is not None and error.handled_at <= depth:
            if error.handled_at == depth:
                error.handled_at = None  # the handlers outside this one have not seen it
            raise  # this handler has had its turn: the error is for the outer ones
        apply_procedure(handler, [error.payload])
        raise _handler_returned(error.payload) from None
    finally:
        del handlers[depth:]


def make_error(message: Any, *irritants: Any) -> Any:
    """`(error message irritant ...)`. In `(error 'who "message" irritant ...)`, the form
    other Schemes use, the message is the symbol's name and the string the first
    irritant, but it reads "who: message irritant ..." when shown."""
    who_form = type(message) is Symbol and bool(irritants) and string_text(irritants[0]) is not None
    text = string_text(message)
    error = scheme_error(display_string(message) if text is None else text, list(irritants))
    error.who_form = who_form
    _signal(error, error)


def values(*items: Any) -> Any:
    return items[0] if len(items) == 1 else Values(items)


def call_with_values(producer: Any, consumer: Any) -> Any:
    result = apply_procedure(producer, [])
    return apply_procedure(consumer, list(result) if type(result) is Values else [result])


def tail_call_of(primitive: Any, args: list) -> Any:
    """What `apply` or `call-with-values` does with `args` in tail position: a call of
    a compound procedure is left for the caller's loop as a TailCall; a host procedure
    is called here, so its errors are located at this call."""
    if primitive.scheme_name == "apply":
        proc, spread = apply_arguments(args)
    else:
        if len(args) != 2:
            raise ArityError(f"call-with-values: expects 2 arguments, got {len(args)}")
        proc = check_procedure("call-with-values", args[1], 2)
        result = apply_procedure(args[0], [])
        spread = list(result) if type(result) is Values else [result]
    if type(proc) is CaseLambda:
        proc = proc.select(len(spread))
    if type(proc) is Lambda:
        proc.check_arguments(spread)
        return TailCall(proc, spread)
    try:
        return proc(*spread)
    except TaskschemeError:
        raise
    except Exception as error:
        raise host_error(proc, spread, error, None) from error


class LazyThunk:
    """The body of a `delay-force`: its value is another promise to chain to."""

    __slots__ = ("thunk",)

    def __init__(self, thunk: Any) -> None:
        self.thunk = thunk


def force(promise: Any) -> Any:
    """R7RS force, iterative over delay-force chains so long lazy loops run in constant stack."""
    if not isinstance(promise, Promise):
        return promise
    while not promise.done:
        pending = promise.value
        if isinstance(pending, LazyThunk):
            inner = pending.thunk()
            if promise.done:
                break
            if isinstance(inner, Promise):
                promise.done, promise.value = inner.done, inner.value
                if not inner.done:
                    inner.value = promise.value
                continue
            promise.done, promise.value = True, inner
        else:
            value = pending()
            if not promise.done:
                promise.done, promise.value = True, value
    return promise.value


def make_promise(value: Any) -> Promise:
    return value if isinstance(value, Promise) else Promise(True, value)
