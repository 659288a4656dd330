"""`Interpreter`: the pipeline put together, and the API embedders use.

reader -> expander/analyzer -> evaluator, against one global environment that starts
with the primitives. The standard library (stdlib/*.scm) lives in an environment of
its own and loads a file on the first use of a name it defines, so start-up reads no
library code and a program that redefines `map` cannot change what `filter` does.
"""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interpreter.engine.convert import keyword_adapter, to_python
from interpreter.engine.session import Session
from interpreter.engine.stack import python_recursion_limit
from interpreter.errors import (
    SchemeError,
    SchemeSyntaxError,
    TaskschemeError,
)
from interpreter.lang.analyze import LANGUAGE_FORMS, Analyzer
from interpreter.lang.analyze.lint import Lint
from interpreter.lang.datums import (
    UNSPECIFIED,
    Environment,
    Pair,
    Symbol,
    is_interned,
    is_pair,
    list_to_python,
    python_to_list,
)
from interpreter.lang.expand import FEATURES
from interpreter.lang.library import Library, read_forms
from interpreter.lang.primitives import all_primitives
from interpreter.lang.primitives.common import allocation_limit, check_string
from interpreter.lang.raising import scheme_error, type_error
from interpreter.lang.runtime import finish, host_error, lookup_failure
from interpreter.lang.threads import Interrupt
from interpreter.limits.settings import load_settings
from interpreter.source import NotUtf8Error, Span, Utf8Decoder
from interpreter.tasks.language import TASK_FORMS, TASK_PROCEDURES
from interpreter.tasks.state import TaskState, bound

if TYPE_CHECKING:
    from interpreter.limits.budget import Budget
    from interpreter.limits.events import EventBus, Observer
    from interpreter.limits.metrics import ResourceMetrics
    from interpreter.limits.settings import Settings
    from interpreter.providers import Provider
    from interpreter.tasks.executors import Executor
    from interpreter.tasks.runner import TaskRunner

PYTHON_FRAMES_PER_CALL = 4
# A program file larger than this is refused rather than read (`check /dev/zero`, a
# misnamed data file): no program is anywhere near it.
MAX_SOURCE_BYTES = 16 * 1024 * 1024


