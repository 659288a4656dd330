"""What the task language adds to the language: its forms and its procedures' names.

The forms are registered like any layer's. The procedures (tasks/runner.py and
tasks/values.py) are made on first use of any of `TASK_PROCEDURES`, so a program that
never names one never loads the task runner, the Handler or a provider.

`define-task` and `define-tool` are derived forms: they rewrite into calls of the
procedures `make-task` and `make-tool` (tasks/runner.py, tasks/tools.py).
`with-context` and `context-ref` are special forms over working memory: a
`with-context` frame holds task-specific entries for the extent of its body, and a task
sees only the entries it asks for by name.

The option keywords of `make-task`, `llm` and `parallel-map` are named here, and
`taskscheme check` is given what to look for in calls of them (unknown options,
placeholders that name nothing) and of the tasks `make-task` makes (their arguments),
wherever the program writes those out as constants.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from interpreter.errors import (
    ArityError,
    ConfigError,
    SchemeError,
    SchemeSyntaxError,
    TaskschemeError,
)
from interpreter.lang.analyze.analyzer import Scope
from interpreter.lang.datums import (
    NIL,
    Keyword,
    SourcePair,
    Symbol,
    bound,
    frozen,
    is_pair,
    list_to_python,
)
from interpreter.lang.expand import (
    DEFINE,
    QUOTE,
    cells,
    check_length,
    make,
    strip_aliases,
)
from interpreter.lang.printer import write_string
from interpreter.lang.raising import type_error
from interpreter.lang.registry import Arguments, CheckCall, FormRegistry
from interpreter.lang.runtime import split_keywords
from interpreter.limits.settings import TASK_OPTIONS
from interpreter.source import Span
from interpreter.tasks.output import output_option
from interpreter.tasks.parallel import PARALLEL_MAP_OPTIONS, parallel_map_arguments_problem
from interpreter.tasks.templates import system_prompt_problem, unknown_placeholders
from interpreter.tasks.tools import tool_errors_option, tool_param

S = Symbol
NAMED_LAMBDA = S("named-lambda")
TASK_FORMS = FormRegistry("the task language")
TASK_PROCEDURES = frozenset(
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

# The options of `llm` (a one-off task), and of `make-task`, whose task may also see
# working-memory keys: the settings a task may override, and the task layer's own.
LLM_OPTIONS = [
    Keyword(name)
    for name in (*TASK_OPTIONS, "output", "output-retries", "tools", "tool-errors", "interactive")
]
CONTEXT, SYSTEM, OUTPUT = Keyword("context"), Keyword("system"), Keyword("output")
TOOL_ERRORS = Keyword("tool-errors")
MAKE_TASK_OPTIONS = [*LLM_OPTIONS, CONTEXT]
# The limits a call of a task may tighten for that call: `(classify t #:max-turns 1)`.
CALL_OPTIONS = [
    Keyword(name)
    for name in ("max-turns", "context-fraction", "max-output-tokens", "max-cost", "max-seconds")
]


# The rules below are shared by the task procedures, which raise what they return, and
# by `check`, which reports it at the place the program wrote the arguments.


def split_call(task: str, args: Sequence[Any]) -> tuple[list[Any], dict[Keyword, Any]]:
    """A task call's arguments and the limits it tightens (`#:max-turns 1`); raises
    ArityError for any other option, which belongs in define-task."""
    for index, arg in enumerate(args):
        if isinstance(arg, Keyword) and arg not in CALL_OPTIONS and index + 1 < len(args):
            limits = " ".join(f"#:{option.name}" for option in CALL_OPTIONS)
            raise ArityError(
                f"{task}: a task call takes its arguments and may tighten its limits "
                f"({limits}), not #:{arg.name}; other options belong in define-task"
            )
    return split_keywords(task, list(args), CALL_OPTIONS)


def task_call_problem(task: str, params: Sequence[str], args: Sequence[Any]) -> ArityError | None:
    """The error for calling the task with `args`, if it cannot take them: a task takes
    exactly its parameters, and may tighten its limits."""
    try:
        positional, _ = split_call(task, args)
    except ArityError as error:
        return error
    if len(positional) != len(params):
        expected = f"{len(params)} argument{'' if len(params) == 1 else 's'}"
        return ArityError(f"{task}: expects {expected}, got {len(positional)}")
    return None


def loosening_problem(task: str, option: str, value: Any, limit: Any) -> ConfigError | None:
    """The error for a call's `#:option value` that is looser than the task's `limit`
    (None: the task sets none): a call may only tighten a task's limits."""
    if limit is None or value <= limit:
        return None
    return ConfigError(
        f"{task}: #:{option} {write_string(value)} at a call would loosen the task's "
        f"limit of {write_string(limit)}; a call may only tighten its limits"
    )


