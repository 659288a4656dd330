"""The derived forms of R7RS and SRFIs, each a function from a form to simpler forms.

`let*`, named `let`, `when`, `unless`, `cond`, `case`, `do`, `define-values`,
`let-values`, `let*-values`, `assert` and `cond-expand`. Where an expansion needs a
helper procedure it embeds the Python function itself as a constant in the operator
position, so a program that rebinds `memv` cannot break `case`; `define-values` and
`let-values` expand to `receive` under a name no program can rebind. Temporaries are
gensyms, which no program text can name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from interpreter.errors import SchemeError, SchemeSyntaxError
from interpreter.lang.datums import NIL, UNSPECIFIED, SourcePair, Symbol, gensym, is_pair
from interpreter.lang.expand.common import (
    ARROW,
    BEGIN,
    DEFINE,
    DERIVED_FORMS,
    ELSE,
    IF,
    LAMBDA,
    LET,
    LETREC,
    QUOTE,
    RECEIVE,
    SET,
    S,
    cells,
    check_length,
    make,
    strip_aliases,
)
from interpreter.lang.primitives.equivalence import is_eqv
from interpreter.lang.printer import write_string
from interpreter.source import Span

# is this datum, where the form is used, that auxiliary keyword? (registry.Rewrite)
Means = Callable[[Any, Symbol], bool]


@DERIVED_FORMS.derived_form("let*")
def expand_let_star(form: Any, span: Span | None) -> Any:
    items = cells(form, span, "let*")
    check_length(items, 3, None, "let*", "(let* ((name value) ...) body ...)", span)
    bindings = cells(items[1][0], items[1][1], "let* bindings")
    body = [x for x, _ in items[2:]]
    if not bindings:
        return make([LET, NIL, *body], span)
    binding, bspan = bindings[-1]
    result = make([LET, SourcePair(binding, NIL, span, bspan), *body], span)
    for binding, bspan in reversed(bindings[:-1]):
        result = make([LET, SourcePair(binding, NIL, span, bspan), result], span)
    return result


def expand_named_let(form: Any, span: Span | None) -> Any:
    """(let name ((v i) ...) body ...) => ((letrec* ((name (lambda (v ...) body ...))) name) i ...)"""
    items = cells(form, span, "named let")
    check_length(items, 4, None, "named let", "(let name ((var init) ...) body ...)", span)
    name = items[1][0]
    bindings = cells(items[2][0], items[2][1], "named let bindings")
    names, inits = [], []
    for binding, bspan in bindings:
        pair = cells(binding, bspan, "named let binding")
        check_length(pair, 2, 2, "named let binding", "(name value)", bspan)
        names.append(pair[0][0])
        inits.append(pair[1][0])
    procedure = make([LAMBDA, make(names, span), *[x for x, _ in items[3:]]], span)
    loop = make([LETREC, make([make([name, procedure], span)], span), name], span)
    return make([loop, *inits], span)


@DERIVED_FORMS.derived_form("when")
def expand_when(form: Any, span: Span | None) -> Any:
    items = cells(form, span, "when")
    check_length(items, 3, None, "when", "(when test body ...)", span)
    return make([IF, items[1][0], make([BEGIN, *[x for x, _ in items[2:]]], span)], span)


@DERIVED_FORMS.derived_form("unless")
def expand_unless(form: Any, span: Span | None) -> Any:
    items = cells(form, span, "unless")
    check_length(items, 3, None, "unless", "(unless test body ...)", span)
    nothing = make([QUOTE, UNSPECIFIED], span)
    return make([IF, items[1][0], nothing, make([BEGIN, *[x for x, _ in items[2:]]], span)], span)


@DERIVED_FORMS.derived_form("cond", keywords=True)
def expand_cond(form: Any, span: Span | None, means: Means) -> Any:
    items = cells(form, span, "cond")
    return _cond_clauses(items[1:], span, means)


def _cond_clauses(clauses: list, span: Span | None, means: Means) -> Any:
    if not clauses:
        return make([QUOTE, UNSPECIFIED], span)
    (clause, cspan), rest = clauses[0], clauses[1:]
    parts = cells(clause, cspan, "cond clause")
    if not parts:
        raise SchemeSyntaxError("bad cond clause: empty clause ()", cspan)
    head = parts[0][0]
    if means(head, ELSE):
        if rest:
            raise SchemeSyntaxError("bad cond: else must be the last clause", cspan)
        if len(parts) < 2:
            raise SchemeSyntaxError("bad cond: else needs at least one expression", cspan)
        return make([BEGIN, *[x for x, _ in parts[1:]]], cspan)
    otherwise = _cond_clauses(rest, span, means)
    if len(parts) == 1:
        temp = gensym("test")
        return make(
            [
                LET,
                make([make([temp, head], cspan)], cspan),
                make([IF, temp, temp, otherwise], cspan),
            ],
            cspan,
        )
    if means(parts[1][0], ARROW):
        if len(parts) != 3:
            raise SchemeSyntaxError("bad cond clause: expected (test => receiver)", cspan)
        temp = gensym("test")
        call = make([parts[2][0], temp], cspan)
        return make(
            [
                LET,
                make([make([temp, head], cspan)], cspan),
                make([IF, temp, call, otherwise], cspan),
            ],
            cspan,
        )
    return make([IF, head, make([BEGIN, *[x for x, _ in parts[1:]]], cspan), otherwise], cspan)


def _memv(key: Any, options: tuple) -> bool:
    return any(is_eqv(key, option) for option in options)


@DERIVED_FORMS.derived_form("case", keywords=True)
def expand_case(form: Any, span: Span | None, means: Means) -> Any:
    items = cells(form, span, "case")
    check_length(items, 2, None, "case", "(case key clause ...)", span)
    key = gensym("key")
    clauses = []
    for index, (clause, cspan) in enumerate(items[2:], start=3):
        parts = cells(clause, cspan, "case clause")
        if len(parts) < 2:
            raise SchemeSyntaxError("bad case clause: expected ((datum ...) expression ...)", cspan)
        data = parts[0][0]
        body = [x for x, _ in parts[1:]]
        if means(body[0], ARROW):
            if len(body) != 2:
                raise SchemeSyntaxError("bad case clause: expected (data => receiver)", cspan)
            body = [make([body[1], key], cspan)]
        if means(data, ELSE):
            if index < len(items):
                raise SchemeSyntaxError("bad case: else must be the last clause", cspan)
            test = True
        else:
            options = tuple(x for x, _ in cells(data, parts[0][1], "case data"))
            test = make([_memv, key, make([QUOTE, options], cspan)], cspan)
        clauses.append(make([test, *body], cspan))
    return make(
        [LET, make([make([key, items[1][0]], span)], span), make([S("cond"), *clauses], span)], span
    )


@DERIVED_FORMS.derived_form("do")
def expand_do(form: Any, span: Span | None) -> Any:
    """(do ((var init step) ...) (test result ...) body ...) as a named let loop."""
    items = cells(form, span, "do")
    check_length(
        items, 3, None, "do", "(do ((var init step) ...) (test result ...) body ...)", span
    )
    loop = gensym("do-loop")
    bindings, steps = [], []
    for spec, sspan in cells(items[1][0], items[1][1], "do bindings"):
        parts = cells(spec, sspan, "do binding")
        check_length(parts, 2, 3, "do binding", "(var init [step])", sspan)
        bindings.append(make([parts[0][0], parts[1][0]], sspan))
        steps.append(parts[2][0] if len(parts) == 3 else parts[0][0])
    exit_clause = cells(items[2][0], items[2][1], "do exit clause")
    if not exit_clause:
        raise SchemeSyntaxError("bad do: the exit clause needs a test", items[2][1])
    result = [x for x, _ in exit_clause[1:]] or [make([QUOTE, UNSPECIFIED], span)]
    body = [x for x, _ in items[3:]]
    again = (
        make([BEGIN, *body, make([loop, *steps], span)], span)
        if body
        else make([loop, *steps], span)
    )
    return make(
        [
            LET,
            loop,
            make(bindings, span),
            make([IF, exit_clause[0][0], make([BEGIN, *result], span), again], span),
        ],
        span,
    )


@DERIVED_FORMS.derived_form("define-values")
def expand_define_values(form: Any, span: Span | None) -> Any:
    items = cells(form, span, "define-values")
    check_length(items, 3, 3, "define-values", "(define-values formals expression)", span)
    formals = items[1][0]
    names = _formal_names(formals, items[1][1])
    temps = [gensym(n.name) for n in names]
    temp_formals = _rebuild_formals(formals, dict(zip(names, temps, strict=True)), span)
    sets = [make([SET, n, t], span) for n, t in zip(names, temps, strict=True)]
    # (define-values () expression) defines nothing: the receive body is a constant
    receive = make(
        [RECEIVE, temp_formals, items[2][0], *(sets or [make([QUOTE, UNSPECIFIED], span)])], span
    )
    return make([BEGIN, *[make([DEFINE, n, False], span) for n in names], receive], span)


def _formal_names(formals: Any, span: Span | None) -> list[Symbol]:
    names = []
    node = formals
    while is_pair(node):
        names.append(node.car)
        node = node.cdr
    if isinstance(node, Symbol):
        names.append(node)
    for name in names:
        if not isinstance(name, Symbol):
            raise SchemeSyntaxError("bad formals: expected symbols", span)
    return names


def _rebuild_formals(formals: Any, mapping: dict, span: Span | None) -> Any:
    if is_pair(formals):
        return SourcePair(
            mapping[formals.car], _rebuild_formals(formals.cdr, mapping, span), span, span
        )
    if isinstance(formals, Symbol):
        return mapping[formals]
    return NIL


@DERIVED_FORMS.derived_form("let-values")
def expand_let_values(form: Any, span: Span | None, sequential: bool = False) -> Any:
    name = "let*-values" if sequential else "let-values"
    items = cells(form, span, name)
    check_length(items, 3, None, name, f"({name} ((formals expression) ...) body ...)", span)
    bindings = cells(items[1][0], items[1][1], f"{name} bindings")
    body = [x for x, _ in items[2:]]
    if not bindings:
        return make([LET, NIL, *body], span)
    if sequential or len(bindings) == 1:
        # (receive formals expression body ...) per binding, nested from the last one
        # outwards: the body stays in tail position and no procedure call is left waiting
        result = None
        for binding, bspan in reversed(bindings):
            parts = cells(binding, bspan, f"{name} binding")
            check_length(parts, 2, 2, f"{name} binding", "(formals expression)", bspan)
            inner = body if result is None else [result]
            result = make([RECEIVE, parts[0][0], parts[1][0], *inner], bspan)
        return result
    # let-values: evaluate every expression before binding any name
    renamed, finals = [], []
    for binding, bspan in bindings:
        parts = cells(binding, bspan, f"{name} binding")
        check_length(parts, 2, 2, f"{name} binding", "(formals expression)", bspan)
        names = _formal_names(parts[0][0], parts[0][1])
        mapping = {n: gensym(n.name) for n in names}
        renamed.append(make([_rebuild_formals(parts[0][0], mapping, bspan), parts[1][0]], bspan))
        finals.extend(make([n, mapping[n]], bspan) for n in names)
    inner = make([LET, make(finals, span), *body], span)
    return expand_let_values(make([S("let*-values"), make(renamed, span), inner], span), span, True)


@DERIVED_FORMS.derived_form("let*-values")
def expand_let_star_values(form: Any, span: Span | None) -> Any:
    return expand_let_values(form, span, sequential=True)


@DERIVED_FORMS.derived_form("assert")
def expand_assert(form: Any, span: Span | None) -> Any:
    items = cells(form, span, "assert")
    check_length(items, 2, 2, "assert", "(assert expression)", span)
    text = write_string(items[1][0])

    def assertion_failed() -> Any:
        raise SchemeError(f"assertion failed: {text}")

    return make([IF, items[1][0], True, make([assertion_failed], span)], span)


FEATURES = ("r7rs", "exact-closed", "ratios", "full-unicode", "taskscheme")


@DERIVED_FORMS.derived_form("cond-expand")
def expand_cond_expand(form: Any, span: Span | None) -> Any:
    """(cond-expand (requirement body ...) ... [(else body ...)]) keeps the first clause
    whose feature requirement holds; `(library ...)` never holds (there are no libraries)."""
    for clause, cspan in cells(form, span, "cond-expand")[1:]:
        parts = cells(clause, cspan, "cond-expand clause")
        if not parts:
            raise SchemeSyntaxError("bad cond-expand clause: empty clause ()", cspan)
        if strip_aliases(parts[0][0]) is ELSE or _feature_holds(parts[0][0], parts[0][1]):
            return make([BEGIN, *[x for x, _ in parts[1:]]], cspan)
    raise SchemeSyntaxError(
        f"cond-expand: no clause matches the features of taskscheme ({' '.join(FEATURES)})", span
    )


def _feature_holds(requirement: Any, span: Span | None) -> bool:
    if isinstance(requirement, Symbol):
        return requirement.name in FEATURES
    parts = cells(requirement, span, "feature requirement") if is_pair(requirement) else []
    head = parts[0][0] if parts else None
    rest = [x for x, _ in parts[1:]]
    if head is S("and"):
        return all(_feature_holds(r, span) for r in rest)
    if head is S("or"):
        return any(_feature_holds(r, span) for r in rest)
    if head is S("not") and len(rest) == 1:
        return not _feature_holds(rest[0], span)
    if head is S("library"):
        return False
    raise SchemeSyntaxError(
        "bad feature requirement: expected a feature, (and ...), (or ...), (not ...) or (library ...)",
        span,
    )