class ProgramExit(BaseException):
    """`(exit code)`: ends the program with that exit code.

    A BaseException, like a continuation's escape, so that nothing on the way out
    (the evaluator's conversion of host errors, a host procedure's `except Exception`)
    turns it into an error; `dynamic-wind` after-thunks still run."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


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
        if settings is None:
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
        self.library = Library(primitives)
        self.env = Environment(dict(primitives))
        self.task_state = TaskState()
        self.analyzer = Analyzer(
            self.env,
            self._global_miss,
            (*LANGUAGE_FORMS, TASK_FORMS),
            layer_state={"tasks": self.task_state},
        )
        # where `load` finds relative names: the directory of the file being run, or None
        # for the working directory; a context variable, so each thread of a run has its own
        self._load_directory: ContextVar[Path | None] = ContextVar("load_directory", default=None)
        # every text evaluated, in order: what a worker in another process rebuilds the
        # program's definitions from (engine/ray_worker.py)
        self.sources: list[tuple[str, str]] = []
        self._standard: Analyzer | None = None  # (environment ...): made on first use
        self.argv = list(argv or ["taskscheme"])
        self.max_recursion_depth = settings.get("max_recursion_depth")
        self.max_allocation = settings.get("max_allocation")
        self._python_depth = self.max_recursion_depth * PYTHON_FRAMES_PER_CALL + 2000
        self.interrupts = Interrupt()
        self._install_builtins()

    def interrupt(self) -> None:
        """Stop the evaluation running now, from any thread, as Ctrl-C does: it raises
        KeyboardInterrupt, and the Handlers of its running tasks are released as
        interrupted. With nothing running, nothing happens."""
        self.interrupts.interrupt()

    def close(self) -> None:
        """End the run: close its executors (a Ray cluster it started), unsubscribe its
        observers and close its trace file."""
        if self._runner is not None:
            self._runner.close()
        self.session.close()

    def __enter__(self) -> Interpreter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def runner(self) -> TaskRunner:
        """The task runner, made on first use so programs without tasks never load it."""
        if self._runner is None:
            from interpreter.tasks.runner import TaskRunner  # loads the Handler (start-up)

            self._runner = TaskRunner(
                self.settings,
                provider=self._provider,
                events=self.session.events,
                budget=self.session.budget,
                ask_user=self._ask_user,
                record_path=self.session.record_path,
                state=self.task_state,
                interrupts=self.interrupts,
                executors={"ray": self._ray_executor},
            )
            for name, fn in self._runner.primitives().items():
                self.env.bindings.setdefault(Symbol(name), fn)
        return self._runner

    def _ray_executor(self) -> Executor:
        from interpreter.engine.ray_executor import RayExecutor  # only runs on Ray (start-up)

        return RayExecutor(self)

    @property
    def last_metrics(self) -> ResourceMetrics | None:
        """Metrics of the last task that finished, or None."""
        return self._runner.last_metrics if self._runner is not None else None

    # ------------------------------------------------------------ set-up

    def _install_builtins(self) -> None:
        def scheme_eval(expression: Any, environment: Any = None) -> Any:
            if environment is None or environment is self.env:
                analyzer, env = self.analyzer, self.env
            elif self._standard is not None and environment is self._standard.globals_env:
                analyzer, env = self._standard, environment
            else:
                raise type_error("eval", "an environment", environment, 2)
            if is_circular(expression):
                raise scheme_error("eval: the expression contains itself", [expression])
            return finish(analyzer.analyze_toplevel(expression, None)(env))

        def interaction_environment() -> Environment:
            return self.env

        def environment(*import_sets: Any) -> Environment:
            for import_set in import_sets:
                check_library_name("environment", import_set)
            return self._standard_environment()

        def report_environment(name: str) -> Callable[[Any], Environment]:
            def report(version: Any) -> Environment:
                if version != 5 or type(version) is not int:
                    raise type_error(name, "the version 5", version, 1)
                return self._standard_environment()

            return report

        def command_line() -> Any:
            return python_to_list(self.argv)

        def exit_program(code: Any = 0) -> Any:
            if code is True or code is False:
                raise ProgramExit(0 if code else 1)
            if type(code) is not int or not 0 <= code <= 255:
                raise type_error("exit", "an exit code from 0 to 255 or a boolean", code, 1)
            raise ProgramExit(code)

        def load(name: Any) -> Any:
            path = Path(check_string("load", name, 1))
            if self._load_directory.get() is not None:
                path = self._load_directory.get() / path
            try:
                text = read_source(path)
            except SchemeError as error:
                raise _file_error(f"load: {error.message} (looked for {path.resolve()})") from None
            self.eval_scheme(text, str(path), directory=path.parent)
            return UNSPECIFIED

        def features() -> Any:
            return python_to_list([Symbol(name) for name in FEATURES])

        def get_environment_variable(name: Any) -> Any:
            return os.environ.get(check_string("get-environment-variable", name, 1), False)

        def get_environment_variables() -> Any:
            return python_to_list([Pair(k, v) for k, v in os.environ.items()])

        for name, fn in [
            ("eval", scheme_eval),
            ("interaction-environment", interaction_environment),
            ("environment", environment),
            ("scheme-report-environment", report_environment("scheme-report-environment")),
            ("null-environment", report_environment("null-environment")),
            ("command-line", command_line),
            ("exit", exit_program),
            ("load", load),
            ("features", features),
            ("get-environment-variable", get_environment_variable),
            ("get-environment-variables", get_environment_variables),
        ]:
            self.define(name, fn)
        self._builtins = dict(self.env.bindings)

    def _standard_environment(self) -> Environment:
        """The environment `(environment ...)` gives: the whole standard language, none
        of the program's definitions, read-only; made on first use, then shared."""
        if self._standard is None:
            self._standard = Analyzer(
                Environment(dict(self._builtins)),
                self._standard_miss,
                (*LANGUAGE_FORMS, TASK_FORMS),
                layer_state={"tasks": self.task_state},
                read_only=True,
            )
        return self._standard.globals_env

    def _standard_miss(self, name: Symbol, span: Span | None, probe: bool = False) -> Any:
        """A name the standard environment does not hold yet: a library or task procedure."""
        if self.library.provides(name):
            value = self.library.value(name)
        elif name.name in TASK_PROCEDURES:
            value = self.runner.primitives()[name.name]
        elif probe:
            return False
        else:
            names = [*self._builtins, *self.library.index]
            raise lookup_failure(name, [s.name for s in names if not s.name.startswith("%")], span)
        if probe:
            return True
        self._standard.globals.setdefault(name, value)
        return value

    def define(self, name: str, value: Any, *, keywords: bool = False) -> None:
        """Bind `name` in the program's global environment (host procedures, data).

        With `keywords=True` a host procedure receives the program's `#:name value`
        arguments as Python keyword arguments (`#:max-items 3` -> `max_items=3`).
        """
        if keywords:
            value = keyword_adapter(value, name)
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
        if self._runner is None and name.name in TASK_PROCEDURES:
            self.runner  # noqa: B018 - installs the task procedures
        if name in self.env.bindings:
            return True if probe else self.env.bindings[name]
        if probe:
            return False
        known = [*self.env.bindings, *self.library.index, *self.analyzer.defined_globals]
        # neither a macro's own globals nor the library's helpers (%name) are for programs
        candidates = [s.name for s in known if is_interned(s) and not s.name.startswith("%")]
        raise lookup_failure(name, candidates, span)

    # ------------------------------------------------------------ running programs

    def eval_scheme(self, text: str, file: str = "<eval>", *, directory: Path | None = None) -> Any:
        """Evaluate every form in `text`; the value of the last, as a Scheme value.

        `directory` is where `load` in `text` finds relative names (the directory of the
        file `text` was read from); by default, where the code that called this finds
        them, the working directory at the top."""
        result: Any = UNSPECIFIED
        self.sources.append((text, file))
        with (
            self.interrupts.evaluating(),
            python_recursion_limit(self._python_depth),
            allocation_limit(self.max_allocation),
            bound(self._load_directory, directory or self._load_directory.get()),
        ):
            for form, span in read_forms(text, file):
                result = self._run_form(form, span)
        return result

    def eval(self, text: str, file: str = "<eval>") -> Any:
        """Evaluate `text` and return the last value converted to Python (see to_python)."""
        return to_python(self.eval_scheme(text, file))

    def run_file(self, path: str | Path) -> Any:
        """Run the program file `path` (see `read_source` for what it may be); `load` in
        it finds relative names beside it."""
        path = Path(path)
        return self.eval_scheme(read_source(path), str(path), directory=path.parent)

    def _run_form(self, form: Any, span: Span | None) -> Any:
        node = self.analyzer.analyze_toplevel(form, span)
        try:
            return finish(node(self.env))
        except RecursionError as error:
            raise host_error(None, [], error, span) from None

    def check(self, text: str, file: str) -> list[TaskschemeError]:
        """Read and expand every form without running any; return every error found."""
        errors: list[TaskschemeError] = []
        try:
            forms = list(read_forms(text, file))
        except SchemeSyntaxError as error:
            # the forms before the one that does not read are still checked
            errors.append(error)
            prefix = getattr(error, "readable_prefix", None)
            forms = list(read_forms(text[:prefix], file)) if prefix else []
        lint = self.analyzer.observer = Lint(self.analyzer)
        try:
            for form, span in forms:
                try:
                    self.analyzer.analyze_toplevel(form, span)
                except TaskschemeError as error:
                    errors.append(error)
        finally:
            self.analyzer.observer = None
        errors.extend(lint.arity_problems())
        errors.extend(lint.unbound(self._look_up))
        errors.sort(key=lambda e: (e.span.line, e.span.col) if e.span else (0, 0))
        return errors

    def _look_up(self, name: Symbol, span: Span | None) -> None:
        """Make sure `name` is bound, loading it if needed; the unbound error if not."""
        if name not in self.env.bindings and not self.library.provides(name):
            self._global_miss(name, span)

    def call(self, procedure: str | Callable, *args: Any) -> Any:
        """Call a Scheme procedure (or the global of that name) from Python."""
        if isinstance(procedure, str):
            procedure = self.eval_scheme(procedure)
        with (
            self.interrupts.evaluating(),
            python_recursion_limit(self._python_depth),
            allocation_limit(self.max_allocation),
        ):
            return procedure(*args)


