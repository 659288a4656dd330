"""The parts of the `Interpreter` API that only embedders use: decorators for host
procedures and tools, looking names up, subscribing to events, and the async variants.

The async variants run the program on a worker thread (with a deep stack), so the event
loop keeps serving while it runs; cancelling the awaiting task interrupts the program as
Ctrl-C would, and its Handlers are released as interrupted before the cancellation
completes.
"""

from __future__ import annotations

import inspect
import threading
import types
import typing
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, overload

from interpreter.engine.convert import keyword_arguments
from interpreter.engine.stack import ABANDON_SECONDS
from interpreter.lang.datums import Keyword, Symbol, bound, python_to_list
from interpreter.lang.runtime import apply_procedure
from interpreter.lang.threads import Outcome, start_worker
from interpreter.tasks.tools import _WIRE_NAME, Tool, ToolParam, result_text

if TYPE_CHECKING:
    import asyncio

    from interpreter.limits.events import Event
    from interpreter.limits.metrics import ResourceMetrics

# The JSON type a tool parameter declares, from its Python annotation.
_TOOL_TYPES = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    list: "array",
    tuple: "array",
    dict: "object",
}

Function = Callable[..., Any]


class HostTool(Tool):
    """A tool written in Python: the model's JSON arguments reach the function as the
    Python values they are (a JSON object as a dict), checked against its annotations;
    a parameter with a default may be left out."""

    def run(self, values: dict[str, Any]) -> str:
        keywords = [
            part
            for name, value in values.items()
            for part in (Keyword(name.replace("_", "-")), value)
        ]
        return result_text(apply_procedure(self.procedure, keywords), self.name)


class EmbeddingAPI:
    """Mixed into `Interpreter`; see docs/embedding.md."""

    # ------------------------------------------------------------ host procedures and tools

    @overload
    def procedure(self, fn: Function) -> Function: ...
    @overload
    def procedure(
        self, name: str | None = None, *, doc: str | None = None
    ) -> Callable[[Function], Function]: ...

    def procedure(self, fn: Any = None, *, doc: str | None = None) -> Any:
        """`@interp.procedure` (or `@interp.procedure("name", doc=...)`): define the
        function as a procedure of the program, named after it (`word_count` ->
        `word-count`) unless named. The function is returned unchanged."""

        def register(function: Function) -> Function:
            self.define(name or scheme_name(function), function, doc=doc)
            return function

        name = fn if isinstance(fn, str) else None
        return register(fn) if callable(fn) else register

    @overload
    def tool(self, fn: Function) -> Function: ...
    @overload
    def tool(
        self, name: str | None = None, *, doc: str | None = None
    ) -> Callable[[Function], Function]: ...

    def tool(self, fn: Any = None, *, doc: str | None = None) -> Any:
        """`@interp.tool`: define the function as a tool the program can offer to a model
        (`#:tools (list lookup-order)`) and call itself. Its description is `doc` or its
        docstring; its parameters are its own, typed by their annotations (str, int,
        float, bool, list, dict; unannotated ones are strings)."""

        def register(function: Function) -> Function:
            self.define(name or scheme_name(function), make_host_tool(self, function, name, doc))
            return function

        name = fn if isinstance(fn, str) else None
        return register(fn) if callable(fn) else register

    def define_task(
        self,
        name: str,
        params: Sequence[str],
        template: str,
        *,
        output: Any = "text",
        **options: Any,
    ) -> Any:
        """Define the task `name` of `params` on `template`, as `define-task` does, and
        return it as a Python callable. Options are keyword arguments (`max_turns=3` is
        `#:max-turns 3`, `tools=[...]` a list of tools). `output` is "text", "json", a
        JSON schema (a dict), or a class, a pydantic model or a dataclass: its JSON schema
        is what the model is asked for and charged, and a call returns an instance,
        validated (an answer that does not fit is a task output error, repaired like
        any other with `output_retries`)."""
        if isinstance(output, type):
            # only a task whose output is a class needs them (start-up)
            from interpreter.engine.output_types import is_output_class, typed_output

            if not is_output_class(output):
                raise TypeError(
                    f"define_task {name}: output={output.__name__} is neither a pydantic "
                    "model nor a dataclass"
                )
            written: Any = typed_output(output)
        elif output in ("text", "json"):
            written = Symbol(output)
        else:
            written = self.to_language(output)
        arguments = [self.to_language(value) for value in keyword_arguments(options)]
        with self._evaluation():
            task = self.runner.make_task(
                Symbol(name),
                python_to_list([Symbol(param) for param in params]),
                template,
                Keyword("output"),
                written,
                *arguments,
            )
        self.global_environment.bindings[Symbol(name)] = task
        return self.export(task)

    # ------------------------------------------------------------ reading the program's state

    def lookup(self, name: str) -> Any:
        """The value of the program's global `name`, as Python (procedures as callables);
        an unbound-variable error if there is none."""
        symbol = Symbol(name)
        value = self.global_environment.bindings.get(symbol, _UNSET)
        if value is _UNSET:
            value = self._global_miss(symbol, None)
        return self.export(value)

    @property
    def last_task_metrics(self) -> ResourceMetrics | None:
        """The metrics of the last task that finished, or None (the same as `last_metrics`)."""
        return self.last_metrics

    def subscribe(self, callback: Callable[[Event], None]) -> Callable[[], None]:
        """Call `callback(event)` for every resource event of this run (turns, charged
        content, warnings, exhaustion, releases); returns the function that unsubscribes."""
        bus = self.session.event_bus()
        if self._runner is not None:
            self._runner.events = bus
        return bus.subscribe(callback)

    # ------------------------------------------------------------ async

    async def eval_async(self, text: str, file: str = "<eval>") -> Any:
        """`eval` without blocking the event loop; cancelling interrupts the program."""
        return await self._in_worker(lambda: self.eval(text, file))

    async def eval_file_async(self, path: Any) -> Any:
        """`eval_file` without blocking the event loop; cancelling interrupts the program."""
        return await self._in_worker(lambda: self.eval_file(path))

    async def call_async(self, procedure: Any, *args: Any, **options: Any) -> Any:
        """`call` without blocking the event loop; cancelling interrupts the program."""
        return await self._in_worker(lambda: self.call(procedure, *args, **options))

    async def _in_worker(self, action: Callable[[], Any]) -> Any:
        import asyncio  # only async embedders need the event loop machinery (start-up)

        # where an async model function runs: only the async variants set it (start-up)
        from interpreter.providers.functions import HOST_LOOP

        loop = asyncio.get_running_loop()
        finished = loop.create_future()
        started, cancelled = threading.Event(), threading.Event()

        def run() -> Any:
            with self._evaluation():
                started.set()
                if cancelled.is_set():
                    raise KeyboardInterrupt
                return action()

        outcome = Outcome(run)

        def work() -> None:
            outcome()
            try:
                loop.call_soon_threadsafe(_settle, finished)
            except RuntimeError:  # the loop closed while the program ran on
                pass

        with bound(HOST_LOOP, loop):
            start_worker(work, "taskscheme-async")
        try:
            await asyncio.shield(finished)
        except asyncio.CancelledError:
            cancelled.set()
            if started.is_set():
                self.interrupt()
            await asyncio.wait([finished], timeout=ABANDON_SECONDS)
            raise
        try:
            return outcome.result()
        except KeyboardInterrupt:
            # interrupted from elsewhere (`interrupt()`): a KeyboardInterrupt would stop
            # the event loop itself
            raise asyncio.CancelledError from None


