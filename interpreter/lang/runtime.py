"""The evaluator's run-time: procedures, proper tail calls, and errors from host code.

The analyzer turns each form into a Python closure `node(env)`. A node in tail
position that calls a compound procedure returns a `TailCall` instead of calling
it; the caller's loop (in an application node or `apply_procedure`) runs it, so a
loop of any length runs in constant Python stack. Python exceptions raised by host
procedures become language errors here, at the innermost call, so the program never
sees a Python traceback for its own mistakes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from interpreter.diagnostics import did_you_mean, suggest
from interpreter.errors import (
    AllocationLimitError,
    ArityError,
    Frame,
    InternalError,
    RecursionDepthError,
    SchemeError,
    SchemeTypeError,
    TaskschemeError,
    UnboundVariableError,
)
from interpreter.lang.datums import (
    Environment,
    Keyword,
    Symbol,
    procedure_name,
    python_to_list,
)
from interpreter.lang.printer import write_abbreviated
from interpreter.source import Span, in_library


class TailCall:
    """A call left for the caller's loop to make (proper tail calls)."""

    __slots__ = ("args", "proc")

    def __init__(self, proc: Any, args: list) -> None:
        self.proc = proc
        self.args = args


class Body:
    """A procedure's analyzed body, shared by every procedure its `lambda` makes.

    `run(env)` runs it in the environment of a call. It runs as the analyzer built it, a tree of nodes, on the
    first call; on the second it is compiled to one function with its calls and `if`s
    taken in (analyze/codegen.py), which then runs every later call. Compiling costs
    more than most procedures ever run, so only the ones called again pay for it.
    """

    __slots__ = ("_compile", "_tree", "run")

    def __init__(
        self, tree: Callable[[Environment], Any], compile: Callable[[], Callable] | None
    ) -> None:
        self._tree = tree
        self._compile = compile
        self.run = tree if compile is None else self._first_call

    def _first_call(self, env: Environment) -> Any:
        self.run = self._second_call
        return self._tree(env)

    def _second_call(self, env: Environment) -> Any:
        # threads calling at once may each compile; the last one's function stays
        compiled = self._compile()
        self.run = compiled
        return compiled(env)


class Lambda:
    """A compound procedure: parameters, an analyzed body, and its defining environment.

    A call runs the body in a new environment extending `env` with the parameters.
    `simple` procedures (only required parameters) make it in one step; the others go
    through `bind`, which handles #:optional, #:key and rest parameters.
    """

    __slots__ = (
        "body",
        "env",
        "keys",
        "meter",
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

    def __init__(self, required, optionals, keys, rest, body, env, name, span, meter=None) -> None:
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
        self.meter = meter  # the steps of the run, when the host limits them (lang/meter.py)

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
        """The environment of a call with `args`. A wrong argument count or an unknown
        keyword is an arity error marked `entry`: the body never started, so the call
        chain does not list this procedure."""
        if self.simple:
            if len(args) != self.nreq:
                raise self.arity_error(len(args), entry=True)
            return Environment.make(dict(zip(self.params, args, strict=True)), self.env)
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
        bindings = dict(zip(self.required, positional, strict=False))
        env = Environment.make(bindings, self.env)
        index = self.nreq
        for symbol, default in self.optionals:
            if index < count:
                bindings[symbol] = positional[index]
            else:
                bindings[symbol] = default(env)
            index += 1
        for keyword, symbol, default in self.keys:
            if keyword in keyword_values:
                bindings[symbol] = keyword_values[keyword]
            else:
                bindings[symbol] = default(env)
        if self.rest is not None:
            bindings[self.rest] = python_to_list(positional[index:])
        return env

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
    proc_name: str,
    args: list | tuple,
    allowed: list[Keyword] | None,
    allow_other: bool = False,
) -> tuple[list, dict[Keyword, Any]]:
    """Separate `#:key value` pairs from positional arguments, checking the keys.

    `allowed` None takes every keyword. With `allow_other`, keywords not allowed stay
    among the positional arguments.
    """
    known = None if allowed is None else set(allowed)
    positional: list = []
    values: dict[Keyword, Any] = {}
    i = 0
    while i < len(args):
        item = args[i]
        if type(item) is Keyword and (known is None or item in known or not allow_other):
            if known is not None and item not in known:
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
                meter = proc.meter
                if meter is not None:
                    meter.left -= 1
                    if meter.left < 0:
                        meter.exhausted()
                if proc.simple:
                    if len(args) != proc.nreq:
                        raise proc.arity_error(len(args), entry=True)
                    env = Environment()  # Environment.make, in place (a call the fewer)
                    env.bindings = dict(zip(proc.params, args, strict=True))
                    env.parent = proc.env
                    result = proc.body.run(env)
                else:
                    result = proc.body.run(proc.bind(args))
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