def llm_prompt_problem(positional: Sequence[Any]) -> SchemeError | None:
    """The error for `positional`, the arguments of `llm` besides its options, unless
    they are one prompt string."""
    if len(positional) == 1 and isinstance(positional[0], str):
        return None
    got = " ".join(write_string(value) for value in positional) or "no prompt"
    return SchemeError(f"llm: expects one prompt string, then #:option value pairs; got {got}")


def repeated_parameter(task: str, params: Sequence[str]) -> SchemeError | None:
    """The error for a parameter named twice, if one is."""
    twice = next((param for param in params if params.count(param) > 1), None)
    return None if twice is None else SchemeError(f"{task}: parameter {twice} appears twice")


def context_clash(task: str, params: Sequence[str], context: Sequence[str]) -> SchemeError | None:
    """The error for names that are both parameters and requested context keys, if any:
    a placeholder could not tell which it means."""
    both = [key for key in context if key in params]
    if not both:
        return None
    return SchemeError(f"{task}: {', '.join(both)} is both a parameter and a requested context key")


@TASK_FORMS.derived_form("define-task")
def expand_define_task(form: Any, span: Span | None) -> Any:
    """(define-task (name param ...) #:option value ... template)
    => (define name (make-task 'name '(param ...) template #:option value ...))"""
    items = cells(form, span, "define-task")
    usage = '(define-task (name param ...) #:option value ... "template")'
    check_length(items, 3, None, "define-task", usage, span)
    head, hspan = items[1]
    if not is_pair(head) or not isinstance(head.car, Symbol):
        raise SchemeSyntaxError(f"bad define-task: expected {usage}", hspan)
    params = [p for p, _ in cells(head.cdr, hspan, "define-task parameters")]
    for param in params:
        if not isinstance(param, Symbol):
            raise SchemeSyntaxError("bad define-task: parameters must be symbols", hspan)
    options, template = _options_then_body(items[2:], "define-task", span)
    if len(template) != 1:
        raise SchemeSyntaxError(
            f"bad define-task: expected exactly one template after the options, {usage}", span
        )
    call = [
        (S("make-task"), span),
        (make([QUOTE, head.car], hspan), hspan),
        (make([QUOTE, make(params, hspan)], hspan), hspan),
        template[0],
        *options,
    ]
    return make([DEFINE, head.car, _spanned_form(call, span)], span)


@TASK_FORMS.derived_form("define-tool")
def expand_define_tool(form: Any, span: Span | None) -> Any:
    """(define-tool (name (param type "description") ...) "description" body ...)
    => (define name (make-tool 'name "description" '((param type "description") ...)
                               (named-lambda (name param ...) body ...)))
    The procedure is named after the tool, so an error in it shows the tool's name in
    its call chain."""
    items = cells(form, span, "define-tool")
    usage = '(define-tool (name (param type "description") ...) "description" body ...)'
    check_length(items, 4, None, "define-tool", usage, span)
    head, hspan = items[1]
    if not is_pair(head) or not isinstance(head.car, Symbol):
        raise SchemeSyntaxError(f"bad define-tool: expected {usage}", hspan)
    specs = cells(head.cdr, hspan, "define-tool parameters")
    names = []
    for spec, sspan in specs:
        parts = cells(spec, sspan, "tool parameter") if is_pair(spec) else []
        if not parts or not isinstance(parts[0][0], Symbol):
            raise SchemeSyntaxError('bad tool parameter: expected (name type "description")', sspan)
        names.append(parts[0][0])
    description = items[2][0]
    if not isinstance(description, str):
        raise SchemeSyntaxError(
            "bad define-tool: the description string comes after the name and parameters",
            items[2][1],
        )
    procedure = make(
        [NAMED_LAMBDA, make([head.car, *names], hspan), *[x for x, _ in items[3:]]], span
    )
    call = [
        S("make-tool"),
        make([QUOTE, head.car], span),
        description,
        make([QUOTE, head.cdr], span),
        procedure,
    ]
    return make([DEFINE, head.car, make(call, span)], span)