def read_source(path: Path) -> str:
    """The text of the program file `path`, or a file-error saying why it cannot be one:
    it must be a regular file (reading a FIFO or a device could block or never end) of
    at most MAX_SOURCE_BYTES, in UTF-8."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise _file_error(f"cannot read {path}: not a regular file")
        with path.open("rb") as handle:
            data = handle.read(MAX_SOURCE_BYTES + 1)
    except FileNotFoundError:
        raise _file_error(f"cannot read {path}: no such file") from None
    except OSError as error:
        raise _file_error(f"cannot read {path}: {error.strerror}") from None
    return decode_source(data, str(path))


def decode_source(data: bytes, name: str) -> str:
    """`data` as program text: UTF-8, a leading byte-order mark dropped, at most
    MAX_SOURCE_BYTES; a file-error naming `name` and the place of a byte that is not
    UTF-8 otherwise."""
    if len(data) > MAX_SOURCE_BYTES:
        limit = MAX_SOURCE_BYTES // (1024 * 1024)
        raise _file_error(f"cannot read {name}: larger than {limit} MiB, the limit for a program")
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return Utf8Decoder().decode(data)
    except NotUtf8Error as error:
        raise _file_error(f"cannot read {name}: {error}") from None


# The libraries `environment` accepts: R7RS's, (scheme r5rs) and taskscheme's own. They
# are not separated: each gives the whole standard language.
STANDARD_LIBRARIES = frozenset(
    [
        *(
            ("scheme", part)
            for part in [
                "base",
                "case-lambda",
                "char",
                "complex",
                "cxr",
                "eval",
                "file",
                "inexact",
                "lazy",
                "load",
                "process-context",
                "read",
                "repl",
                "time",
                "write",
                "r5rs",
            ]
        ),
        ("taskscheme",),
    ]
)


def check_library_name(proc: str, import_set: Any) -> None:
    """`import_set` must name one of the standard libraries, as `(scheme base)` does."""
    try:
        parts = tuple(part.name for part in list_to_python(import_set))
    except (ValueError, AttributeError):
        parts = None
    if parts is None or parts not in STANDARD_LIBRARIES:
        raise scheme_error(
            f"{proc}: not a library taskscheme has (it has (scheme base), (scheme write), "
            "... and (taskscheme); import sets like (only ...) are not supported)",
            [import_set],
        )


def is_circular(datum: Any) -> bool:
    """Does `datum` contain itself (a list whose tail or an element leads back to it)?
    Analysis would follow it forever, so eval refuses it, quoted data included."""
    on_path: set[int] = set()
    finished: set[int] = set()
    pending: list[tuple[Any, bool]] = [(datum, False)]
    while pending:
        node, leaving = pending.pop()
        if leaving:
            on_path.discard(id(node))
            finished.add(id(node))
            continue
        if not is_pair(node) or id(node) in finished:
            continue
        if id(node) in on_path:
            return True
        on_path.add(id(node))
        pending.extend(((node, True), (node.cdr, False), (node.car, False)))
    return False


def _file_error(message: str) -> SchemeError:
    error = SchemeError(message)
    error.kind = "file-error"
    return error
