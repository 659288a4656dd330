"""The expander: derived forms and `syntax-rules` macros, rewritten to core forms.

Each derived form is a function from a form to a simpler form. Where an expansion
needs a helper procedure it embeds the Python function itself as a constant in the
operator position, so a program that rebinds `cons` or `memv` cannot break `case` or
quasiquote. Expanded pairs carry the span of the form they came from, so errors in
expanded code point at what the user wrote.

Hygiene, as far as it goes: every symbol a `syntax-rules` template introduces (all
but pattern variables, quoted data and the auxiliary words `else`, `=>`, `...`, `_`,
`unquote`, `unquote-splicing`, `field` and `syntax-rules`) is renamed to a fresh
symbol at each expansion. A renamed symbol remembers what it renamed and the scope
where the macro was defined (`ALIASES`). If the expansion binds it (a `let` of a
temporary, an internal `define`), it is that new binding, which no symbol of the
user's can see or capture. If nothing in the expansion binds it, the analyzer looks
the original name up where the macro was defined: so a template's `if`, `let` or
`display` means what it meant there even if the use site rebinds those names, a
local macro can use the local variables it sees, and a global macro can call a
procedure defined after it. Quoting a renamed symbol gives back the original.

What is not hygienic: derived forms (`cond`, `case`, `do`, ...) expand to core forms
named by plain symbols, so a program that binds `if` or `let` as a variable cannot
use derived forms inside that binding's scope; the auxiliary words are compared by
name (a locally bound `else` or `=>` still acts as the keyword). docs/language.md
says this in full.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from interpreter.errors import SchemeSyntaxError
from interpreter.lang.datums import (
    NIL,
    UNSPECIFIED,
    Pair,
    RecordType,
    SourcePair,
    Symbol,
    gensym,
    is_pair,
)
from interpreter.lang.raising import type_error
from interpreter.lang.registry import FormRegistry
from interpreter.source import Span

S = Symbol
QUOTE, QUASIQUOTE, UNQUOTE, UNQUOTE_SPLICING = (
    S("quote"),
    S("quasiquote"),
    S("unquote"),
    S("unquote-splicing"),
)
LAMBDA, IF, BEGIN, LET, LETREC, DEFINE, SET = (
    S("lambda"),
    S("if"),
    S("begin"),
    S("let"),
    S("letrec*"),
    S("define"),
    S("set!"),
)
ELSE, ARROW, ELLIPSIS, UNDERSCORE = S("else"), S("=>"), S("..."), S("_")
# The core form `receive` (SRFI 8) under a name no program can write or rebind, for
# the expansions of let-values and let*-values.
RECEIVE = gensym("receive")
AUXILIARY = frozenset(
    {ELSE, ARROW, ELLIPSIS, UNDERSCORE, UNQUOTE, UNQUOTE_SPLICING, S("field"), S("syntax-rules")}
)

DERIVED_FORMS = FormRegistry("derived forms")

# A symbol renamed by a macro expansion -> (the symbol it renamed, the analyzer Scope
# the macro was defined in; None for a global macro).
ALIASES: dict[Symbol, tuple[Symbol, Any]] = {}


def strip_aliases(datum: Any) -> Any:
    """`datum` with every renamed symbol replaced by its original (for quoted data)."""
    if not ALIASES:
        return datum
    if isinstance(datum, Symbol):
        while datum in ALIASES:
            datum = ALIASES[datum][0]
        return datum
    if is_pair(datum):
        items, node = [], datum
        while is_pair(node):
            items.append(node)
            node = node.cdr
        tail = strip_aliases(node)
        changed = tail is not node
        cars = []
        for cell in items:
            car = strip_aliases(cell.car)
            changed = changed or car is not cell.car
            cars.append(car)
        if not changed:
            return datum
        result = tail
        for cell, car in zip(reversed(items), reversed(cars), strict=True):
            result = SourcePair(
                car, result, getattr(cell, "span", None), getattr(cell, "car_span", None)
            )
        return result
    if type(datum) is tuple:
        items = tuple(strip_aliases(item) for item in datum)
        return datum if all(a is b for a, b in zip(items, datum, strict=True)) else items
    return datum


def cells(form: Any, span: Span | None, what: str) -> list[tuple[Any, Span | None]]:
    """The elements of a proper list form with their spans; a syntax error otherwise."""
    items = []
    node = form
    while is_pair(node):
        items.append((node.car, getattr(node, "car_span", None) or span))
        node = node.cdr
    if node is not NIL:
        raise SchemeSyntaxError(f"bad {what}: it is not a proper list", span)
    return items


def make(items: list[Any], span: Span | None, tail: Any = NIL) -> Any:
    """Build a list form whose cells carry `span`."""
    result = tail
    for item in reversed(items):
        result = SourcePair(item, result, span, getattr(item, "span", None) or span)
    return result


def check_length(items: list, low: int, high: int | None, form_name: str, usage: str, span) -> None:
    if len(items) < low or (high is not None and len(items) > high):
        raise SchemeSyntaxError(f"bad {form_name}: expected {usage}", span)


# ---------------------------------------------------------------- derived forms


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


@DERIVED_FORMS.derived_form("cond")
def expand_cond(form: Any, span: Span | None) -> Any:
    items = cells(form, span, "cond")
    return _cond_clauses(items[1:], span)


def _cond_clauses(clauses: list, span: Span | None) -> Any:
    if not clauses:
        return make([QUOTE, UNSPECIFIED], span)
    (clause, cspan), rest = clauses[0], clauses[1:]
    parts = cells(clause, cspan, "cond clause")
    if not parts:
        raise SchemeSyntaxError("bad cond clause: empty clause ()", cspan)
    head = parts[0][0]
    if head is ELSE:
        if rest:
            raise SchemeSyntaxError("bad cond: else must be the last clause", cspan)
        if len(parts) < 2:
            raise SchemeSyntaxError("bad cond: else needs at least one expression", cspan)
        return make([BEGIN, *[x for x, _ in parts[1:]]], cspan)
    otherwise = _cond_clauses(rest, span)
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
    if parts[1][0] is ARROW:
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
    from interpreter.lang.primitives.equivalence import is_eqv

    return any(is_eqv(key, option) for option in options)


@DERIVED_FORMS.derived_form("case")
def expand_case(form: Any, span: Span | None) -> Any:
    items = cells(form, span, "case")
    check_length(items, 2, None, "case", "(case key clause ...)", span)
    key = gensym("key")
    clauses = []
    for clause, cspan in items[2:]:
        parts = cells(clause, cspan, "case clause")
        if len(parts) < 2:
            raise SchemeSyntaxError("bad case clause: expected ((datum ...) expression ...)", cspan)
        data = parts[0][0]
        body = [x for x, _ in parts[1:]]
        if body[0] is ARROW:
            body = [make([body[1], key], cspan)]
        if data is ELSE:
            test = ELSE
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


@DERIVED_FORMS.derived_form("quasiquote")
def expand_quasiquote(form: Any, span: Span | None) -> Any:
    items = cells(form, span, "quasiquote")
    check_length(items, 2, 2, "quasiquote", "`datum", span)
    return _qq(items[1][0], 1, items[1][1] or span)


def _qq_append(*parts: Any) -> Any:
    from interpreter.lang.datums import list_to_python, python_to_list

    if not parts:
        return NIL
    result = parts[-1]
    for part in reversed(parts[:-1]):
        try:
            result = python_to_list(list_to_python(part), result)
        except ValueError:
            raise type_error("unquote-splicing", "a proper list", part) from None
    return result


def _qq_vector(items: Any) -> list:
    from interpreter.lang.datums import list_to_python

    return list_to_python(items)


def _qq(template: Any, depth: int, span: Span | None) -> Any:
    if isinstance(template, tuple):
        return make([_qq_vector, _qq(_tuple_to_list(template, span), depth, span)], span)
    if not is_pair(template):
        if isinstance(template, Symbol) or template is NIL:
            return make([QUOTE, template], span)
        return template
    head = template.car
    if head is UNQUOTE:
        argument = _single_argument(template, span, "unquote")
        if depth == 1:
            return argument
        return make(
            [_list_maker, make([QUOTE, UNQUOTE], span), _qq(argument, depth - 1, span)], span
        )
    if isinstance(head, Symbol) and strip_aliases(head) is QUASIQUOTE:
        argument = _single_argument(template, span, "quasiquote")
        return make(
            [_list_maker, make([QUOTE, QUASIQUOTE], span), _qq(argument, depth + 1, span)], span
        )
    if is_pair(head) and head.car is UNQUOTE_SPLICING:
        argument = _single_argument(head, span, "unquote-splicing")
        rest = _qq(template.cdr, depth, span)
        if depth == 1:
            return make([_qq_append, argument, rest], span)
        inner = make(
            [_list_maker, make([QUOTE, UNQUOTE_SPLICING], span), _qq(argument, depth - 1, span)],
            span,
        )
        return make([Pair, inner, rest], span)
    cell_span = getattr(template, "car_span", None) or span
    return make([Pair, _qq(head, depth, cell_span), _qq(template.cdr, depth, span)], span)


def _list_maker(*items: Any) -> Any:
    from interpreter.lang.datums import python_to_list

    return python_to_list(items)


def _single_argument(form: Any, span: Span | None, name: str) -> Any:
    items = cells(form, span, name)
    if len(items) != 2:
        raise SchemeSyntaxError(f"bad {name}: expected exactly one datum", span)
    return items[1][0]


def _tuple_to_list(items: tuple, span: Span | None) -> Any:
    return make(list(items), span)


@DERIVED_FORMS.derived_form("define-values")
def expand_define_values(form: Any, span: Span | None) -> Any:
    items = cells(form, span, "define-values")
    check_length(items, 3, 3, "define-values", "(define-values formals expression)", span)
    formals = items[1][0]
    names = _formal_names(formals, items[1][1])
    temps = [gensym(n.name) for n in names]
    temp_formals = _rebuild_formals(formals, dict(zip(names, temps, strict=True)), span)
    sets = [make([SET, n, t], span) for n, t in zip(names, temps, strict=True)]
    receiver = make([LAMBDA, temp_formals, *sets], span)
    producer = make([LAMBDA, NIL, items[2][0]], span)
    from interpreter.lang.control import call_with_values

    return make(
        [
            BEGIN,
            *[make([DEFINE, n, False], span) for n in names],
            make([call_with_values, producer, receiver], span),
        ],
        span,
    )


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
    from interpreter.errors import SchemeError
    from interpreter.lang.printer import write_string

    text = write_string(items[1][0])

    def assertion_failed() -> Any:
        raise SchemeError(f"assertion failed: {text}")

    return make([IF, items[1][0], True, make([assertion_failed], span)], span)


@DERIVED_FORMS.derived_form("define-record-type")
def expand_define_record_type(form: Any, span: Span | None) -> Any:
    """(define-record-type point (make-point x y) point? (x point-x set-point-x!) ...)"""
    items = cells(form, span, "define-record-type")
    check_length(
        items,
        3,
        None,
        "define-record-type",
        "(define-record-type name (constructor field ...) predicate field-spec ...)",
        span,
    )
    type_name = items[1][0]
    if is_pair(type_name):
        type_name = type_name.car
    field_specs = [cells(spec, sspan, "record field") for spec, sspan in items[4:]]
    fields = tuple(strip_aliases(spec[0][0]).name for spec in field_specs if spec)
    rtype = RecordType(strip_aliases(type_name).name.strip("<>"), fields)
    definitions = [
        make(
            [
                DEFINE,
                items[1][0] if isinstance(items[1][0], Symbol) else type_name,
                make([QUOTE, rtype], span),
            ],
            span,
        )
    ]
    constructor = items[2][0]
    if constructor is not False and constructor is not NIL:
        ctor_parts = (
            [x for x, _ in cells(constructor, items[2][1], "record constructor")]
            if is_pair(constructor)
            else [constructor, *(S(f) for f in fields)]
        )
        ctor_fields = [strip_aliases(f).name for f in ctor_parts[1:]]
        for name in ctor_fields:
            if name not in fields:
                raise SchemeSyntaxError(
                    f"bad define-record-type: constructor field {name} is not a field of {rtype.name}",
                    items[2][1],
                )
        definitions.append(
            make(
                [
                    DEFINE,
                    ctor_parts[0],
                    _record_constructor(rtype, ctor_fields, ctor_parts[0].name),
                ],
                span,
            )
        )
    predicate = items[3][0]
    if isinstance(predicate, Symbol):
        definitions.append(
            make([DEFINE, predicate, _record_predicate(rtype, predicate.name)], span)
        )
    for spec in field_specs:
        field = strip_aliases(spec[0][0]).name
        index = fields.index(field)
        if len(spec) > 1:
            definitions.append(
                make([DEFINE, spec[1][0], _record_accessor(rtype, index, spec[1][0].name)], span)
            )
        if len(spec) > 2:
            definitions.append(
                make([DEFINE, spec[2][0], _record_modifier(rtype, index, spec[2][0].name)], span)
            )
    return make([BEGIN, *definitions], span)


def _a_record(rtype: RecordType) -> str:
    article = "an" if rtype.name[:1].lower() in ("a", "e", "i", "o", "u") else "a"
    return f"{article} {rtype.name} record"


def _record_constructor(rtype: RecordType, names: list[str], proc_name: str) -> Callable:
    from interpreter.lang.datums import Record

    positions = [rtype.fields.index(n) for n in names]
    width = len(rtype.fields)

    def construct(*args: Any) -> Record:
        if len(args) != len(positions):
            from interpreter.errors import ArityError

            raise ArityError(f"{proc_name}: expects {len(positions)} arguments, got {len(args)}")
        values = [UNSPECIFIED] * width
        for position, value in zip(positions, args, strict=True):
            values[position] = value
        return Record(rtype, values)

    construct.scheme_name = proc_name
    return construct


def _record_predicate(rtype: RecordType, proc_name: str) -> Callable:
    from interpreter.lang.datums import Record

    def predicate(value: Any) -> bool:
        return type(value) is Record and value.rtype is rtype

    predicate.scheme_name = proc_name
    return predicate


def _record_accessor(rtype: RecordType, index: int, proc_name: str) -> Callable:
    from interpreter.lang.datums import Record

    def access(record: Any) -> Any:
        if type(record) is not Record or record.rtype is not rtype:
            raise type_error(proc_name, _a_record(rtype), record, 1)
        return record.values[index]

    access.scheme_name = proc_name
    return access


def _record_modifier(rtype: RecordType, index: int, proc_name: str) -> Callable:
    from interpreter.lang.datums import Record

    def modify(record: Any, value: Any) -> Any:
        if type(record) is not Record or record.rtype is not rtype:
            raise type_error(proc_name, _a_record(rtype), record, 1)
        record.values[index] = value
        return UNSPECIFIED

    modify.scheme_name = proc_name
    return modify


FEATURES = ("r7rs", "exact-closed", "ratios", "full-unicode", "taskscheme")


@DERIVED_FORMS.derived_form("cond-expand")
def expand_cond_expand(form: Any, span: Span | None) -> Any:
    """(cond-expand (requirement body ...) ... [(else body ...)]) keeps the first clause
    whose feature requirement holds; `(library ...)` never holds (there are no libraries)."""
    for clause, cspan in cells(form, span, "cond-expand")[1:]:
        parts = cells(clause, cspan, "cond-expand clause")
        if not parts:
            raise SchemeSyntaxError("bad cond-expand clause: empty clause ()", cspan)
        if parts[0][0] is ELSE or _feature_holds(parts[0][0], parts[0][1]):
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


# ---------------------------------------------------------------- syntax-rules


class SyntaxRules:
    """A macro defined by `syntax-rules`: patterns with ellipses, literals and templates."""

    def __init__(
        self,
        name: str,
        spec: Any,
        span: Span | None,
        home: Any = None,
    ) -> None:
        """`home`: the analyzer Scope the macro is defined in (None at top level)."""
        items = cells(spec, span, "syntax-rules") if is_pair(spec) else []
        if not items or items[0][0] is not S("syntax-rules"):
            raise SchemeSyntaxError(
                "bad define-syntax: expected (syntax-rules (literal ...) (pattern template) ...)",
                span,
            )
        rest = items[1:]
        self.ellipsis = ELLIPSIS
        if rest and isinstance(rest[0][0], Symbol):
            self.ellipsis = rest[0][0]
            rest = rest[1:]
        if not rest:
            raise SchemeSyntaxError("bad syntax-rules: missing the literals list", span)
        self.literals = {x for x, _ in cells(rest[0][0], rest[0][1], "syntax-rules literals")}
        self.rules = []
        for rule, rspan in rest[1:]:
            parts = cells(rule, rspan, "syntax-rules rule")
            if len(parts) != 2:
                raise SchemeSyntaxError("bad syntax-rules rule: expected (pattern template)", rspan)
            self.rules.append((parts[0][0], parts[1][0]))
        self.name = name
        self.home = home

    def expand(self, form: Any, span: Span | None) -> Any:
        for pattern, template in self.rules:
            binds: dict[Any, Any] = {}
            # the macro keyword itself is not matched
            if is_pair(pattern) and self._match(pattern.cdr, form.cdr, binds, span):
                renames: dict[Symbol, Symbol] = {}
                return self._instantiate(template, binds, renames, span)
        from interpreter.lang.printer import write_string

        shapes = "; ".join(
            write_string(strip_aliases(SourcePair(S(self.name), p.cdr, None, None)))
            for p, _ in self.rules
            if is_pair(p)
        )
        raise SchemeSyntaxError(
            f"no syntax-rules pattern of {self.name} matches this use "
            f"(it takes {shapes or 'no forms'})",
            span,
        )

    def _match(self, pattern: Any, form: Any, binds: dict, span: Span | None) -> bool:
        """Match `form` (found at `span`) against `pattern`, binding pattern variables in
        `binds`; each variable's location goes in under `(_AT, variable)`, so that the
        expansion keeps the place the user wrote an argument (errors point at it)."""
        if isinstance(pattern, Symbol):
            if pattern in self.literals:
                return isinstance(form, Symbol) and strip_aliases(form) is strip_aliases(pattern)
            if pattern is not UNDERSCORE:
                binds[pattern] = form
                binds[_AT, pattern] = span
            return True
        if is_pair(pattern):
            if is_pair(pattern.cdr) and pattern.cdr.car is self.ellipsis:
                after = pattern.cdr.cdr
                min_after = _pair_length(after)
                items = []
                node = form
                while is_pair(node):
                    items.append(node)
                    node = node.cdr
                available = len(items) - min_after
                if available < 0:
                    return False
                matches = []
                node = form
                for _ in range(available):
                    sub: dict = {}
                    if not self._match(pattern.car, node.car, sub, _car_span(node, span)):
                        return False
                    matches.append(sub)
                    node = node.cdr
                for var in self._pattern_vars(pattern.car):
                    binds[var] = _Many(
                        [m[var] for m in matches], [m.get((_AT, var)) for m in matches]
                    )
                return self._match(after, node, binds, span)
            if not is_pair(form):
                return False
            return self._match(pattern.car, form.car, binds, _car_span(form, span)) and self._match(
                pattern.cdr, form.cdr, binds, span
            )
        if pattern is NIL:
            return form is NIL
        if isinstance(pattern, tuple):
            return isinstance(form, tuple) and self._match(
                make(list(pattern), span), make(list(form), span), binds, span
            )
        from interpreter.lang.primitives.equivalence import is_equal

        return is_equal(pattern, form)

    def _pattern_vars(self, pattern: Any) -> list[Symbol]:
        if isinstance(pattern, Symbol):
            if pattern in self.literals or pattern is self.ellipsis or pattern is UNDERSCORE:
                return []
            return [pattern]
        if is_pair(pattern):
            return self._pattern_vars(pattern.car) + self._pattern_vars(pattern.cdr)
        if isinstance(pattern, tuple):
            return [v for item in pattern for v in self._pattern_vars(item)]
        return []

    def _instantiate(self, template: Any, binds: dict, renames: dict, span: Span | None) -> Any:
        if isinstance(template, Symbol):
            if template in binds:
                value = binds[template]
                if isinstance(value, _Many):
                    raise SchemeSyntaxError(
                        f"in {self.name}: pattern variable {template.name} is used without its ellipsis",
                        span,
                    )
                return value
            return self._rename(template, renames)
        if isinstance(template, tuple):
            return tuple(
                _list_items(self._instantiate(make(list(template), span), binds, renames, span))
            )
        if not is_pair(template):
            return template
        if template.car is self.ellipsis and is_pair(template.cdr):
            return template.cdr.car  # (... ...) escapes a literal ellipsis
        if template.car is QUOTE:
            return SourcePair(
                QUOTE, self._instantiate_quoted(template.cdr, binds, span), span, span
            )
        if is_pair(template.cdr) and template.cdr.car is self.ellipsis:
            rest = template.cdr.cdr
            depth = 1
            while is_pair(rest) and rest.car is self.ellipsis:
                depth += 1
                rest = rest.cdr
            expansions = self._expand_ellipsis(template.car, binds, renames, span, depth)
            result = self._instantiate(rest, binds, renames, span)
            for item, where in reversed(expansions):
                result = SourcePair(item, result, span, getattr(item, "span", None) or where)
            return result
        head = self._instantiate(template.car, binds, renames, span)
        return SourcePair(
            head,
            self._instantiate(template.cdr, binds, renames, span),
            span,
            getattr(head, "span", None) or _bound_span(template.car, binds) or span,
        )

    def _instantiate_quoted(self, template: Any, binds: dict, span: Span | None) -> Any:
        """Inside quote, pattern variables are substituted but nothing is renamed."""
        return self._instantiate(template, binds, _NoRename(), span)

    def _expand_ellipsis(
        self, sub: Any, binds: dict, renames: dict, span: Span | None, depth: int
    ) -> list[tuple[Any, Span | None]]:
        """The instances of `sub` under `depth` ellipses, each with its location: where
        the user wrote it if `sub` is a pattern variable, else the macro use."""
        variables = [v for v in self._pattern_vars(sub) if isinstance(binds.get(v), _Many)]
        if not variables:
            raise SchemeSyntaxError(
                f"in {self.name}: an ellipsis follows a template with no pattern variable under an ellipsis",
                span,
            )
        lengths = {len(binds[v].items) for v in variables}
        if len(lengths) > 1:
            raise SchemeSyntaxError(
                f"in {self.name}: pattern variables under one ellipsis matched different lengths",
                span,
            )
        results = []
        for i in range(lengths.pop()):
            local = dict(binds)
            for v in variables:
                local[v] = binds[v].items[i]
                local[_AT, v] = binds[v].spans[i]
            if depth > 1:
                results.extend(self._expand_ellipsis(sub, local, renames, span, depth - 1))
            else:
                item = self._instantiate(sub, local, renames, span)
                results.append((item, _bound_span(sub, local) or span))
        return results

    def _rename(self, symbol: Symbol, renames: dict) -> Symbol:
        if isinstance(renames, _NoRename) or symbol in AUXILIARY:
            return symbol
        renamed = renames.get(symbol)
        if renamed is None:
            renamed = renames[symbol] = gensym(symbol.name)
            ALIASES[renamed] = (symbol, self.home)
        return renamed


class _NoRename(dict):
    pass


class _Many:
    """What a pattern variable under an ellipsis matched: the items and their locations."""

    __slots__ = ("items", "spans")

    def __init__(self, items: list, spans: list) -> None:
        self.items = items
        self.spans = spans


# The key under which a match records where a pattern variable's datum was written.
_AT = object()


def _car_span(cell: Any, default: Span | None) -> Span | None:
    return getattr(cell, "car_span", None) or default


def _bound_span(template: Any, binds: dict) -> Span | None:
    """Where the user wrote the datum that pattern variable `template` matched."""
    if isinstance(template, Symbol):
        return binds.get((_AT, template))
    return None


def _pair_length(node: Any) -> int:
    count = 0
    while is_pair(node):
        count += 1
        node = node.cdr
    return count


def _list_items(node: Any) -> list:
    items = []
    while is_pair(node):
        items.append(node.car)
        node = node.cdr
    return items