def _options_then_body(
    items: Arguments, form_name: str, span: Span | None
) -> tuple[Arguments, Arguments]:
    """Split `#:key value ...` options from the expressions that follow them, each
    with its span."""
    index = 0
    while index < len(items) and isinstance(items[index][0], Keyword):
        if index + 1 >= len(items):
            raise SchemeSyntaxError(
                f"bad {form_name}: option {items[index][0]!r} needs a value", items[index][1]
            )
        index += 2
    return items[:index], items[index:]


def _spanned_form(items: Arguments, span: Span | None) -> Any:
    """A list form whose cells keep the spans their elements were written at, so that
    `check` can point at an option or the template inside a rewritten define-task."""
    form: Any = NIL
    for item, item_span in reversed(items):
        form = SourcePair(item, form, span, item_span)
    return form


# -- what `taskscheme check` looks for in calls of the task procedures ----------------------

_NOT_CONSTANT = object()


def _check_task_calls(args: Arguments) -> CheckCall | None:
    """The check of calls of the task a make-task call makes, when its name and
    parameters are written out."""
    task = _constant(args[0][0]) if args else _NOT_CONSTANT
    params = _names(_constant(args[1][0])) if len(args) > 1 else None
    if not isinstance(task, Symbol) or params is None:
        return None
    defined = _split_options(args[3:])[1]

    def check_task_call(call_args: Arguments, span: Span | None) -> list[TaskschemeError]:
        problem = task_call_problem(task.name, params, [arg for arg, _ in call_args])
        if problem is not None:
            return _located(problem, span)
        return _call_limit_problems(task.name, defined, _split_options(call_args)[1])

    return check_task_call


def _call_limit_problems(
    task: str, defined: Arguments, tightened: Arguments
) -> list[TaskschemeError]:
    """A limit written at a call that is no valid value, or that loosens the limit the
    task's definition writes out."""
    problems: list[TaskschemeError] = []
    for index in range(0, len(tightened) - 1, 2):
        (keyword, _), (written, span) = tightened[index], tightened[index + 1]
        value = _constant(written)
        if value is _NOT_CONSTANT:
            continue
        problem = TASK_OPTIONS[keyword.name].problem(value, {})
        if problem:
            problems.append(
                ConfigError(f"{task}: #:{keyword.name} {write_string(value)} {problem}").located(
                    span
                )
            )
            continue
        limit = _constant(_option(defined, keyword, (None, None))[0])
        if isinstance(limit, int | float) and not isinstance(limit, bool):
            problems.extend(_located(loosening_problem(task, keyword.name, value, limit), span))
    return problems


