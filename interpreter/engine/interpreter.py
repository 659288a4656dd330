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
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from interpreter.engine.capabilities import FILE_PROCEDURES, Capabilities
from interpreter.engine.computation import ComputationLimits
from interpreter.engine.convert import (
    Procedure,
    host_procedure,
    is_language_procedure,
    keyword_arguments,
    to_language,
    to_python,
)
from interpreter.engine.embedding import EmbeddingAPI
from interpreter.engine.environments import check_library_name, is_circular
from interpreter.engine.memory import make_memory_procedures, open_memory, store_files
from interpreter.engine.session import Session
from interpreter.engine.stack import python_recursion_limit
from interpreter.errors import (
    FileError,
    ProgramExitError,
    SchemeError,
    SchemeSyntaxError,
    TaskschemeError,
    UsageError,
)
from interpreter.lang.analyze import LANGUAGE_FORMS, Analyzer, Scope
from interpreter.lang.analyze.lint import Lint
from interpreter.lang.control import DYNAMIC
from interpreter.lang.datums import (
    UNSPECIFIED,
    Environment,
    Symbol,
    bound,
    is_interned,
    python_to_list,
)
from interpreter.lang.expand import FEATURES
from interpreter.lang.library import Library, read_forms
from interpreter.lang.primitives import all_primitives
from interpreter.lang.primitives.common import (
    allocation_limit,
    check_string,
    default_max_memory,
    memory_limit,
)
from interpreter.lang.primitives.io import (
    CURRENT_ERROR,
    CURRENT_INPUT,
    CURRENT_OUTPUT,
    InputPort,
    OutputPort,
    printed,
)
from interpreter.lang.printer import write_string
from interpreter.lang.raising import scheme_error, type_error
from interpreter.lang.runtime import finish, host_error, lookup_failure
from interpreter.lang.threads import Interrupt
from interpreter.limits.settings import Settings, load_settings
from interpreter.memory.language import MEMORY_FORMS, MEMORY_PROCEDURES
from interpreter.source import NotUtf8Error, Span, Utf8Decoder
from interpreter.tasks.language import TASK_FORMS, TASK_PROCEDURES
from interpreter.tasks.state import TaskState

if TYPE_CHECKING:
    from interpreter.limits.budget import Budget
    from interpreter.limits.events import EventBus, Observer
    from interpreter.limits.metrics import ResourceMetrics
    from interpreter.memory.store import MemoryStore
    from interpreter.providers.base import Provider
    from interpreter.tasks.executors import Executor
    from interpreter.tasks.runner import TaskRunner

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


