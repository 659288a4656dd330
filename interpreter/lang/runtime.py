"""The evaluator's run-time: procedures, proper tail calls, errors, dynamic state.

The analyzer turns each form into a Python closure `node(env)`. A node in tail
position that calls a compound procedure returns a `TailCall` instead of calling
it; the caller's loop (in an application node or `apply_procedure`) runs it, so a
loop of any length runs in constant Python stack. Python exceptions raised by host
procedures become language errors here, at the innermost call, so the program never
sees a Python traceback for its own mistakes.

The control procedures here call the program's procedures with `apply_procedure`, not
through `Lambda.__call__`: a call through `__call__` passes through C and uses C
stack, and a program recursing through `call-with-values` or `dynamic-wind` would
overflow it long before Python's recursion limit.
"""

from __future__ import annotations

import threading
from typing import Any

from interpreter.diagnostics import did_you_mean, suggest
from interpreter.errors import (
    ArityError,
    Frame,
    InternalError,
    RecursionDepthError,
    SchemeError,
    TaskschemeError,
)
from interpreter.lang.datums import Environment, Keyword, Promise, Symbol, Values, procedure_name
from interpreter.lang.raising import raised_value, scheme_error
from interpreter.source import Span, in_library

UNASSIGNED = object()


class TailCall:
    """A call left for the caller's loop to make (proper tail calls)."""

    __slots__ = ("args", "proc")

    def __init__(self, proc: Any, args: list) -> None:
        self.proc = proc
        self.args = args


class Lambda:
    """A compound procedure: parameters, an analyzed body, and its defining frame.

    `simple` procedures (only required parameters) bind with one dict; the others go
    through `bind`, which handles #:optional, #:key and rest parameters.
    """

    __slots__ = (
        "body",
        "env",
        "keys",
        "name",
        "nreq",
        "optionals",
        "params",
        "required",
        "rest",
        "simple",
        "span",
    )
    is_procedure = True

    def __init__(self, required, optionals, keys, rest, body, env, name, span) -> None:
        self.required = required
        self.optionals = optionals  # list of (symbol, default node)
        self.keys = keys  # list of (keyword, symbol, default node)
        self.rest = rest
        self.body = body
        self.env = env
        self.name = name
        self.span = span
        self.nreq = len(required)
        self.params = tuple(required)
        self.simple = not optionals and not keys and rest is None

    def __call__(self, *args: Any) -> Any:
        return apply_procedure(self, list(args))

    def __repr__(self) -> str:
        return f"#<procedure {self.name}>"

    def arity_text(self) -> str:
        if self.simple:
            return _plural(self.nreq, "argument")
        low, high = self.nreq, self.nreq + len(self.optionals)
        text = f"{low} to {high} arguments" if high > low else _plural(low, "argument")
        if self.rest is not None:
            text = f"at least {_plural(low, 'argument')}"
        if self.keys:
            text += " and keywords " + " ".join(f"#:{k.name}" for k, _, _ in self.keys)
        return text

    def bind(self, args: list) -> Environment:
        """The frame of a call with `args`. A wrong argument count or an unknown keyword
        is an arity error marked `entry`: the body never started, so the call chain
        does not list this procedure."""
        if self.simple:
            if len(args) != self.nreq:
                raise self.arity_error(len(args), entry=True)
            return Environment(dict(zip(self.params, args, strict=True)), None, self.env)
        positional = args
        keyword_values: dict[Keyword, Any] = {}
        if self.keys:
            try:
                positional, keyword_values = self._split_keywords(args)
            except ArityError as error:
                error.entry = True
                raise
        count = len(positional)
        if count < self.nreq or (self.rest is None and count > self.nreq + len(self.optionals)):
            raise self.arity_error(count, entry=True)
        frame = Environment(dict(zip(self.required, positional, strict=False)), None, self.env)
        bindings = frame.bindings
        index = self.nreq
        for symbol, default in self.optionals:
            if index < count:
                bindings[symbol] = positional[index]
            else:
                bindings[symbol] = default(frame)
            index += 1
        for keyword, symbol, default in self.keys:
            if keyword in keyword_values:
                bindings[symbol] = keyword_values[keyword]
            else:
                bindings[symbol] = default(frame)
        if self.rest is not None:
            from interpreter.lang.datums import python_to_list

            bindings[self.rest] = python_to_list(positional[index:])
        return frame

    def check_arguments(self, args: list) -> None:
        """Raise the arity error `bind` would, without binding: a tail call checks its
        arguments where it is made, so the error points there."""
        if self.simple:
            if len(args) != self.nreq:
                raise self.arity_error(len(args))
            return
        positional = self._split_keywords(args)[0] if self.keys else args
        count = len(positional)
        if count < self.nreq or (self.rest is None and count > self.nreq + len(self.optionals)):
            raise self.arity_error(count)

    def _split_keywords(self, args: list) -> tuple[list, dict]:
        return split_keywords(
            self.display_name(),
            args,
            [k for k, _, _ in self.keys],
            allow_other=self.rest is not None,
        )

    def display_name(self) -> str:
        """The name errors give: a lambda without one is named by where it was written."""
        if self.name == "anonymous" and self.span is not None:
            return f"<lambda {self.span}>"
        return self.name

    def arity_error(self, given: int, entry: bool = False) -> ArityError:
        """`entry`: raised before the body ran, so the call chain should not list it."""
        error = ArityError(f"{self.display_name()}: expects {self.arity_text()}, got {given}")
        error.entry = entry
        return error


