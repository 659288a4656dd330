"""Tasks: prompt templates that run under their own Handler, and the host procedures
programs use to define, run, compose and inspect them.

`TaskRunner` is the task layer of one run (or REPL session): it owns the model
connections, the run's budget and event bus, and the metrics of the last finished task,
and `primitives()` gives the procedures the interpreter installs (`make-task`, which
`define-task` expands into, `make-tool`, `llm`, `parallel-map`, `task-metrics`, ...).

Calling a task renders its prompt and runs one conversation under a fresh Handler:
each request is a counted turn, every message is charged before it is sent, tool calls
run the program's procedures and send their results back, and the Handler is released
whatever happens. Nothing is retried, and a limit ends the task at once with an error the
program can catch.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, NamedTuple

from interpreter.errors import (
    ArityError,
    BudgetExhaustedError,
    ConfigError,
    ProviderConfigError,
    ProviderError,
    SchemeError,
    TaskNestingError,
    TaskOutputError,
    TaskschemeError,
    ToolError,
)
from interpreter.lang.datums import (
    NIL,
    Environment,
    Keyword,
    Symbol,
    bound,
    frozen,
    list_to_python,
)
from interpreter.lang.primitives.common import check_memory
from interpreter.lang.printer import write_abbreviated, write_string
from interpreter.lang.raising import scheme_error, type_error
from interpreter.lang.runtime import split_keywords
from interpreter.lang.threads import Deadline, Interrupt
from interpreter.limits.budget import Budget
from interpreter.limits.events import EventBus
from interpreter.limits.handler import Handler
from interpreter.limits.messages import Message, ModelRequest, ToolCall
from interpreter.limits.metrics import ResourceMetrics
from interpreter.limits.models import ModelInfo, ModelSpec, resolve_model
from interpreter.limits.settings import TASK_OPTIONS, HandlerConfig, Settings
from interpreter.limits.tokens import prepare_encodings
from interpreter.providers import Provider, RecordingProvider, make_provider, options_from_settings
from interpreter.providers.base import output_instruction
from interpreter.providers.wire import output_parts, tool_parts
from interpreter.tasks.executors import Executor, ThreadExecutor
from interpreter.tasks.language import (
    LLM_OPTIONS,
    MAKE_TASK_OPTIONS,
    context_clash,
    llm_prompt_problem,
    loosening_problem,
    repeated_parameter,
    split_call,
    task_call_problem,
)
from interpreter.tasks.output import (
    Output,
    TypedOutput,
    decode,
    output_option,
    output_retries_option,
    repair_request,
)
from interpreter.tasks.parallel import parallel_map
from interpreter.tasks.state import TaskState
from interpreter.tasks.templates import Template, shown, system_prompt_problem
from interpreter.tasks.tools import (
    TOOL_ERRORS,
    AskUser,
    Tool,
    ToolParam,
    ask_through,
    failure_detail,
    make_tool,
    tool_errors_option,
)
from interpreter.tasks.values import PROCEDURES, budget_value, metrics_value

ASK_USER = "ask_user"


# Errors from inside a tool that end the calling task too instead of being reported to
# its model: the run is out of budget, the provider is failing, or the program is wrong.
_ENDS_THE_TASK = (BudgetExhaustedError, ProviderError, TaskNestingError)


@dataclass(frozen=True, eq=False)
class TaskOptions:
    """Everything about a task but its parameters and template. Compared by identity: the
    running-task chain uses it to recognise a task calling itself."""

    name: str
    config: HandlerConfig
    model: str | None
    output: Output
    output_retries: int
    tools: tuple[Tool, ...]
    context: tuple[str, ...]
    interactive: bool
    # `#:tool-errors 'raise`: the first error of a tool's procedure ends the task
    raise_tool_errors: bool = False
    # what a typed output (a Python class, from a host) makes of the decoded answer
    convert: Callable[[Any], Any] | None = None


class Task:
    """A task made by `define-task`: calling it with its arguments runs it."""

    is_procedure = True

    def __init__(
        self, runner: TaskRunner, params: tuple[str, ...], template: str, options: TaskOptions
    ) -> None:
        self.name = self.scheme_name = options.name
        self.runner = runner
        self.params = params
        self.options = options
        clash = context_clash(self.name, params, options.context)
        if clash is not None:
            raise clash
        available = [*params, *options.context]
        self.template = Template(template, self.name, available)
        unfilled = system_prompt_problem(self.name, options.config.system_prompt, available)
        if unfilled is not None:
            raise unfilled

    def __call__(self, *args: Any) -> Any:
        problem = task_call_problem(self.name, self.params, args)
        if problem is not None:
            raise problem
        positional, tightened = split_call(self.name, args)
        config = self.runner.tightened(self.options, tightened)
        values = dict(zip(self.params, positional, strict=True))
        context = _context_values(
            self.name, self.options.context, self.runner.state.working_memory.get()
        )
        prompt = self.template.render({**values, **context})
        unplaced = [key for key in self.options.context if key not in self.template.names]
        if unplaced:
            lines = "\n".join(f"{key}: {shown(context[key])}" for key in unplaced)
            prompt += f"\n\nContext:\n{lines}"
        return self.runner.run(self.options, prompt, config)


def _context_values(task: str, keys: tuple[str, ...], environment: Environment) -> dict[str, Any]:
    """The working-memory entries the task asked for, from `environment`, the innermost
    running `with-context`'s."""
    values = {}
    for key in keys:
        found, value = environment.lookup_context(key)
        if not found:
            in_scope = ", ".join(str(k) for k in environment.context_keys())
            raise SchemeError(
                f"{task}: working-memory key {key} is not in scope (in scope: {in_scope or 'none'})"
            )
        values[key] = value
    return values


