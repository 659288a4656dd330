"""The core special forms: each declares its name and usage and how it is analyzed.

A special form is analyzed by a function `(analyzer, form, scope, tail, span) -> node`
registered in `CORE_FORMS`; the analyzer dispatches to it by name. Everything else the
language has is a derived form (expand/), a macro, or a procedure.
"""

from __future__ import annotations

from typing import Any

from interpreter.errors import ArityError, SchemeSyntaxError, TaskschemeError, UnboundVariableError
from interpreter.lang.analyze.analyzer import Node, Scope, sequence
from interpreter.lang.analyze.codegen import used_before_definition
from interpreter.lang.analyze.nodes import constant_node, if_node
from interpreter.lang.control import DYNAMIC, GUARD_MARK, LazyThunk
from interpreter.lang.datums import (
    UNSPECIFIED,
    Environment,
    Parameter,
    Promise,
    SourcePair,
    Symbol,
    Values,
    is_pair,
)
from interpreter.lang.expand import (
    RECEIVE,
    SyntaxRules,
    cells,
    expand_named_let,
    make,
    strip_aliases,
)
from interpreter.lang.printer import write_abbreviated
from interpreter.lang.raising import type_error
from interpreter.lang.registry import FormRegistry
from interpreter.lang.runtime import CaseLambda, finish

S = Symbol
CORE_FORMS = FormRegistry("the core")


@CORE_FORMS.special_form("quote", "(quote datum)")
def analyze_quote(a, x, scope, tail, span):
    items = cells(x, span, "quote")
    if len(items) != 2:
        raise SchemeSyntaxError("bad quote: expected (quote datum)", span)
    return constant_node(strip_aliases(items[1][0]))


@CORE_FORMS.special_form("if", "(if test then [else])")
def analyze_if(a, x, scope, tail, span):
    items = cells(x, span, "if")
    if len(items) not in (3, 4):
        raise SchemeSyntaxError("bad if: expected (if test then [else])", span)
    test = a.analyze(items[1][0], scope, False, items[1][1])
    then = a.analyze(items[2][0], scope, tail, items[2][1])
    if len(items) == 3:
        return if_node(test, then, constant_node(UNSPECIFIED))
    return if_node(test, then, a.analyze(items[3][0], scope, tail, items[3][1]))


@CORE_FORMS.special_form("define", "(define name value) or (define (name arg ...) body ...)")
def analyze_define(a, x, scope, tail, span):
    items = cells(x, span, "define")
    if len(items) < 2:
        raise SchemeSyntaxError(
            "bad define: expected (define name value) or (define (name arg ...) body ...)", span
        )
    target = items[1][0]
    if is_pair(target):
        # (define (name . formals) body ...), curried when name is itself a list
        name, formals = target.car, target.cdr
        if len(items) < 3:
            raise SchemeSyntaxError(
                f"bad define of {write_abbreviated(strip_aliases(target))}: the body is empty",
                span,
            )
        lam = SourcePair(
            S("lambda"), SourcePair(formals, _tail_of(x, 2), span, items[1][1]), span, span
        )
        if is_pair(name):
            return analyze_define(a, make([S("define"), name, lam], span), scope, tail, span)
        value = analyze_lambda(a, lam, scope, False, span, name=_name_of(name, items[1][1]))
    elif isinstance(target, Symbol):
        if len(items) > 3:
            raise SchemeSyntaxError(
                f"bad define of {target.name}: expected one value expression", span
            )
        name = target
        if len(items) == 2:
            value = _constant(UNSPECIFIED)
        else:
            value = a.analyze_named(items[2][0], scope, items[2][1], name)
    else:
        raise SchemeSyntaxError("bad define: the name must be a symbol", items[1][1])
    if scope is None:
        a.check_writable("define", name, span)
        if a.observer is not None:
            a.observer.global_definition(name, target, items, span)
        table = a.globals
        a.macros.pop(name, None)
        a.defined_globals.add(name)

        def define_global(env):
            table[name] = value(env)
            return UNSPECIFIED

        return define_global
    if name not in scope.names:
        raise SchemeSyntaxError(
            f"define of {name.name} is not allowed here: internal definitions go at the start of a body",
            span,
        )

    def define_local(env):
        env.bindings[name] = value(env)
        return UNSPECIFIED

    return define_local