class CaseLambda:
    """`case-lambda`: the first clause whose arity fits the call runs."""

    __slots__ = ("clauses", "name")
    is_procedure = True

    def __init__(self, clauses: list[Lambda], name: str) -> None:
        self.clauses = clauses
        self.name = name

    def __call__(self, *args: Any) -> Any:
        return apply_procedure(self.select(len(args)), list(args))

    def select(self, count: int) -> Lambda:
        for clause in self.clauses:
            if count == clause.nreq or (clause.rest is not None and count >= clause.nreq):
                return clause
        arities = ", ".join(c.arity_text() for c in self.clauses)
        raise ArityError(
            f"{self.name}: no clause takes {count} argument(s) (clauses take {arities})"
        )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def split_keywords(
    proc_name: str, args: list | tuple, allowed: list[Keyword], allow_other: bool = False
) -> tuple[list, dict[Keyword, Any]]:
    """Separate `#:key value` pairs from positional arguments, checking the keys.

    With `allow_other`, unknown keywords stay among the positional arguments.
    """
    known = set(allowed)
    positional: list = []
    values: dict[Keyword, Any] = {}
    i = 0
    while i < len(args):
        item = args[i]
        if type(item) is Keyword and (item in known or not allow_other):
            if item not in known:
                names = " ".join(f"#:{k.name}" for k in allowed) or "no keywords"
                hint = did_you_mean(f"#:{item.name}", [f"#:{k.name}" for k in allowed])
                raise ArityError(
                    f"{proc_name}: unknown keyword #:{item.name}{hint} (it takes {names})"
                )
            if i + 1 >= len(args):
                raise ArityError(f"{proc_name}: keyword #:{item.name} needs a value after it")
            values[item] = args[i + 1]
            i += 2
        else:
            positional.append(item)
            i += 1
    return positional, values


def run_calls(proc: Any, args: list) -> Any:
    """Call `proc` and every tail call it makes, in constant Python stack.

    An error passing through records in `running` the procedure this loop was running
    (after tail calls, not the one it was called with); the caller, which adds the
    location and the call-chain frame, reads it with `running_procedure`.
    """
    try:
        while True:
            if type(proc) is Lambda:
                if proc.simple:
                    if len(args) != proc.nreq:
                        raise proc.arity_error(len(args), entry=True)
                    result = proc.body(
                        Environment(dict(zip(proc.params, args, strict=True)), None, proc.env)
                    )
                else:
                    result = proc.body(proc.bind(args))
                if type(result) is not TailCall:
                    return result
                proc = result.proc
                args = result.args
            elif type(proc) is CaseLambda:
                proc = proc.select(len(args))
            else:
                return proc(*args)
    except TaskschemeError as error:
        error.running = proc
        raise
    except Exception as error:
        if type(proc) is Lambda or type(proc) is CaseLambda:
            raise
        # a host procedure reached by a tail call (apply, call-with-values)
        converted = host_error(proc, args, error, None)
        converted.running = None
        raise converted from error


def call_frame(error: TaskschemeError, called: Any, span: Span | None) -> Frame | None:
    """The call-chain frame for a call of `called` at `span` that `error` passed
    through, naming the procedure that was running (after any tail calls); None if the
    error happened on entry to `called`, before its body ran. Clears `error.running`."""
    running = error.running
    error.running = None
    if error.entry:
        error.entry = False
        return None
    into_library = False
    if type(running) is not Lambda or _in_library(running):
        # a procedure of the program that went on by tail calls into the library
        into_library = type(running) is Lambda and running is not called
        running = called
    if type(running) is not Lambda:
        return None
    if _in_library(running):
        if in_library(span):
            return None  # the library calling its own helpers: not the program's business
        into_library = False
    via = _frame_name(called) if type(called) is Lambda and running is not called else None
    return Frame(_frame_name(running), span, via, into_library)


def _frame_name(proc: Lambda) -> str:
    return proc.display_name()


def _in_library(proc: Lambda) -> bool:
    """Is `proc` defined in the standard library? A chain frame never names a library
    procedure's internal helpers (a `map` loop) in place of what the program called."""
    return in_library(proc.span)


def finish(result: Any) -> Any:
    """Run a tail call to completion where a form must finish inside its own extent."""
    if type(result) is TailCall:
        return apply_procedure(result.proc, result.args)
    return result