class _Model(NamedTuple):
    provider: Provider
    info: ModelInfo


def ask_on_terminal(question: str) -> str:
    """The default `ask_user`: the question on stderr, the answer one line of stdin."""
    print(question, file=sys.stderr)
    print("> ", end="", file=sys.stderr, flush=True)
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\n")


# The task layer's procedures that are the runner's own methods, by the names programs
# call them; with make-tool and the accessors of values.py, they are TASK_PROCEDURES.
_RUNNER_PROCEDURES = {
    "make-task": "make_task",
    "llm": "llm",
    "task-metrics": "task_metrics",
    "run-budget": "run_budget",
    "parallel-map": "parallel_map",
}


class TaskRunner:
    """The task layer of one run: models, budget, events, and the last task's metrics.

    Models are connected on first use (a program that never calls one needs no SDK or
    key) and shared by every task of the run; each task call still gets its own Handler.
    With `record_path`, every exchange is recorded to that one cassette. `interrupts` is
    the run's: the workers of a parallel-map evaluate under it, so interrupting the run
    stops them too.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        provider: Provider | None = None,
        events: EventBus | None = None,
        budget: Budget | None = None,
        ask_user: AskUser | None = None,
        record_path: str | None = None,
        state: TaskState | None = None,
        executor: Executor | None = None,
        interrupts: Interrupt | None = None,
        model_check: Callable[[str, str], None] | None = None,
        executors: Mapping[str, Callable[[], Executor]] | None = None,
    ) -> None:
        self.settings = settings
        # called with (task, spec) before a task uses a model other than the run's own
        self.model_check = model_check
        self.state = state or TaskState()
        self.executor: Executor = executor or ThreadExecutor(interrupts or Interrupt())
        # the other executors, by name, made on first use (starting Ray takes seconds)
        self._make_executor = dict(executors or {})
        self._executors: dict[str, Executor] = {"threads": self.executor}
        self._executors_lock = threading.Lock()
        self.events = events
        self.budget = budget
        self.ask_user = ask_user or ask_on_terminal
        self.record_path = record_path
        self.last_metrics: ResourceMetrics | None = None
        # The REPL's ,transcript shows the last task's conversation; a run keeps none.
        self.keep_transcript = False
        self.last_transcript: list[dict[str, Any]] = []
        self._thread_last = threading.local()  # what (task-metrics) reads
        self._given = provider
        self._default_spec: str = provider.spec if provider is not None else settings.get("model")
        # Recording and replaying use one model for the whole run (a cassette has one).
        self._single_model = (
            record_path is not None
            or hasattr(provider, "recorded_model")
            or (provider is None and ModelSpec.parse(self._default_spec).provider == "replay")
        )
        self._models: dict[str, _Model] = {}
        self._lock = threading.Lock()
        self._ask_lock = threading.Lock()
        self._ask_tool = Tool(
            ASK_USER,
            "Ask the user a question and get their answer. Use it when you need "
            "information only the user has.",
            [ToolParam("question", "string", "The question to ask the user.")],
            self._ask,
        )

    # -- the procedures programs call -----------------------------------------------------

    def primitives(self) -> dict[str, Callable[..., Any]]:
        """The host procedures of the task layer, by the name programs call them."""
        procedures: dict[str, Callable[..., Any]] = {
            name: getattr(self, method) for name, method in _RUNNER_PROCEDURES.items()
        }
        procedures.update({"make-tool": make_tool, **PROCEDURES})
        return {name: _named(name, fn) for name, fn in procedures.items()}

    def make_task(self, *args: Any) -> Task:
        """`(make-task 'name '(param ...) template #:option value ...)`; what `define-task`
        expands into."""
        args = tuple(map(frozen, args))
        if len(args) < 3:
            raise ArityError(
                f"make-task: expects a name, a parameter list and a template, got {len(args)} argument(s)"
            )
        name, params, template, *rest = args
        if not isinstance(name, Symbol):
            raise type_error("make-task", "a symbol naming the task", name, 1)
        names = _names("make-task", "a list of parameter names", params, 2)
        twice = repeated_parameter(name.name, names)
        if twice is not None:
            raise twice
        if not isinstance(template, str):
            raise type_error(name.name, "a template string", template, 3)
        extra, keywords = split_keywords(name.name, rest, MAKE_TASK_OPTIONS)
        if extra:
            raise SchemeError(
                f"{name.name}: expected #:option value pairs after the template, got {write_string(extra[0])}"
            )
        task = Task(self, names, template, self._options(name.name, keywords))
        self.warm_up(task.options.model, background=True)
        return task

    def llm(self, *args: Any) -> Any:
        """`(llm prompt #:option value ...)`: a one-off task named "llm" on `prompt` as it is."""
        positional, keywords = split_keywords("llm", tuple(map(frozen, args)), LLM_OPTIONS)
        problem = llm_prompt_problem(positional)
        if problem is not None:
            raise problem
        return self.run(self._options("llm", keywords), positional[0])

    def parallel_map(self, *args: Any) -> Any:
        return parallel_map(
            self._executor_named,
            self.settings.get("workers"),
            self.settings.get("executor"),
            *args,
            events=self.events,
        )

    def use_settings(self, settings: Settings) -> None:
        """Use `settings` for the tasks made from now on and every `llm` call (the REPL's
        ,limits and ,model change them mid-session)."""
        self.settings = settings
        if self._given is None:
            self._default_spec = settings.get("model")

    def _executor_named(self, name: str) -> Executor:
        with self._executors_lock:
            if name not in self._executors:
                make = self._make_executor.get(name)
                if make is None:
                    raise ConfigError(f"parallel-map: the {name} executor is not available here")
                self._executors[name] = make()
            return self._executors[name]

    def close(self) -> None:
        """Close the executors that hold resources (a Ray cluster started for the run)."""
        with self._executors_lock:
            executors, self._executors = self._executors, {"threads": self.executor}
        for executor in executors.values():
            close = getattr(executor, "close", None)
            if close is not None:
                close()

    def warm_up(self, spec: str | None = None, *, background: bool = False) -> None:
        """Load the tokenizer encoding of model `spec` (the run's model if None), if it
        is known without connecting to the model, now or in the background."""
        encoding = self._encoding_of(spec or self._default_spec)
        if encoding is not None:
            prepare_encodings([encoding], background=background)

    def _encoding_of(self, spec: str) -> str | None:
        """The encoding model `spec` is counted with, from its connection or the model
        registry; None when only connecting would tell (a cassette named by its path)
        or when `spec` is no model (its task says so when it runs)."""
        with self._lock:
            connected = self._models.get(spec)
        if connected is not None:
            return connected.info.encoding
        try:
            if self._given is not None and spec == self._default_spec:
                return self._model_info(self._given).encoding
            return resolve_model(spec, self.settings.model_overrides).encoding
        except TaskschemeError:
            return None

    def default_provider(self) -> Provider:
        """The provider of the run's default model, connected now (a RecordingProvider
        when the run records): executors in other processes share its cassette."""
        return self._model("the run", None).provider

    def task_metrics(self) -> Any:
        """The metrics of the last task that finished on this thread, as an alist, or #f.
        Per thread, so each parallel-map item can read its own task's figures."""
        metrics = getattr(self._thread_last, "metrics", None)
        return False if metrics is None else metrics_value(metrics)

    def run_budget(self) -> Any:
        """The run budget's usage as an alist, or #f when the run has no budget."""
        return False if self.budget is None else budget_value(self.budget.snapshot())

    # -- options ----------------------------------------------------------------------------

    def _options(self, task: str, keywords: Mapping[Keyword, Any]) -> TaskOptions:
        given = {keyword.name: value for keyword, value in keywords.items()}
        overrides = {
            TASK_OPTIONS[option].name: self._limit(task, option, value)
            for option, value in given.items()
            if option in TASK_OPTIONS
        }
        interactive = given.get("interactive", False)
        if not isinstance(interactive, bool):
            raise type_error(task, "#t or #f for #:interactive", interactive)
        tools = _tools(task, given.get("tools", NIL), interactive)
        raise_tool_errors = tool_errors_option(task, given.get("tool-errors", TOOL_ERRORS[0]))
        context = _names(
            task,
            "a list of working-memory keys for #:context",
            given.get("context", NIL),
            "#:context",
        )
        written_output = given.get("output", Symbol("text"))
        output = output_option(task, written_output)
        convert = written_output.convert if isinstance(written_output, TypedOutput) else None
        retries = output_retries_option(task, given.get("output-retries", 0))
        config = self.settings.handler_config(**overrides)
        instruction = output_instruction(output)
        if instruction:
            # Asking for JSON is part of the system prompt, so it is charged and sent
            # the same way to every provider.
            system = "\n\n".join(part for part in (config.system_prompt, instruction) if part)
            config = dataclasses.replace(config, system_prompt=system)
        return TaskOptions(
            name=task,
            config=config,
            model=overrides.get("model"),
            output=output,
            output_retries=retries,
            tools=tools,
            context=context,
            interactive=interactive,
            raise_tool_errors=raise_tool_errors,
            convert=convert,
        )

    def _limit(self, task: str, option: str, written: Any) -> Any:
        """The value of a task option that overrides a setting, checked by that setting's
        own check so that an error names the option and the value as they were written.
        An exact number is checked as it is before it becomes a float (a huge one would
        overflow), and again after (a tiny one may round to 0)."""
        setting, models = TASK_OPTIONS[option], self.settings.model_overrides
        value, problem = written, setting.problem(written, models)
        if problem is None:
            value = _number(written)
            problem = setting.problem(value, models)
        if problem:
            raise ConfigError(f"{task}: #:{option} {write_abbreviated(written)} {problem}")
        return value

    # -- running ----------------------------------------------------------------------------

    def tightened(self, options: TaskOptions, limits: Mapping[Keyword, Any]) -> HandlerConfig:
        """The task's limits with those a call tightens (`#:max-turns 1`); a value looser
        than the task's own limit is an error, since a call may only tighten."""
        config = options.config
        changed = {}
        for keyword, written in limits.items():
            value = self._limit(options.name, keyword.name, written)
            field = TASK_OPTIONS[keyword.name].handler_field
            problem = loosening_problem(options.name, keyword.name, value, getattr(config, field))
            if problem is not None:
                raise problem
            changed[field] = value
        return dataclasses.replace(config, **changed) if changed else config

    def run(self, options: TaskOptions, prompt: str, config: HandlerConfig | None = None) -> Any:
        """Run one task on its rendered prompt under a fresh Handler (with `config`, the
        limits of this call, if a call tightened the task's); its result."""
        with self._entered(options):
            model = self._model(options.name, options.model)
            handler = Handler(
                config or options.config,
                model.info,
                task=options.name,
                budget=self.budget,
                events=self.events,
            )
            try:
                with handler:
                    # max_seconds bounds the whole conversation, a request in flight too
                    deadline = Deadline(handler.seconds_left())
                    try:
                        with deadline:
                            return self._converse(options, handler, model, prompt)
                    except deadline.passed_error:
                        raise handler.out_of_time() from None
                    finally:
                        if self.keep_transcript:
                            self.last_transcript = handler.transcript()
            finally:
                self.last_metrics = self._thread_last.metrics = handler.final_metrics

    def _converse(self, options: TaskOptions, handler: Handler, model: _Model, prompt: str) -> Any:
        tools = options.tools + ((self._ask_tool,) if options.interactive else ())
        by_name = {tool.name: tool for tool in tools}
        specs = tuple(tool.spec for tool in tools)
        handler.charge_parts("tools", tool_parts(model.info.provider, specs))
        handler.charge_parts("output", output_parts(model.info.provider, options.output))
        handler.add_message(Message("user", prompt))
        retries = options.output_retries
        while True:
            check_memory(options.name)
            handler.begin_turn()
            request = ModelRequest(
                model.info.name,
                handler.conversation,
                specs,
                options.output,
                handler.request_cap,
                task=options.name,
            )
            response = model.provider.complete(request)
            handler.record_response(response)
            if not response.tool_calls:
                try:
                    result = decode(options.name, response, options.output, options.convert)
                except TaskOutputError as error:
                    turns = handler.metrics().turns
                    if retries == 0 or turns.used >= turns.limit:
                        raise
                    retries -= 1
                    handler.add_message(Message("user", repair_request(error)))
                    continue
                if options.output != "text" and options.convert is None:
                    self.state.note_json(result)
                return result
            # Tools run only if their results can be sent back: one turn for that
            # request, and one for each question to the user.
            questions = sum(
                1 for call in response.tool_calls if by_name.get(call.name) is self._ask_tool
            )
            handler.require_turns(
                1 + questions,
                "the tools the model asked for were not run, as their results could not be sent",
            )
            for call in response.tool_calls:
                handler.add_message(self._tool_result(options, handler, call, by_name))

    def _tool_result(
        self, options: TaskOptions, handler: Handler, call: ToolCall, by_name: dict[str, Tool]
    ) -> Message:
        """The tool message answering `call`. A call the model got wrong (no such tool,
        arguments that do not fit) is reported to it. An error of the tool's procedure
        is a tool error: counted, published as a "tool-error" event, and reported to the
        model, which may recover, unless the task raises tool errors (`#:tool-errors
        'raise`) or the error ends the task anyway (`_ENDS_THE_TASK`)."""
        tool = by_name.get(call.name)
        if tool is None:
            problem = (
                f"there is no tool named {call.name}; the tools are: {', '.join(by_name) or 'none'}"
            )
            handler.note_tool(call.name, call.id, problem)
            return _error_result(call, problem)
        if tool is self._ask_tool:
            handler.begin_turn(request=False)  # an exchange with the user counts as a turn
        try:
            values = tool.arguments(call.arguments)
        except ToolError as error:
            handler.note_tool(call.name, call.id, error.headline())
            return _error_result(call, error.headline())
        try:
            content = tool.run(values)
        except _ENDS_THE_TASK as error:
            handler.note_tool(call.name, call.id, error.headline())
            raise
        except TaskschemeError as error:
            raised = options.raise_tool_errors
            handler.note_tool(
                call.name, call.id, error.headline(), failure=failure_detail(error, raised)
            )
            if raised:
                raise
            return _error_result(call, error.headline())
        handler.note_tool(call.name, call.id)
        return Message("tool", content, tool_call_id=call.id)

    def _ask(self, question: str) -> str:
        asking = self.state.chain.get()[-1]
        provider = self._model(asking.name, asking.model).provider
        try:
            # One question at a time: interactive tasks in a parallel-map must not print
            # their questions together and read each other's answers.
            with self._ask_lock:
                answer = ask_through(provider, asking.name, question, self.ask_user)
        except EOFError:
            raise SchemeError("the user gave no answer (end of input)") from None
        if not isinstance(answer, str):
            raise scheme_error("ask_user: the answer must be a string", [answer])
        return answer

    @contextmanager
    def _entered(self, options: TaskOptions) -> Iterator[None]:
        """Push the task on this thread's chain of running tasks, refusing cycles and
        nesting deeper than max_task_depth."""
        chain = self.state.chain.get()
        if options in chain:
            cycle = [o.name for o in chain[chain.index(options) :]]
            raise TaskNestingError("task cycle: " + " -> ".join([*cycle, options.name]))
        depth = self.settings.get("max_task_depth")
        if len(chain) >= depth:
            names = " -> ".join([*(o.name for o in chain), options.name])
            raise TaskNestingError(
                f"tasks nested too deeply: {names} is deeper than max_task_depth {depth}"
            )
        with bound(self.state.chain, (*chain, options)):
            yield

    # -- models -----------------------------------------------------------------------------

    def _model(self, task: str, wanted: str | None) -> _Model:
        """The provider and accounting facts for a task's model (the run's by default)."""
        if wanted is not None and wanted != self._default_spec and self.model_check is not None:
            self.model_check(task, wanted)
        with self._lock:
            if wanted is None or wanted == self._default_spec:
                return self._connect(self._default_spec)
            if not self._single_model:
                return self._connect(wanted)
            default = self._connect(self._default_spec)
            if ModelSpec.parse(wanted).canonical == default.info.spec:
                return default
            doing = "records" if self.record_path is not None else "replays"
            raise ProviderConfigError(
                f"{task}: #:model {wanted} cannot be used: this run {doing} one model, "
                f"{default.info.spec}, and every task must use it"
            )

    def _connect(self, spec: str) -> _Model:
        """Connect `spec` once per run (the lock is held)."""
        model = self._models.get(spec)
        if model is not None:
            return model
        given = self._given
        if given is not None and spec == given.spec:
            provider: Provider = given
        else:
            provider = make_provider(spec, options_from_settings(self.settings.values))
        info = self._model_info(provider)
        if self.record_path is not None:
            configured = (
                info.spec in self.settings.model_overrides or spec in self.settings.model_overrides
            )
            window = (
                {"input_window": info.input_window, "encoding": info.encoding} if configured else {}
            )
            provider = RecordingProvider(provider, self.record_path, **window)
        model = self._models[spec] = _Model(provider, info)
        return model

    def _model_info(self, provider: Provider) -> ModelInfo:
        """A replayed run is accounted as the recorded model, with the window and encoding
        the cassette's header gives, if any."""
        overrides = dict(self.settings.model_overrides)
        recorded = getattr(provider, "recorded_model", None)
        if recorded is None:
            return resolve_model(provider.spec, overrides)
        header = {
            key: value
            for key, value in (
                ("input_window", provider.input_window),
                ("encoding", provider.encoding),
            )
            if value is not None
        }
        if header:
            overrides[recorded] = {**overrides.get(recorded, {}), **header}
        return resolve_model(recorded, overrides)