@TASK_FORMS.call_check("make-task", makes=_check_task_calls)
def check_make_task(args: Arguments, span: Span | None) -> list[TaskschemeError]:
    """What make-task would refuse, where the program writes it out: unknown options,
    an #:output that is no output kind or schema, parameters named twice or also
    requested as context, and placeholders the task could never fill."""
    task = _constant(args[0][0]) if len(args) >= 3 else _NOT_CONSTANT
    if not isinstance(task, Symbol):
        return []
    name, options = task.name, _split_options(args[3:])[1]
    problems = _option_problems(name, options, MAKE_TASK_OPTIONS)
    problems.extend(_value_problems(name, options))
    params = _names(_constant(args[1][0]))
    context_value, context_span = _option(options, CONTEXT, (NIL, span))
    context = _names(_constant(context_value))
    if params is not None:
        problems.extend(_located(repeated_parameter(name, params), args[1][1]))
    if params is None or context is None:
        return problems  # the names the templates may use are known only when it runs
    problems.extend(_located(context_clash(name, params, context), context_span))
    available = [*params, *context]
    template, template_span = args[2]
    if isinstance(template, str):
        unknown = unknown_placeholders(template, name, available)
        problems.extend(error.located(template_span) for error in unknown)
    system, system_span = _option(options, SYSTEM, (None, span))
    if isinstance(system, str):
        problems.extend(_located(system_prompt_problem(name, system, available), system_span))
    return problems


@TASK_FORMS.call_check("make-tool")
def check_make_tool(args: Arguments, span: Span | None) -> list[TaskschemeError]:
    """Tool parameters that are not `(name type "description")` with a known type."""
    tool = _constant(args[0][0]) if len(args) == 4 else _NOT_CONSTANT
    if not isinstance(tool, Symbol) or _constant(args[2][0]) is _NOT_CONSTANT:
        return []
    try:
        entries = cells(args[2][0].cdr.car, args[2][1], "tool parameters")
    except SchemeSyntaxError:
        return []  # not a list: make-tool says so when it runs
    problems: list[TaskschemeError] = []
    for entry, entry_span in entries:
        try:
            tool_param(tool.name, strip_aliases(entry))
        except TaskschemeError as error:
            problems.append(error.located(entry_span))
    return problems


@TASK_FORMS.call_check("llm")
def check_llm(args: Arguments, span: Span | None) -> list[TaskschemeError]:
    """Unknown options, and anything but one prompt string besides them."""
    positional, options = _split_options(args)
    problems = _option_problems("llm", options, LLM_OPTIONS)
    problems.extend(_value_problems("llm", options))
    # one prompt that is an expression may well be a string when it runs
    if len(positional) != 1 or _constant(positional[0][0]) is not _NOT_CONSTANT:
        problems.extend(_located(llm_prompt_problem([_as_written(a) for a, _ in positional]), span))
    return problems


@TASK_FORMS.call_check("parallel-map")
def check_parallel_map(args: Arguments, span: Span | None) -> list[TaskschemeError]:
    """Unknown options, and anything but a procedure and a list besides them."""
    positional, options = _split_options(args)
    problems = _option_problems("parallel-map", options, PARALLEL_MAP_OPTIONS)
    problems.extend(_located(parallel_map_arguments_problem(len(positional)), span))
    return problems


def _located(error: TaskschemeError | None, span: Span | None) -> list[TaskschemeError]:
    """`error`, if there is one, at `span`."""
    return [] if error is None else [error.located(span)]


def _split_options(args: Arguments) -> tuple[Arguments, Arguments]:
    """The positional arguments among `args`, and the `#:key value` options, in pairs
    (as the call splits them)."""
    positional: Arguments = []
    options: Arguments = []
    index = 0
    while index < len(args):
        if isinstance(args[index][0], Keyword):
            options.extend(args[index : index + 2])
            index += 2
        else:
            positional.append(args[index])
            index += 1
    return positional, options


def _option_problems(
    proc: str, options: Arguments, allowed: list[Keyword]
) -> list[TaskschemeError]:
    """An error for each keyword of `options` that `proc` does not take, at the keyword,
    as the call would report it."""
    problems: list[TaskschemeError] = []
    for index in range(0, len(options), 2):
        try:
            split_keywords(proc, [option for option, _ in options[index : index + 2]], allowed)
        except ArityError as error:
            problems.append(error.located(options[index][1]))
    return problems


def _value_problems(task: str, options: Arguments) -> list[TaskschemeError]:
    """An `#:output` written out that is not 'text, 'json or a valid JSON schema, and a
    `#:tool-errors` that is not 'model or 'raise."""
    problems: list[TaskschemeError] = []
    for keyword, check in ((OUTPUT, output_option), (TOOL_ERRORS, tool_errors_option)):
        written, span = _option(options, keyword, (_NOT_CONSTANT, None))
        value = _constant(written)
        if value is _NOT_CONSTANT:
            continue
        try:
            check(task, value)
        except TaskschemeError as error:
            problems.append(error.located(span))
    return problems