def apply_procedure(proc: Any, args: list) -> Any:
    """Call any procedure with a list of arguments (host code calling into the language)."""
    try:
        return run_calls(proc, args)
    except TaskschemeError as error:
        frame = call_frame(error, proc, None)
        if frame is not None:
            error.chain.append(frame)
        raise
    except Exception as error:
        raise host_error(proc, args, error, None) from error


def host_error(proc: Any, args: list, error: Exception, span: Span | None) -> TaskschemeError:
    """Turn a Python exception from calling `proc` into the error the program sees."""
    name = procedure_name(proc)
    if isinstance(error, RecursionError):
        return RecursionDepthError(
            "recursion too deep: more nested calls than max_recursion_depth allows "
            "(raise it in taskscheme.toml or with --max-recursion-depth)",
            span=span,
        )
    if isinstance(error, TypeError) and not callable(proc):
        from interpreter.lang.printer import write_string

        result = SchemeError(f"not a procedure: {write_string(proc)} cannot be called", span=span)
        result.kind = "type-error"
        return result
    if isinstance(error, TypeError):
        arity = host_arity_problem(proc, len(args))
        if arity is not None:
            return ArityError(f"{name}: {arity}", span=span)
    if isinstance(error, ZeroDivisionError):
        return SchemeError(f"{name}: division by zero", span=span)
    if isinstance(error, (OverflowError, ValueError, TypeError)):
        return SchemeError(f"{name}: {error}", span=span)
    internal = InternalError(
        f"internal error in {name}: {type(error).__name__}: {error}", span=span
    )
    internal.original = error
    return internal


def host_arity_problem(proc: Any, count: int) -> str | None:
    """If `count` arguments cannot bind to `proc`'s signature, say what it expects."""
    import inspect

    try:
        signature = inspect.signature(proc)
    except (TypeError, ValueError):
        return None
    try:
        signature.bind(*([None] * count))
        return None
    except TypeError:
        pass
    params = list(signature.parameters.values())
    required = sum(
        1
        for p in params
        if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    )
    optional = sum(
        1
        for p in params
        if p.default is not p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    )
    variadic = any(p.kind == p.VAR_POSITIONAL for p in params)
    if variadic:
        expected = f"at least {_plural(required, 'argument')}"
    elif optional:
        expected = f"{required} to {required + optional} arguments"
    else:
        expected = _plural(required, "argument")
    return f"expects {expected}, got {count}"


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
    if handlers and handlers[-1] is not GUARD_MARK:
        _call_handler(handlers, value)
        secondary = _handler_returned(value)
        secondary.handled_at = len(handlers) - 1
        raise secondary
    raise error


def _call_handler(handlers: list, value: Any) -> Any:
    """Call the innermost handler with the handlers outside it installed. An error it
    raises is marked so that the `with-exception-handler` that installed it lets it
    pass to the outer handlers."""
    depth = len(handlers) - 1
    handler = handlers.pop()
    try:
        return apply_procedure(handler, [value])
    except TaskschemeError as error:
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
        from interpreter.lang.raising import type_error

        raise type_error("with-exception-handler", "a procedure", handler, 1)
    handlers = DYNAMIC.handlers
    depth = len(handlers)
    handlers.append(handler)
    try:
        return apply_procedure(thunk, [])
    except TaskschemeError as error:
        del handlers[depth:]
        if getattr(error, "handled_at", None) == depth:
            error.handled_at = None
            raise  # raised by this handler, or after it returned: for the outer ones
        apply_procedure(handler, [error.payload])
        raise _handler_returned(error.payload) from None
    finally:
        del handlers[depth:]


def make_error(message: Any, *irritants: Any) -> Any:
    """`(error message irritant ...)`. In `(error 'who "message" irritant ...)`, the form
    other Schemes use, the message is the symbol's name and the string the first
    irritant, but it reads "who: message irritant ..." when shown."""
    who_form = type(message) is Symbol and bool(irritants) and isinstance(irritants[0], str)
    if not isinstance(message, str):
        from interpreter.lang.printer import display_string

        message = display_string(message)
    error = scheme_error(message, list(irritants))
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
    from interpreter.lang.primitives.common import check_procedure, list_items

    if primitive.scheme_name == "apply":
        if not args:
            raise ArityError("apply: expects at least 1 argument, got 0")
        proc = check_procedure("apply", args[0], 1)
        spread = [*args[1:-1], *list_items("apply", args[-1], len(args))] if len(args) > 1 else []
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


def lookup_failure(name: Symbol, candidates, span: Span | None) -> TaskschemeError:
    """An unbound `name`, suggesting the closest of `candidates` (kept as `suggestion`,
    so the analyzer can prefer a close local name)."""
    from interpreter.errors import UnboundVariableError

    close = suggest(name.name, candidates)
    hint = f" (did you mean {close}?)" if close else ""
    error = UnboundVariableError(f"unbound variable {name.name}{hint}", span=span)
    error.suggestion = close
    return error