def _error_result(call: ToolCall, problem: str) -> Message:
    """The tool message telling the model its call failed with `problem`."""
    return Message("tool", f"error: {problem}", tool_call_id=call.id, is_error=True)


def _named(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` as a host procedure called `name` (errors and `write` show that name)."""

    @functools.wraps(fn)
    def procedure(*args: Any) -> Any:
        return fn(*args)

    procedure.scheme_name = name  # type: ignore[attr-defined]
    return procedure


def _number(value: Any) -> Any:
    """Exact fractions (`1/2`) are numbers to the configuration too."""
    return float(value) if type(value) is Fraction else value


def _list(proc: str, expected: str, value: Any, position: int | str) -> list[Any]:
    """The items of a list argument (`position`) or option (like "#:tools")."""
    try:
        return list_to_python(value, proc, position)
    except ValueError:
        argument = position if type(position) is int else None
        raise type_error(proc, expected, value, argument) from None


def _names(proc: str, expected: str, value: Any, position: int | str) -> tuple[str, ...]:
    """The names in a list of symbols (or strings)."""
    items = [frozen(item) for item in _list(proc, expected, value, position)]
    if not all(isinstance(item, Symbol | str) for item in items):
        raise type_error(proc, expected, value, position)
    return tuple(item if isinstance(item, str) else item.name for item in items)


def _tools(task: str, value: Any, interactive: bool) -> tuple[Tool, ...]:
    tools = _list(task, "a list of tools for #:tools", value, "#:tools")
    names: list[str] = [ASK_USER] if interactive else []
    for tool in tools:
        if not isinstance(tool, Tool):
            raise type_error(task, "tools made by define-tool in #:tools", tool)
        if tool.name in names:
            why = " (an interactive task has its own)" if tool.name == ASK_USER else ""
            raise SchemeError(f"{task}: two tools are named {tool.name}{why}")
        names.append(tool.name)
    return tuple(tools)