@CORE_FORMS.special_form("set!", "(set! name value)")
def analyze_set(a, x, scope, tail, span):
    items = cells(x, span, "set!")
    if len(items) != 3 or not isinstance(items[1][0], Symbol):
        raise SchemeSyntaxError("bad set!: expected (set! name value)", span)
    value = a.analyze_named(items[2][0], scope, items[2][1], items[1][0])
    name, depth, expander = a.resolve(items[1][0], scope)
    if expander is not None or (depth is None and name in a.special_forms):
        raise SchemeSyntaxError(
            f"bad set!: {name.name} is a special form or macro, not a variable", items[1][1]
        )
    if depth is None:
        a.check_writable("set!", name, span)
        table = a.globals
        miss = a.on_global_miss
        target_span = items[1][1]
        if a.observer is not None:
            a.observer.global_reference(name, target_span, scope, "set")
        explain = a.explain_unbound

        def set_global(env):
            if name not in table:
                try:
                    miss(name, target_span)
                except UnboundVariableError as error:
                    raise explain(error, name, scope, "set") from None
            table[name] = value(env)
            return UNSPECIFIED

        return set_global

    def set_local(env):
        new = value(env)
        for _ in range(depth):
            env = env.parent
        if name not in env.bindings:
            raise used_before_definition(name, span)
        env.bindings[name] = new
        return UNSPECIFIED

    return set_local


@CORE_FORMS.special_form("lambda", "(lambda formals body ...)")
def analyze_lambda(a, x, scope, tail, span, name: str = "anonymous"):
    items = cells(x, span, "lambda")
    if len(items) < 3:
        raise SchemeSyntaxError("bad lambda: expected (lambda formals body ...)", span)
    return a.make_lambda(items[1][0], items[1][1] or span, items[2:], scope, span, name)


@CORE_FORMS.special_form("named-lambda", "(named-lambda (name . formals) body ...)")
def analyze_named_lambda(a, x, scope, tail, span):
    items = cells(x, span, "named-lambda")
    if len(items) < 3 or not is_pair(items[1][0]):
        raise SchemeSyntaxError(
            "bad named-lambda: expected (named-lambda (name . formals) body ...)", span
        )
    head = items[1][0]
    return a.make_lambda(head.cdr, items[1][1], items[2:], scope, span, _name_of(head.car, span))


@CORE_FORMS.special_form("begin", "(begin form ...)")
def analyze_begin(a, x, scope, tail, span):
    items = cells(x, span, "begin")[1:]
    if scope is None:  # a top-level begin: its definitions are top-level definitions
        items = a.definitions_first(items, None)
    if not items:
        return _constant(UNSPECIFIED)
    nodes = [a.analyze(f, scope, False, s) for f, s in items[:-1]]
    nodes.append(a.analyze(items[-1][0], scope, tail, items[-1][1]))
    return sequence(nodes)


@CORE_FORMS.special_form(
    "let", "(let ((name value) ...) body ...) or (let name ((name value) ...) body ...)"
)
def analyze_let(a, x, scope, tail, span):
    items = cells(x, span, "let")
    if len(items) >= 2 and isinstance(items[1][0], Symbol):
        return a.analyze(expand_named_let(x, span), scope, tail, span)
    if len(items) < 3:
        raise SchemeSyntaxError("bad let: expected (let ((name value) ...) body ...)", span)
    names, values = a.bindings(items[1][0], items[1][1], "let")
    value_nodes = [a.analyze_named(v, scope, s, n) for n, (v, s) in zip(names, values, strict=True)]
    body = a.body(items[2:], Scope(names, scope), span, tail)
    if len(names) == 1:
        (name,), (value,) = names, value_nodes

        def let1(env):
            return body(Environment.make({name: value(env)}, env))

        return let1
    pairs = tuple(zip(names, value_nodes, strict=True))

    def let(env):
        return body(Environment.make({n: v(env) for n, v in pairs}, env))

    return let


@CORE_FORMS.special_form("letrec", "(letrec ((name value) ...) body ...)")
@CORE_FORMS.special_form("letrec*", "(letrec* ((name value) ...) body ...)")
def analyze_letrec(a, x, scope, tail, span):
    items = cells(x, span, "letrec")
    if len(items) < 3:
        raise SchemeSyntaxError("bad letrec: expected (letrec ((name value) ...) body ...)", span)
    names, values = a.bindings(items[1][0], items[1][1], "letrec")
    inner = Scope(names, scope)
    pairs = tuple(
        (n, a.analyze_named(v, inner, s, n)) for n, (v, s) in zip(names, values, strict=True)
    )
    body = a.body(items[2:], inner, span, tail)

    def letrec(env):
        inner = Environment.make({}, env)
        for name, value in pairs:
            inner.bindings[name] = value(inner)
        return body(inner)

    return letrec


@CORE_FORMS.special_form("and", "(and test ...)")
def analyze_and(a, x, scope, tail, span):
    items = cells(x, span, "and")[1:]
    if not items:
        return _constant(True)
    nodes = [a.analyze(f, scope, False, s) for f, s in items[:-1]]
    last = a.analyze(items[-1][0], scope, tail, items[-1][1])

    def and_node(env):
        for node in nodes:
            if node(env) is False:
                return False
        return last(env)

    return and_node


