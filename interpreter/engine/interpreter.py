"""`Interpreter`: the pipeline put together, and the API embedders use.

reader -> expander/analyzer -> evaluator, against one global environment that starts
with the primitives. The standard library (stdlib/*.scm) lives in an environment of
its own and loads a file on the first use of a name it defines, so start-up reads no
library code and a program that redefines `map` cannot change what `filter` does.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interpreter.engine.session import Session
from interpreter.errors import (
    LIBRARY_FILES,
    SOURCES,
    SchemeError,
    SchemeSyntaxError,
    Span,
    TaskschemeError,
    UnboundVariableError,
    UsageError,
)
from interpreter.lang.analyze.analyzer import Analyzer
from interpreter.lang.datums import UNSPECIFIED, Environment, Symbol, python_to_list
from interpreter.lang.reader import read_all
from interpreter.lang.runtime import lookup_failure

if TYPE_CHECKING:
    from interpreter.limits.events import EventBus, Observer
    from interpreter.limits.handler import Budget
    from interpreter.limits.metrics import ResourceMetrics
    from interpreter.limits.settings import Settings
    from interpreter.providers import Provider
    from interpreter.tasks.runner import TaskRunner

PYTHON_FRAMES_PER_CALL = 4
# Names the task layer provides: seeing one loads it (programs without tasks never do).
TASK_NAMES = frozenset(
    [
        "make-task",
        "make-tool",
        "llm",
        "task-metrics",
        "metrics-ref",
        "run-budget",
        "parallel-map",
        "resource-exhausted?",
        "resource-error-resource",
        "resource-error-metrics",
        "resource-error-task",
        "resource-error-transcript",
        "provider-error?",
        "provider-error-reason",
        "task-output-error?",
        "task-output-raw",
    ]
)
_DEFINITION = re.compile(r"^\((?:define|define-syntax)\s+\(*([^\s()]+)", re.M)


def stdlib_directory() -> Path:
    """stdlib/ beside the package in a checkout, or inside it when installed."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "stdlib", here / "stdlib"):
        if candidate.is_dir():
            return candidate
    raise UsageError(
        f"the standard library is missing (looked in {here.parent / 'stdlib'} and {here / 'stdlib'})"
    )


class ProgramExit(BaseException):
    """`(exit code)`: ends the program with that exit code.

    A BaseException, like a continuation's escape, so that nothing on the way out
    (the evaluator's conversion of host errors, a host procedure's `except Exception`)
    turns it into an error; `dynamic-wind` after-thunks still run."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class _Library:
    """The standard library's own environment, filled file by file on first use."""

    def __init__(self, primitives: dict[Symbol, Any]) -> None:
        self.directory = stdlib_directory()
        self.index: dict[Symbol, Path] = {}
        for path in sorted(self.directory.glob("*.scm")):
            for name in _DEFINITION.findall(path.read_text(encoding="utf-8")):
                self.index.setdefault(Symbol(name), path)
        self.env = Environment(dict(primitives))
        self.analyzer = Analyzer(self.env, self._miss)
        self.loaded: set[Path] = set()
        self.lock = threading.RLock()

    def provides(self, name: Symbol) -> bool:
        return name in self.index

    def value(self, name: Symbol) -> Any:
        with self.lock:
            path = self.index[name]
            if path not in self.loaded:
                self.loaded.add(path)
                for form, span in _library_forms(path):
                    self.analyzer.analyze_toplevel(form, span)(self.env)
        return self.env.bindings[name]

    def _miss(self, name: Symbol, span: Span | None, probe: bool = False) -> Any:
        if probe:
            return name in self.index
        if name in self.index:
            return self.value(name)
        raise lookup_failure(name, [s.name for s in self.env.bindings], span)


def _forms(text: str, file: str):
    data = read_all(text, file)
    return zip(data, data.spans, strict=True)


# stdlib file -> (its mtime, its forms): read once per process, not once per Interpreter
# (reading is most of the cost of loading; the data are shared, quoted literals are
# immutable, and each Interpreter still analyzes them against its own environment)
_LIBRARY_FORMS: dict[Path, tuple[int, list]] = {}


def _library_forms(path: Path) -> list:
    LIBRARY_FILES.add(str(path))
    stamp = path.stat().st_mtime_ns
    cached = _LIBRARY_FORMS.get(path)
    if cached is None or cached[0] != stamp:
        cached = _LIBRARY_FORMS[path] = (
            stamp,
            list(_forms(path.read_text(encoding="utf-8"), str(path))),
        )
    return cached[1]