class Interpreter(EmbeddingAPI):
    """One program's world: its globals, macros and standard library, and its run (a
    `Session`: the budget, event bus and trace file the settings ask for). `close()`, or
    leaving a `with` block, ends the run.

    What the program may reach of the host is `capabilities` (nothing by default: no
    files, no environment variables, no other models or executors), and never may it
    change the files of its own run (memory store, trace file, cassette being
    recorded); its standard output is `stdout` (by default Python's `sys.stdout`), its
    standard input `stdin` (a stream or a string; nothing by default). `model` is a spec string, a provider object, or a function answering the
    messages of each request. `config` overrides settings, as command-line options do.

    >>> Interpreter().eval("(map (lambda (x) (* x x)) '(1 2 3))")
    [1, 4, 9]
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        model: str | Provider | Callable[..., Any] | None = None,
        config: dict[str, Any] | None = None,
        budget: Budget | None = None,
        capabilities: Capabilities | None = None,
        stdout: IO[str] | None = None,
        stdin: IO[str] | str | None = None,
        events: EventBus | None = None,
        observers: Iterable[Observer] = (),
        ask_user: Callable[[str], str] | None = None,
        record_path: str | None = None,
        argv: list[str] | None = None,
        memory: str | os.PathLike | MemoryStore | None = None,
    ) -> None:
        settings = _settings(settings, config)
        given_model = model is not None
        if isinstance(model, str):
            settings = settings.with_values("Interpreter(model=...)", model=model)
            model = None
        elif model is not None:
            model = _as_provider(model, settings.get("model"))
        self.settings = settings
        # long-term memory, read-only; opened now so a bad store is found before any program
        self.memory = open_memory(memory, settings)
        # a store this Interpreter opened (from a path or setting) is closed with it
        self._owns_memory = self.memory is not None and self.memory is not memory
        self.session = Session(
            settings, events=events, budget=budget, observers=observers, record_path=record_path
        )
        self._provider = model
        self._ask_user = ask_user or self._ask_on_ports
        granted = capabilities if capabilities is not None else Capabilities()
        self.capabilities = granted.protecting(self._run_files())
        self._stdout = None if stdout is None else OutputPort(stdout, name="stdout")
        # errors and questions to the user go where the output goes, else to sys.stderr
        self._stderr = (
            OutputPort(lookup=lambda: sys.stderr, name="stderr")
            if stdout is None
            else OutputPort(stdout, name="stderr")
        )
        if stdin is None or isinstance(stdin, str):
            self._stdin = InputPort.from_string(stdin or "")
        else:
            self._stdin = InputPort(stdin, name="stdin")
        # where `load` finds relative names: the directory of the file being run, or None
        # for the working directory; a context variable, so each thread of a run has its own
        self._load_directory: ContextVar[Path | None] = ContextVar("load_directory", default=None)
        self.argv = list(argv or ["taskscheme"])
        self.max_recursion_depth = settings.get("max_recursion_depth")
        self.max_allocation = settings.get("max_allocation")
        self.max_memory = settings.get("max_memory") or default_max_memory()
        self.interrupts = Interrupt()
        self.computation = ComputationLimits(
            settings.get("max_steps"), settings.get("max_seconds"), self.interrupts
        )
        # One evaluation at a time: a second thread waits for the first to finish. Code
        # that runs inside an evaluation (a host procedure calling back, the workers of a
        # parallel map, which inherit the context) is part of it and does not wait.
        self._lock = threading.RLock()
        self._inside: ContextVar[bool] = ContextVar("inside", default=False)
        self._host_definitions: dict[Symbol, Any] = {}
        self._make_world()
        if given_model:
            # made to run tasks: the tokenizer loads while the program is being written
            self.runner.warm_up(background=True)

    def _run_files(self) -> dict[str | os.PathLike, str]:
        """The files the run keeps open or writes as it goes (its memory store, trace
        file and the cassette it records), each with what it is: no program may write or
        delete them, whatever it was granted."""
        files = {} if self.memory is None else store_files(self.memory)
        trace = self.settings.get("trace")
        if trace:
            files[trace] = "the run's trace file"
        if self.session.record_path is not None:
            files[self.session.record_path] = "the cassette being recorded"
        return files

    def _make_world(self) -> None:
        """The program's globals, standard library and task state, as at the start."""
        self._runner: TaskRunner | None = None
        self._memory_made: dict[str, Any] | None = None
        primitives = {Symbol(name): fn for name, fn in all_primitives().items()}
        for name, fn in primitives.items():
            if name.name in FILE_PROCEDURES:
                primitives[name] = self.capabilities.guard(name, fn)
        self.library = Library(primitives)
        self.global_environment = Environment.make(dict(primitives))
        self.task_state = TaskState()
        self.analyzer = Analyzer(
            self.global_environment,
            self._global_miss,
            (*LANGUAGE_FORMS, TASK_FORMS, MEMORY_FORMS),
            layer_state={"tasks": self.task_state},
        )
        # every text evaluated, in order: what a worker in another process rebuilds the
        # program's definitions from (engine/ray/worker.py)
        self.sources: list[tuple[str, str]] = []
        self._standard: Analyzer | None = None  # (environment ...): made on first use
        self.analyzer.meter = self.computation.meter
        self._install_builtins()
        self.global_environment.bindings.update(self._host_definitions)

    def reset(self) -> None:
        """Forget everything the programs defined: the globals, macros and loaded library
        are as new. What the host defined (`define`, `@procedure`, `@tool`), the
        settings, the run (budget, events) and the capabilities stay."""
        with self._evaluation():
            self._make_world()

    def interrupt(self) -> None:
        """Stop the evaluation running now, from any thread, as Ctrl-C does: it raises
        KeyboardInterrupt, and the Handlers of its running tasks are released as
        interrupted. With nothing running, nothing happens."""
        self.interrupts.interrupt()

    def close(self) -> None:
        """End the run: close its executors (a Ray cluster it started), unsubscribe its
        observers, close its trace file and the memory store it opened."""
        if self._runner is not None:
            self._runner.close()
        self.session.close()
        if self._owns_memory:
            self.memory.close()

    def __enter__(self) -> Interpreter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _ask_on_ports(self, question: str) -> str:
        """The default `ask_user` of interactive tasks: the question on the program's
        error port, the answer one line of its standard input."""
        self._stderr.write(f"{question}\n> ", "ask_user")
        self._stderr.flush()
        answer = self._stdin.read_line()
        if answer is None:
            raise EOFError
        return answer

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
                model_check=self.capabilities.check_model,
                executors={"ray": self._ray_executor},
            )
            for name, fn in self._runner.primitives().items():
                self.global_environment.bindings.setdefault(Symbol(name), fn)
        return self._runner

    def warm_up(self) -> None:
        """Load now the tokenizer encoding the model counts tokens with (a few tenths of
        a second, once per process), so the first task does not wait for it: a service
        calls it before it starts serving. Defining a task, or making an Interpreter
        with a model, starts the same loading in the background."""
        self.runner.warm_up()

    def _ray_executor(self) -> Executor:
        # the run's own executor (its settings) is the host's choice; the program choosing
        # one that starts processes needs the capability, checked before Ray is loaded
        if self.settings.get("executor") != "ray":
            self.capabilities.check_executor("parallel-map", "ray")
        from interpreter.engine.ray.executor import RayExecutor  # only runs on Ray (start-up)

        return RayExecutor(self)

    @property
    def last_metrics(self) -> ResourceMetrics | None:
        """Metrics of the last task that finished, or None."""
        return self._runner.last_metrics if self._runner is not None else None

    # ------------------------------------------------------------ set-up

    def _install_builtins(self) -> None:
        def scheme_eval(expression: Any, environment: Any = None) -> Any:
            environment = self.global_environment if environment is None else environment
            analysis = self._analysis(environment)
            if analysis is None:
                raise type_error("eval", "an environment", environment, 2)
            if is_circular(expression):
                raise scheme_error("eval: the expression contains itself", [expression])
            analyzer, scope = analysis
            return finish(analyzer.analyze_toplevel(expression, None, scope)(environment))

        def interaction_environment() -> Environment:
            return self.global_environment

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
            path = Path(self.capabilities.check_file("load", "read", str(path)))
            try:
                text = read_source(path)
            except SchemeError as error:
                raise FileError(f"load: {error.message} (looked for {path.resolve()})") from None
            self.eval_scheme(text, str(path), directory=path.parent)
            return UNSPECIFIED

        def get_environment_variable(name: Any) -> Any:
            return self.capabilities.environment_variable(name)

        def get_environment_variables() -> Any:
            return self.capabilities.environment_variables()

        def features() -> Any:
            return python_to_list([Symbol(name) for name in FEATURES])

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
            fn.scheme_name = name
            self.global_environment.bindings[Symbol(name)] = fn
        self._builtins = dict(self.global_environment.bindings)

    def _standard_environment(self) -> Environment:
        """The environment `(environment ...)` gives: the whole standard language, none
        of the program's definitions, read-only; made on first use, then shared."""
        if self._standard is None:
            self._standard = Analyzer(
                Environment.make(dict(self._builtins)),
                self._standard_miss,
                (*LANGUAGE_FORMS, TASK_FORMS, MEMORY_FORMS),
                layer_state={"tasks": self.task_state},
                read_only=True,
            )
        return self._standard.global_environment

    def _analysis(self, environment: Any) -> tuple[Analyzer, Scope | None] | None:
        """The analyzer of code evaluated in `environment` and the scope it is analyzed
        at: `environment` is the global environment, the standard one, or one extending
        either. None for anything else."""
        if type(environment) is not Environment:
            return None
        root = environment.chain()[-1]
        for analyzer in (self.analyzer, self._standard):
            if analyzer is not None and root is analyzer.global_environment:
                return analyzer, analyzer.scope_of(environment)
        return None

    def _standard_miss(self, name: Symbol, span: Span | None, probe: bool = False) -> Any:
        """A name the standard environment does not hold yet: a library or task procedure."""
        if self.library.provides(name):
            value = self.library.value(name)
        elif name.name in TASK_PROCEDURES:
            value = self.runner.primitives()[name.name]
        elif name.name in MEMORY_PROCEDURES:
            value = self._memory_table()[name.name]
        elif probe:
            return False
        else:
            names = [*self._builtins, *self.library.index]
            raise lookup_failure(name, [s.name for s in names if not s.name.startswith("%")], span)
        if probe:
            return True
        self._standard.globals.setdefault(name, value)
        return value

    def define(
        self, name: str, value: Any, *, doc: str | None = None, keywords: bool = True
    ) -> None:
        """Bind `name` in the program's global environment to `value`, converted to a
        value of the language (see `to_language`). A Python function becomes a host
        procedure whose arity and `#:keyword` arguments come from its signature
        (`#:max-items 3` -> `max_items=3`); its arguments arrive as Python values and its
        result is converted back. `doc` (by default the docstring) documents it.
        `keywords` is accepted for compatibility: keywords always follow the signature.
        What the host defines stays through `reset()`."""
        del keywords
        if callable(value) and not is_language_procedure(value) and not isinstance(value, type):
            value = self.host_procedure(value, name, doc)
        else:
            value = self.to_language(value)
        self.global_environment.bindings[Symbol(name)] = self._host_definitions[Symbol(name)] = (
            value
        )

    def host_procedure(self, fn: Callable[..., Any], name: str, doc: str | None = None) -> Any:
        """`fn` as a procedure of the language named `name` (see `define`)."""
        procedure = host_procedure(fn, name, self.export, self.to_language)
        procedure.doc = doc or fn.__doc__
        return procedure

    def to_language(self, value: Any) -> Any:
        """A Python value as a value of the language; functions become host procedures."""
        return to_language(
            value, lambda fn: self.host_procedure(fn, getattr(fn, "__name__", "host"))
        )

    def write_value(self, value: Any) -> str:
        """`value` as `write` prints it, refused (allocation-limit) past max_allocation
        characters, as `write` in the program is: a tree whose parts are shared prints
        each part in full every time, so its text can be longer than any memory."""
        with allocation_limit(self.max_allocation):
            return printed("write", write_string, value)

    def export(self, value: Any) -> Any:
        """A value of the language as Python (see `to_python`); a procedure becomes a
        Python callable that runs under this Interpreter's rules, and a task's JSON
        answer made in the call that returns it is Python JSON data (`_exporting`)."""
        return to_python(value, self._callable, self.task_state.json_outputs.get())

    @contextmanager
    def _exporting(self) -> Iterator[None]:
        """For the extent of a call from Python whose result is converted: the JSON
        answers of its tasks are remembered (TaskState.json_outputs), so that `export`
        gives a JSON object as a dict, not as the association list it is in the
        language. Nothing is kept once the outermost call returns."""
        if self.task_state.json_outputs.get() is not None:
            yield
            return
        with bound(self.task_state.json_outputs, {}):
            yield

    def _callable(self, procedure: Any) -> Procedure:
        return Procedure(procedure, self._call_procedure)

    def _call_procedure(self, procedure: Any, args: list[Any]) -> Any:
        with self._public(), self._evaluation(), self._exporting():
            return self.export(procedure(*(self.to_language(arg) for arg in args)))

    def _global_miss(self, name: Symbol, span: Span | None, probe: bool = False) -> Any:
        bindings = self.global_environment.bindings
        if self.library.provides(name):
            if probe:
                return True
            value = self.library.value(name)
            bindings.setdefault(name, value)
            return value
        if self._runner is None and name.name in TASK_PROCEDURES:
            self.runner  # noqa: B018 - installs the task procedures
        if name.name in MEMORY_PROCEDURES and name not in bindings:
            for memory_name, fn in self._memory_table().items():
                bindings.setdefault(Symbol(memory_name), fn)
        if name in bindings:
            return True if probe else bindings[name]
        if probe:
            return False
        known = [*bindings, *self.library.index, *self.analyzer.defined_globals]
        # neither a macro's own globals nor the library's helpers (%name) are for programs
        candidates = [s.name for s in known if is_interned(s) and not s.name.startswith("%")]
        raise lookup_failure(name, candidates, span)

    def _memory_table(self) -> dict[str, Any]:
        """The memory procedures, made on first use; `memory-import` evaluates a
        procedure's source in the program's environment, at its line in its file, with
        those of the definitions it needs that the program has not."""
        if self._memory_made is None:

            def evaluate(text: str, file: str, line: int) -> Any:
                return self.eval_scheme("\n" * (line - 1) + text, file)

            def is_bound(name: str) -> bool:
                symbol = Symbol(name)
                return symbol in self.global_environment.bindings or self.library.provides(symbol)

            self._memory_made = make_memory_procedures(
                self.memory, self.session, self.task_state, evaluate, is_bound
            )
        return self._memory_made

    # ------------------------------------------------------------ running programs

    @contextmanager
    def _evaluation(self) -> Iterator[None]:
        """The rules every evaluation runs under: one at a time (see `_lock`), reached by
        `interrupt()`, Python's recursion limit raised, allocations capped, the program's
        own standard ports."""
        if self._inside.get():
            yield
            return
        with (
            self._lock,
            bound(self._inside, True),
            self.interrupts.evaluating(),
            python_recursion_limit(self.max_recursion_depth),
            allocation_limit(self.max_allocation),
            memory_limit(self.max_memory),
            self.computation.applied(),
            CURRENT_INPUT.bound(self._stdin),
            CURRENT_OUTPUT.bound(self._stdout or CURRENT_OUTPUT.value),
            CURRENT_ERROR.bound(self._stderr),
            own_exception_handlers(),
        ):
            yield

    @staticmethod
    @contextmanager
    def _public() -> Iterator[None]:
        """`(exit code)` ends a program the host runs with an error carrying the code."""
        try:
            yield
        except ProgramExit as exit_request:
            raise ProgramExitError(exit_request.code) from None

    def eval_scheme(
        self,
        text: str,
        file: str = "<eval>",
        *,
        directory: Path | None = None,
        env: Environment | None = None,
    ) -> Any:
        """Evaluate every form in `text`; the value of the last, as a Scheme value.

        `directory` is where `load` in `text` finds relative names (the directory of the
        file `text` was read from); by default, where the code that called this finds
        them, the working directory at the top. `env` is the environment to evaluate in
        (`global_environment.extend(...)`): the forms see its variables, define in it,
        and its working memory is what their tasks are given."""
        working_memory = self.task_state.working_memory
        entries = working_memory.get() if env is None else env
        env = self.global_environment if env is None else env
        if self._analysis(env) is None:
            raise UsageError(
                f"eval: env must be this Interpreter's global_environment or an environment "
                f"extending it, not {env!r}"
            )
        result: Any = UNSPECIFIED
        self.sources.append((text, file))
        with (
            self._evaluation(),
            bound(self._load_directory, directory or self._load_directory.get()),
            bound(working_memory, entries),
        ):
            for form, span in read_forms(text, file):
                result = self._run_form(form, span, env)
        return result

    def eval(self, text: str, file: str = "<eval>", *, env: Environment | None = None) -> Any:
        """Evaluate `text` (in `env`, see `eval_scheme`) and return the last value
        converted to Python (see `export`)."""
        with self._public(), self._exporting():
            return self.export(self.eval_scheme(text, file, env=env))

    def eval_file(self, path: str | Path) -> Any:
        """Run the program file `path` (see `read_source` for what it may be) and return
        its last value converted to Python; `load` in it finds relative names beside it.
        The host reads the file: it need not be within the program's capabilities."""
        path = Path(path)
        with self._public(), self._exporting():
            return self.export(
                self.eval_scheme(read_source(path), str(path), directory=path.parent)
            )

    run_file = eval_file

    def _run_form(self, form: Any, span: Span | None, env: Environment) -> Any:
        analyzer, scope = self._analysis(env)
        node = analyzer.analyze_toplevel(form, span, scope)
        try:
            return finish(node(env))
        except (RecursionError, MemoryError) as error:
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
        if name not in self.global_environment.bindings and not self.library.provides(name):
            self._global_miss(name, span)

    def call_scheme(self, procedure: Callable, *args: Any) -> Any:
        """`call` with language values in and out, as `eval_scheme` is to `eval`: what a
        worker rebuilding the program in another process uses."""
        with self._evaluation():
            return procedure(*args)

    def call(self, procedure: str | Callable, *args: Any, **options: Any) -> Any:
        """Call a procedure of the program (or the global of that name, or the procedure
        an expression evaluates to) with Python arguments; keyword arguments are passed
        as `#:name value`. The result is converted to Python."""
        with self._public(), self._evaluation(), self._exporting():
            if isinstance(procedure, str):
                procedure = self.eval_scheme(procedure)
            elif isinstance(procedure, Procedure):
                procedure = procedure.procedure
            arguments = [self.to_language(arg) for arg in (*args, *keyword_arguments(options))]
            return self.export(procedure(*arguments))


