"""What the task language adds to the language: its forms and its procedures' names.

The forms are registered like any layer's. The procedures (tasks/runner.py and
tasks/values.py) are made on first use of any of `TASK_PROCEDURES`, so a program that
never names one never loads the task runner, the Handler or a provider.

`define-task` and `define-tool` are derived forms: they rewrite into calls of the
procedures `make-task` and `make-tool` (tasks/runner.py, tasks/tools.py).
`with-context` and `context-ref` are special forms over working memory: a
`with-context` frame holds task-specific entries for the extent of its body, and a task
sees only the entries it asks for by name.
"""

from __future__ import annotations

from typing import Any

from interpreter.errors import SchemeError, SchemeSyntaxError
from interpreter.lang.analyze.analyzer import Scope
from interpreter.lang.datums import Keyword, Symbol, is_pair
from interpreter.lang.expand import (
    DEFINE,
    LAMBDA,
    QUOTE,
    cells,
    check_length,
    make,
    strip_aliases,
)
from interpreter.lang.printer import write_string
from interpreter.lang.raising import type_error
from interpreter.lang.registry import FormRegistry
from interpreter.source import Span
from interpreter.tasks.state import bound

S = Symbol
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
        S("make-task"),
        make([QUOTE, head.car], span),
        make([QUOTE, make(params, hspan)], span),
        template[0],
        *options,
    ]
    return make([DEFINE, head.car, make(call, span)], span)


@TASK_FORMS.derived_form("define-tool")
def expand_define_tool(form: Any, span: Span | None) -> Any:
    """(define-tool (name (param type "description") ...) "description" body ...)
    => (define name (make-tool 'name "description" '((param type "description") ...) (lambda (param ...) body ...)))"""
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
    procedure = make([LAMBDA, make(names, hspan), *[x for x, _ in items[3:]]], span)
    call = [
        S("make-tool"),
        make([QUOTE, head.car], span),
        description,
        make([QUOTE, head.cdr], span),
        procedure,
    ]
    return make([DEFINE, head.car, make(call, span)], span)


def _options_then_body(items: list, form_name: str, span: Span | None) -> tuple[list, list]:
    """Split `#:key value ...` options from the expressions that follow them."""
    options: list = []
    index = 0
    while index < len(items) and isinstance(items[index][0], Keyword):
        if index + 1 >= len(items):
            raise SchemeSyntaxError(
                f"bad {form_name}: option {items[index][0]!r} needs a value", items[index][1]
            )
        options.extend([items[index][0], items[index + 1][0]])
        index += 2
    return options, [x for x, _ in items[index:]]


@TASK_FORMS.special_form("with-context", "(with-context ((key value) ...) body ...)")
def analyze_with_context(a, x, scope, tail, span):
    """(with-context ((key value) ...) body ...): working memory for the body's extent."""
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
            (
                _context_key(strip_aliases(parts[0][0])),
                a.analyze(parts[1][0], scope, False, parts[1][1]),
            )
        )
    body = a.body(items[2:], Scope((), scope), span, tail=False)

    working_memory = a.layer_state["tasks"].working_memory

    def with_context(env):
        frame = env.extend_context({key: value(env) for key, value in entries})
        with bound(working_memory, frame):
            return body(frame)

    return with_context


@TASK_FORMS.special_form("context-ref", "(context-ref key [default])")
def analyze_context_ref(a, x, scope, tail, span):
    items = cells(x, span, "context-ref")
    if len(items) not in (2, 3):
        raise SchemeSyntaxError("bad context-ref: expected (context-ref key [default])", span)
    key = a.analyze(items[1][0], scope, False, items[1][1])
    default = a.analyze(items[2][0], scope, False, items[2][1]) if len(items) == 3 else None

    def context_ref(env):
        wanted = key(env)
        if not isinstance(wanted, Symbol | str):
            raise type_error("context-ref", "a symbol or string key", wanted, 1).located(span)
        found, value = env.lookup_context(_context_key(wanted))
        if found:
            return value
        if default is not None:
            return default(env)
        keys = " ".join(write_string(k) for k in env.context_keys()) or "none"
        raise SchemeError(
            f"context-ref: no working-memory entry {write_string(wanted)} (in scope: {keys})"
        ).located(span)

    return context_ref


def _context_key(key: Any) -> Any:
    return Symbol(key) if isinstance(key, str) else key