@CORE_FORMS.special_form("or", "(or test ...)")
def analyze_or(a, x, scope, tail, span):
    items = cells(x, span, "or")[1:]
    if not items:
        return _constant(False)
    nodes = [a.analyze(f, scope, False, s) for f, s in items[:-1]]
    last = a.analyze(items[-1][0], scope, tail, items[-1][1])

    def or_node(env):
        for node in nodes:
            value = node(env)
            if value is not False:
                return value
        return last(env)

    return or_node


@CORE_FORMS.special_form("case-lambda", "(case-lambda (formals body ...) ...)")
def analyze_case_lambda(a, x, scope, tail, span, name: str = "case-lambda"):
    clauses = []
    for clause, cspan in cells(x, span, "case-lambda")[1:]:
        parts = cells(clause, cspan, "case-lambda clause")
        if len(parts) < 2:
            raise SchemeSyntaxError("bad case-lambda clause: expected (formals body ...)", cspan)
        clauses.append(a.make_lambda(parts[0][0], parts[0][1], parts[1:], scope, cspan, name))

    def case_lambda(env):
        return CaseLambda([c(env) for c in clauses], name)

    return case_lambda


@CORE_FORMS.special_form("parameterize", "(parameterize ((param value) ...) body ...)")
def analyze_parameterize(a, x, scope, tail, span):
    items = cells(x, span, "parameterize")
    if len(items) < 3:
        raise SchemeSyntaxError(
            "bad parameterize: expected (parameterize ((param value) ...) body ...)", span
        )
    pairs = []
    for binding, bspan in cells(items[1][0], items[1][1], "parameterize bindings"):
        parts = cells(binding, bspan, "parameterize binding")
        if len(parts) != 2:
            raise SchemeSyntaxError("bad parameterize binding: expected (parameter value)", bspan)
        pairs.append(
            (
                a.analyze(parts[0][0], scope, False, parts[0][1]),
                a.analyze(parts[1][0], scope, False, parts[1][1]),
                bspan,
            )
        )
    body = a.body(items[2:], Scope((), scope), span, tail=False)

    def parameterize(env):
        params = []
        for param_node, value_node, bspan in pairs:
            param = param_node(env)
            if type(param) is not Parameter:
                raise type_error("parameterize", "a parameter object", param).located(bspan)
            value = value_node(env)
            if param.converter is not None:
                value = param.converter(value)
            params.append((param, value))
        saved = [(p, p.value) for p, _ in params]
        for param, value in params:
            param.value = value
        try:
            return body(Environment.make({}, env))
        finally:
            for param, old in saved:
                param.value = old

    return parameterize


@CORE_FORMS.special_form("guard", "(guard (var clause ...) body ...)")
def analyze_guard(a, x, scope, tail, span):
    items = cells(x, span, "guard")
    if len(items) < 3 or not is_pair(items[1][0]) or not isinstance(items[1][0].car, Symbol):
        raise SchemeSyntaxError("bad guard: expected (guard (var clause ...) body ...)", span)
    var = items[1][0].car
    clause_scope = Scope([var], scope)
    no_match = _NoMatch()
    clauses = list(cells(items[1][0].cdr, items[1][1], "guard clauses"))
    has_else = any(is_pair(c) and a.means(c.car, S("else"), clause_scope) for c, _ in clauses)
    if not has_else:
        clauses.append((make([True, make([S("quote"), no_match], span)], span), span))
    handler = a.analyze(
        make([S("cond"), *[c for c, _ in clauses]], span), clause_scope, False, span
    )
    body = a.body(items[2:], Scope((), scope), span, tail=False)

    def guard(env):
        handlers = DYNAMIC.handlers
        depth = len(handlers)
        handlers.append(GUARD_MARK)
        try:
            return body(Environment.make({}, env))
        except TaskschemeError as error:
            del handlers[depth:]
            result = handler(Environment.make({var: error.payload}, env))
            if result is no_match:
                raise
            return result
        finally:
            del handlers[depth:]

    return guard


@CORE_FORMS.special_form("receive", "(receive formals expression body ...)")
@CORE_FORMS.special_form(RECEIVE, "(receive formals expression body ...)")
def analyze_receive(a, x, scope, tail, span):
    """(receive formals expression body ...): bind the values of `expression` to
    `formals` as a lambda would bind arguments (SRFI 8); let-values expands to it."""
    items = cells(x, span, "receive")
    if len(items) < 4:
        raise SchemeSyntaxError("bad receive: expected (receive formals expression body ...)", span)
    expression = a.analyze(items[2][0], scope, False, items[2][1])
    make_procedure = a.make_lambda(
        items[1][0], items[1][1] or span, items[3:], scope, span, "receive"
    )

    def receive(env):
        value = expression(env)
        values = list(value) if type(value) is Values else [value]
        procedure = make_procedure(env)
        try:
            inner = procedure.bind(values)
        except ArityError:
            takes = procedure.arity_text().replace("argument", "value")
            raise ArityError(
                f"the expression gave {len(values)} value(s) but the formals take {takes}",
                span=span,
            ) from None
        result = procedure.body.run(inner)
        return result if tail else finish(result)

    return receive