@contextmanager
def own_exception_handlers() -> Iterator[None]:
    """A program's exception handlers are its own: those installed by a program that
    called the host (another Interpreter's) are not called by this one's `raise`, and an
    error leaving the program has had no turn in the caller's handlers."""
    saved, DYNAMIC.handlers = DYNAMIC.handlers, []
    try:
        yield
    except TaskschemeError as error:
        error.handled_at = None
        raise
    finally:
        DYNAMIC.handlers = saved


def _as_provider(model: Any, spec: str) -> Provider:
    """`Interpreter(model=...)` given an object: a provider as it is, a function of the
    messages as a provider that stands for the model `spec` names."""
    # only an embedder passes a provider or a model function (start-up)
    from interpreter.providers.base import Provider
    from interpreter.providers.functions import FunctionProvider

    if isinstance(model, Provider):
        return model
    if not callable(model):
        raise UsageError(
            "Interpreter(model=...) takes a model spec string, a provider (an object "
            "with `spec` and `complete(request)`) or a function of the messages"
        )
    return FunctionProvider(model, spec)


def _settings(settings: Settings | None, config: dict[str, Any] | None) -> Settings:
    """`settings` (by default the configuration's) with `config`'s values on top,
    checked as command-line options are."""
    if settings is None:
        return load_settings(config)
    return settings.with_checked("Interpreter(config=...)", config or {})


def read_source(path: Path) -> str:
    """The text of the program file `path`, or a file-error saying why it cannot be one:
    it must be a regular file (reading a FIFO or a device could block or never end) of
    at most MAX_SOURCE_BYTES, in UTF-8."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise FileError(f"cannot read {path}: not a regular file")
        with path.open("rb") as handle:
            data = handle.read(MAX_SOURCE_BYTES + 1)
    except FileNotFoundError:
        raise FileError(f"cannot read {path}: no such file") from None
    except OSError as error:
        raise FileError(f"cannot read {path}: {error.strerror}") from None
    return decode_source(data, str(path))


def decode_source(data: bytes, name: str) -> str:
    """`data` as program text: UTF-8, a leading byte-order mark dropped, at most
    MAX_SOURCE_BYTES; a file-error naming `name` and the place of a byte that is not
    UTF-8 otherwise."""
    if len(data) > MAX_SOURCE_BYTES:
        limit = MAX_SOURCE_BYTES // (1024 * 1024)
        raise FileError(f"cannot read {name}: larger than {limit} MiB, the limit for a program")
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return Utf8Decoder().decode(data)
    except NotUtf8Error as error:
        raise FileError(f"cannot read {name}: {error}") from None