_UNSET = object()


def _settle(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)


def scheme_name(fn: Function) -> str:
    """The name a Python function has in programs: `word_count` -> `word-count`."""
    return fn.__name__.replace("_", "-")


def make_host_tool(interp: EmbeddingAPI, fn: Function, name: str | None, doc: str | None) -> Tool:
    """A tool of `fn`: named by `name` or after the function, described by `doc` or its
    docstring, with one parameter per parameter of the function."""
    tool_name = name or scheme_name(fn)
    if not _WIRE_NAME.match(tool_name):
        raise ValueError(
            f"{tool_name!r} cannot be offered to a model: a tool name may use only "
            "letters, digits, _ and -, at most 64 of them"
        )
    hints = typing.get_type_hints(fn)
    signature = inspect.signature(fn).parameters.values()
    params = [
        ToolParam(
            param.name,
            _json_type(hints.get(param.name, str), tool_name, param.name),
            required=param.default is param.empty,
        )
        for param in signature
    ]
    description = doc or inspect.getdoc(fn) or ""
    procedure = interp.host_procedure(fn, tool_name, description)
    return HostTool(tool_name, description, params, procedure)


def _json_type(annotation: Any, tool: str, param: str) -> str:
    """The JSON type of a parameter annotated `annotation` (`X | None` counts as `X`)."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        choices = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        annotation = choices[0] if len(choices) == 1 else annotation
    kind = typing.get_origin(annotation) or annotation
    if kind not in _TOOL_TYPES:
        raise ValueError(
            f"tool {tool}: parameter {param} is annotated {annotation!r}; a tool parameter "
            f"is one of {', '.join(t.__name__ for t in _TOOL_TYPES)}"
        )
    return _TOOL_TYPES[kind]