class Interpreter:
    """One program's world: its globals, macros and standard library, and its run (a
    `Session`: the budget, event bus and trace file the settings ask for). `close()`, or
    leaving a `with` block, ends the run.

    >>> Interpreter().eval("(map (lambda (x) (* x x)) '(1 2 3))")
    [1, 4, 9]
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        model: str | Provider | None = None,
        events: EventBus | None = None,
        budget: Budget | None = None,
        observers: Iterable[Observer] = (),
        ask_user: Callable[[str], str] | None = None,
        record_path: str | None = None,
        argv: list[str] | None = None,
    ) -> None:
        from interpreter.lang.primitives import all_primitives

        if settings is None:
            from interpreter.limits.settings import load_settings

            settings = load_settings()
        if isinstance(model, str):
            settings = settings.with_values("Interpreter(model=...)", model=model)
        self.settings = settings
        self.session = Session(
            settings, events=events, budget=budget, observers=observers, record_path=record_path
        )
        self._provider = model if model is not None and not isinstance(model, str) else None
        self._ask_user = ask_user
        self._runner: TaskRunner | None = None
        primitives = {Symbol(name): fn for name, fn in all_primitives().items()}
        self.library = _Library(primitives)
        self.env = Environment(dict(primitives))
        self.analyzer = Analyzer(self.env, self._global_miss)
        self.argv = list(argv or ["taskscheme"])
        self.max_recursion_depth = settings.get("max_recursion_depth")
        limit = self.max_recursion_depth * PYTHON_FRAMES_PER_CALL + 2000
        if sys.getrecursionlimit() < limit:
            sys.setrecursionlimit(limit)
        self._install_builtins()

    def close(self) -> None:
        """End the run: unsubscribe its observers and close its trace file."""
        self.session.close()

    def __enter__(self) -> Interpreter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def runner(self) -> TaskRunner:
        """The task runner, made on first use so programs without tasks never load it."""
        if self._runner is None:
            from interpreter.tasks.runner import TaskRunner

            self._runner = TaskRunner(
                self.settings,
                provider=self._provider,
                events=self.session.events,
                budget=self.session.budget,
                ask_user=self._ask_user,
                record_path=self.session.record_path,
            )
            for name, fn in self._runner.primitives().items():
                self.env.bindings.setdefault(Symbol(name), fn)
        return self._runner

    @property
    def last_metrics(self) -> ResourceMetrics | None:
        """Metrics of the last task that finished, or None."""
        return self._runner.last_metrics if self._runner is not None else None

    # ------------------------------------------------------------ set-up

    def _install_builtins(self) -> None:
        def scheme_eval(expression: Any, environment: Any = None) -> Any:
            from interpreter.lang.analyze.analyzer import _finish

            return _finish(self.analyzer.analyze_toplevel(expression, None)(self.env))

        def interaction_environment() -> Environment:
            return self.env

        def command_line() -> Any:
            return python_to_list(self.argv)

        def exit_program(code: Any = 0) -> Any:
            if code is True or code is False:
                raise ProgramExit(0 if code else 1)
            if type(code) is not int or not 0 <= code <= 255:
                from interpreter.errors import type_error

                raise type_error("exit", "an exit code from 0 to 255 or a boolean", code, 1)
            raise ProgramExit(code)

        def load(path: str) -> Any:
            self.run_file(path)
            return UNSPECIFIED

        def features() -> Any:
            from interpreter.lang.expand.expander import FEATURES

            return python_to_list([Symbol(name) for name in FEATURES])

        def get_environment_variable(name: Any) -> Any:
            import os

            from interpreter.lang.primitives.common import check_string

            return os.environ.get(check_string("get-environment-variable", name, 1), False)

        def get_environment_variables() -> Any:
            import os

            from interpreter.lang.datums import Pair

            return python_to_list([Pair(k, v) for k, v in os.environ.items()])

        for name, fn in [
            ("eval", scheme_eval),
            ("interaction-environment", interaction_environment),
            ("command-line", command_line),
            ("exit", exit_program),
            ("load", load),
            ("features", features),
            ("get-environment-variable", get_environment_variable),
            ("get-environment-variables", get_environment_variables),
        ]:
            self.define(name, fn)

    def define(self, name: str, value: Any, *, keywords: bool = False) -> None:
        """Bind `name` in the program's global environment (host procedures, data).

        With `keywords=True` a host procedure receives the program's `#:name value`
        arguments as Python keyword arguments (`#:max-items 3` -> `max_items=3`).
        """
        if keywords:
            value = _keyword_adapter(value, name)
        elif (
            callable(value)
            and not hasattr(value, "scheme_name")
            and not getattr(value, "is_procedure", False)
        ):
            try:
                value.scheme_name = name
            except AttributeError:
                pass
        self.env.bindings[Symbol(name)] = value

    def _global_miss(self, name: Symbol, span: Span | None, probe: bool = False) -> Any:
        if self.library.provides(name):
            if probe:
                return True
            value = self.library.value(name)
            self.env.bindings.setdefault(name, value)
            return value
        if self._runner is None and name.name in TASK_NAMES:
            self.runner  # noqa: B018 - installs the task procedures
        if name in self.env.bindings:
            return True if probe else self.env.bindings[name]
        if probe:
            return False
        candidates = [s.name for s in self.env.bindings] + [s.name for s in self.library.index]
        candidates += [s.name for s in self.analyzer.defined_globals]
        # the library's own helpers (%name) are not for programs to call
        candidates = [c for c in candidates if not c.startswith("%")]
        raise lookup_failure(name, candidates, span)

    # ------------------------------------------------------------ running programs

    def eval_scheme(self, text: str, file: str = "<eval>") -> Any:
        """Evaluate every form in `text`; the value of the last, as a Scheme value."""
        result: Any = UNSPECIFIED
        for form, span in _forms(text, file):
            result = self._run_form(form, span)
        return result

    def eval(self, text: str, file: str = "<eval>") -> Any:
        """Evaluate `text` and return the last value converted to Python (see to_python)."""
        return to_python(self.eval_scheme(text, file))

    def run_file(self, path: str | Path) -> Any:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise _file_error(f"no such file: {path}") from None
        except OSError as error:
            raise _file_error(f"cannot read {path}: {error.strerror}") from None
        return self.eval_scheme(text, str(path))

    def _run_form(self, form: Any, span: Span | None) -> Any:
        from interpreter.lang.analyze.analyzer import _finish

        node = self.analyzer.analyze_toplevel(form, span)
        try:
            return _finish(node(self.env))
        except RecursionError as error:
            from interpreter.lang.runtime import host_error

            raise host_error(None, [], error, span) from None

    def check(self, text: str, file: str) -> list[TaskschemeError]:
        """Read and expand every form without running any; return every error found."""
        errors: list[TaskschemeError] = []
        try:
            forms = list(_forms(text, file))
        except SchemeSyntaxError as error:
            # the forms before the one that does not read are still checked
            errors.append(error)
            prefix = getattr(error, "readable_prefix", None)
            forms = list(_forms(text[:prefix], file)) if prefix else []
            SOURCES.add(file, text)
        self.analyzer.watch_globals = references = []
        self.analyzer.watch_calls = []
        try:
            for form, span in forms:
                try:
                    self.analyzer.analyze_toplevel(form, span)
                except TaskschemeError as error:
                    errors.append(error)
            errors.extend(self.analyzer.arity_problems())
        finally:
            self.analyzer.watch_globals = None
            self.analyzer.watch_calls = None
        known = set(self.env.bindings) | self.analyzer.defined_globals
        for name, span, scope, role in references:
            if name not in known and not self.library.provides(name):
                try:
                    self._global_miss(name, span)
                except UnboundVariableError as error:
                    errors.append(self.analyzer.explain_unbound(error, name, scope, role))
                except TaskschemeError as error:
                    errors.append(error)
        errors.sort(key=lambda e: (e.span.line, e.span.col) if e.span else (0, 0))
        return errors

    def call(self, procedure: str | Callable, *args: Any) -> Any:
        """Call a Scheme procedure (or the global of that name) from Python."""
        if isinstance(procedure, str):
            procedure = self.eval_scheme(procedure)
        return procedure(*args)


def _keyword_adapter(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    from functools import wraps

    from interpreter.lang.datums import Keyword

    @wraps(fn)
    def call(*args: Any) -> Any:
        positional: list[Any] = []
        options: dict[str, Any] = {}
        index = 0
        while index < len(args):
            item = args[index]
            if type(item) is Keyword:
                if index + 1 >= len(args):
                    raise SchemeError(f"{name}: keyword #:{item.name} needs a value after it")
                options[item.name.replace("-", "_")] = args[index + 1]
                index += 2
            else:
                positional.append(item)
                index += 1
        return fn(*positional, **options)

    call.scheme_name = name
    return call


def _file_error(message: str) -> SchemeError:
    error = SchemeError(message)
    error.kind = "file-error"
    return error


def to_python(value: Any) -> Any:
    """A Scheme value as plain Python: lists and vectors become lists, symbols and chars
    strings, hash tables dicts, the unspecified value None; numbers, strings and booleans
    stay as they are, and anything else (procedures, records) is returned unchanged.
    A circular structure is an error (it has no Python equivalent as plain data)."""
    return _convert(value, set())


def _convert(value: Any, active: set[int]) -> Any:
    from interpreter.lang.datums import NIL, Char, Pair, SourcePair, Values
    from interpreter.lang.primitives.hashtables import HashTable

    kind = type(value)
    if kind is Symbol:
        return value.name
    if kind is Char:
        return value.ch
    if value is UNSPECIFIED:
        return None
    if value is NIL:
        return []
    if kind not in (Pair, SourcePair, list, tuple, Values, HashTable):
        return value
    key = id(value)
    if key in active:
        raise SchemeError("cannot convert a circular structure to a Python value", [])
    active.add(key)
    try:
        if kind is HashTable:
            return {_convert(k, active): _convert(v, active) for k, v in value.items()}
        if kind is Pair or kind is SourcePair:
            items = []
            spine: set[int] = set()
            while type(value) is Pair or type(value) is SourcePair:
                if id(value) in spine:
                    raise SchemeError("cannot convert a circular list to a Python value", [])
                spine.add(id(value))
                items.append(_convert(value.car, active))
                value = value.cdr
            if value is not NIL:
                items.append(_convert(value, active))
            return items
        return [_convert(v, active) for v in value]
    finally:
        active.discard(key)