@CORE_FORMS.special_form("delay", "(delay expression)")
def analyze_delay(a, x, scope, tail, span):
    expression = _single(a, x, scope, span, "delay")
    return lambda env: Promise(False, lambda: expression(env))


@CORE_FORMS.special_form("delay-force", "(delay-force expression)")
@CORE_FORMS.special_form("make-promise-lazy", "(make-promise-lazy expression)")
def analyze_delay_force(a, x, scope, tail, span):
    expression = _single(a, x, scope, span, "delay-force")
    return lambda env: Promise(False, LazyThunk(lambda: expression(env)))


@CORE_FORMS.special_form("define-syntax", "(define-syntax name (syntax-rules ...))")
def analyze_define_syntax(a, x, scope, tail, span):
    items = cells(x, span, "define-syntax")
    if len(items) != 3 or not isinstance(items[1][0], Symbol):
        raise SchemeSyntaxError(
            "bad define-syntax: expected (define-syntax name (syntax-rules ...))", span
        )
    name = items[1][0]
    macro = SyntaxRules(name.name, items[2][0], items[2][1], scope)
    if scope is None:
        a.check_writable("define-syntax", name, span)
        a.macros[name] = macro
        a.defined_globals.discard(name)
    else:
        scope.bind_macro(name, macro)
    return _constant(UNSPECIFIED)


@CORE_FORMS.special_form("let-syntax", "(let-syntax ((name (syntax-rules ...)) ...) body ...)")
@CORE_FORMS.special_form(
    "letrec-syntax", "(letrec-syntax ((name (syntax-rules ...)) ...) body ...)"
)
def analyze_let_syntax(a, x, scope, tail, span):
    items = cells(x, span, "let-syntax")
    if len(items) < 3:
        raise SchemeSyntaxError(
            "bad let-syntax: expected (let-syntax ((name (syntax-rules ...)) ...) body ...)",
            span,
        )
    inner = Scope((), scope)
    # letrec-syntax macros see each other; let-syntax macros see the enclosing scope
    home = inner if a.is_core(x, S("letrec-syntax"), scope) else scope
    for binding, bspan in cells(items[1][0], items[1][1], "let-syntax bindings"):
        parts = cells(binding, bspan, "let-syntax binding")
        if len(parts) != 2 or not isinstance(parts[0][0], Symbol):
            raise SchemeSyntaxError(
                "bad let-syntax binding: expected (name (syntax-rules ...))", bspan
            )
        inner.bind_macro(parts[0][0], SyntaxRules(parts[0][0].name, parts[1][0], parts[1][1], home))
    body = a.body(items[2:], inner, span, tail)
    return lambda env: body(Environment.make({}, env))


@CORE_FORMS.special_form("the-environment", "(the-environment)")
def analyze_the_environment(a, x, scope, tail, span):
    """(the-environment): the environment the form runs in, which `eval` takes."""
    if len(cells(x, span, "the-environment")) != 1:
        raise SchemeSyntaxError("bad the-environment: expected (the-environment)", span)
    return lambda env: env


@CORE_FORMS.special_form("syntax-error", '(syntax-error "message" form ...)')
def analyze_syntax_error(a, x, scope, tail, span):
    """(syntax-error "message" form ...): a macro's way to reject a use, at expansion."""

    items = cells(x, span, "syntax-error")
    if len(items) < 2 or not isinstance(items[1][0], str):
        raise SchemeSyntaxError(
            'bad syntax-error: expected (syntax-error "message" form ...)', span
        )
    details = " ".join(write_abbreviated(strip_aliases(f)) for f, _ in items[2:])
    raise SchemeSyntaxError(f"{items[1][0]} {details}".rstrip(), span)


def _single(a, x, scope, span, name) -> Node:
    items = cells(x, span, name)
    if len(items) != 2:
        raise SchemeSyntaxError(f"bad {name}: expected ({name} expression)", span)
    return a.analyze(items[1][0], scope, False, items[1][1])


def _constant(value: Any) -> Node:
    return lambda env: value


def _tail_of(x: Any, n: int) -> Any:
    for _ in range(n):
        x = x.cdr
    return x


def _name_of(name: Any, span) -> str:
    if not isinstance(name, Symbol):
        raise SchemeSyntaxError("bad define: the name must be a symbol", span)
    return strip_aliases(name).name


class _NoMatch:
    """What a guard's clauses return when none of them matched (the error is re-raised)."""