def record_frame(error: TaskschemeError, called: Any, span: Span | None) -> None:
    """Add to `error`'s call chain the frame of the call of `called` at `span` it passed
    through (see call_frame). A frame equal to one of the last few (deep or mutual
    recursion) is stored as that same object, and the same call as the last one reuses
    its frame without working it out again: unwinding 100,000 recursive calls then
    allocates nothing that lives on, which keeps it about as fast as the recursion."""
    last = error.last_call
    if (
        last is not None
        and last[0] is error.running
        and last[1] is called
        and last[2] is span
        and not error.entry
    ):
        error.running = None
        error.chain.append(last[3])
        return
    running = error.running
    frame = call_frame(error, called, span)
    if frame is None:
        return
    chain = error.chain
    for recent in chain[-1 : -_RECENT_FRAMES - 1 : -1]:
        if recent == frame:
            frame = recent
            break
    chain.append(frame)
    error.last_call = (running, called, span, frame)


def passing_call(error: TaskschemeError, called: Any, span: Span | None) -> TaskschemeError:
    """`error`, passing out of the call of `called` at `span`: located there if it has no
    place yet, and the call recorded in its chain. Its Python traceback is dropped: the
    chain says where the error went, and a traceback through every frame would keep
    them all alive and make unwinding deep recursion slow."""
    error.locate(span)
    record_frame(error, called, span)
    error.__traceback__ = None
    return error


def checked_tail_call(proc: Lambda | CaseLambda, args: list, span: Span | None) -> TailCall:
    """The tail call of `proc` with `args`, its arguments checked here, so an arity error
    points at the call that made it."""
    try:
        if type(proc) is CaseLambda:
            proc = proc.select(len(args))
        else:
            proc.check_arguments(args)
    except TaskschemeError as error:
        error.span = span
        raise
    return TailCall(proc, args)


# how far back record_frame looks for an equal frame: the cycles diagnostics summarize
_RECENT_FRAMES = 4


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
        record_frame(error, proc, None)
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
        return SchemeTypeError(
            f"not a procedure: {write_abbreviated(proc)} cannot be called", span=span
        )
    if isinstance(error, TypeError):
        arity = host_arity_problem(proc, len(args))
        if arity is not None:
            return ArityError(f"{name}: {arity}", span=span)
    if isinstance(error, ZeroDivisionError):
        return SchemeError(f"{name}: division by zero", span=span)
    if isinstance(error, MemoryError):
        # The frames the error went through hold the data that filled memory: let them go
        # first, so that this message, and whatever the program or its host does next,
        # has memory again.
        error.__traceback__ = None
        where = f"{name}: " if proc is not None else ""
        return AllocationLimitError(
            f"{where}out of memory: the process could not get the memory the program asked "
            "for (its data grew past what the machine or the process limit allows)",
            span=span,
        )
    # A procedure of the language checks its arguments and raises language errors, so a
    # Python exception from one is a bug of ours. An embedder's host procedure speaks for
    # itself: its message is shown as it wrote it.
    ours = (getattr(proc, "__module__", None) or "").partition(".")[0] == "interpreter"
    if not ours and isinstance(error, (OverflowError, ValueError, TypeError)):
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


def lookup_failure(name: Symbol, candidates, span: Span | None) -> TaskschemeError:
    """An unbound `name`, suggesting the closest of `candidates` (kept as `suggestion`,
    so the analyzer can prefer a close local name)."""
    close = suggest(name.name, candidates)
    hint = f" (did you mean {close}?)" if close else ""
    error = UnboundVariableError(f"unbound variable {write_abbreviated(name)}{hint}", span=span)
    error.suggestion = close
    return error