def _option(
    options: Arguments, keyword: Keyword, default: tuple[Any, Span | None]
) -> tuple[Any, Span | None]:
    """The expression given for `keyword` among `#:key value` options, with its span;
    `default` if there is none."""
    for index in range(0, len(options) - 1, 2):
        if options[index][0] is keyword:
            return options[index + 1]
    return default


def _constant(datum: Any) -> Any:
    """What `datum` evaluates to, if it is written as a constant (quoted, or
    self-evaluating); `_NOT_CONSTANT` if it can only be known by running the program."""
    if is_pair(datum):
        quoted = strip_aliases(datum.car) is QUOTE and is_pair(datum.cdr) and datum.cdr.cdr is NIL
        return strip_aliases(datum.cdr.car) if quoted else _NOT_CONSTANT
    return _NOT_CONSTANT if isinstance(datum, Symbol) else datum


def _as_written(datum: Any) -> Any:
    """`datum`'s value if it is a constant, else the expression itself, to show in a
    message."""
    value = _constant(datum)
    return datum if value is _NOT_CONSTANT else value


def _names(value: Any) -> tuple[str, ...] | None:
    """The names in a list of symbols or strings; None if `value` is not one."""
    try:
        items = list_to_python(value, "check")
    except (ValueError, TypeError, SchemeError):
        return None
    if not all(isinstance(item, Symbol | str) for item in items):
        return None
    return tuple(item if isinstance(item, str) else item.name for item in items)


@TASK_FORMS.special_form("with-context", "(with-context ((key value) ...) body ...)")
def analyze_with_context(a, x, scope, tail, span):
    """(with-context ((key value) ...) body ...): working memory for the body's extent,
    in an environment extending the current one that holds the entries as its context."""
    items = cells(x, span, "with-context")
    if len(items) < 3:
        raise SchemeSyntaxError(
            "bad with-context: expected (with-context ((key value) ...) body ...)", span
        )
    entries = []
    for binding, bspan in cells(items[1][0], items[1][1], "with-context entries"):
        parts = cells(binding, bspan, "with-context entry")
        if len(parts) != 2 or not isinstance(parts[0][0], Symbol | str):
            raise SchemeSyntaxError(
                "bad with-context entry: expected (key value) with a symbol or string key",
                bspan,
            )
        entries.append(
            (strip_aliases(parts[0][0]), a.analyze(parts[1][0], scope, False, parts[1][1]))
        )
    body = a.body(items[2:], Scope((), scope), span, tail=False)

    working_memory = a.layer_state["tasks"].working_memory

    def with_context(env):
        inner = env.extend((), (), context={key: value(env) for key, value in entries})
        with bound(working_memory, inner):
            return body(inner)

    return with_context


@TASK_FORMS.special_form("context-ref", "(context-ref key [default])")
def analyze_context_ref(a, x, scope, tail, span):
    items = cells(x, span, "context-ref")
    if len(items) not in (2, 3):
        raise SchemeSyntaxError("bad context-ref: expected (context-ref key [default])", span)
    key = a.analyze(items[1][0], scope, False, items[1][1])
    default = a.analyze(items[2][0], scope, False, items[2][1]) if len(items) == 3 else None

    def context_ref(env):
        wanted = frozen(key(env))
        if not isinstance(wanted, Symbol | str):
            raise type_error("context-ref", "a symbol or string key", wanted, 1).located(span)
        found, value = env.lookup_context(wanted)
        if found:
            return value
        if default is not None:
            return default(env)
        keys = " ".join(write_string(k) for k in env.context_keys()) or "none"
        raise SchemeError(
            f"context-ref: no working-memory entry {write_string(wanted)} (in scope: {keys})"
        ).located(span)

    return context_ref
