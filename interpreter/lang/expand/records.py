"""`define-record-type`: a record type and its constructor, predicate, accessors and
modifiers, made at expansion time and embedded in the expansion as constants.

The procedures check their record argument themselves, so an error names the procedure
the program called and the record type it expected.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from interpreter.errors import ArityError, SchemeSyntaxError
from interpreter.lang.datums import NIL, UNSPECIFIED, Record, RecordType, Symbol, is_pair
from interpreter.lang.expand.common import (
    BEGIN,
    DEFINE,
    DERIVED_FORMS,
    QUOTE,
    S,
    cells,
    check_length,
    make,
    strip_aliases,
)
from interpreter.lang.printer import write_abbreviated
from interpreter.lang.raising import type_error
from interpreter.source import Span


@DERIVED_FORMS.derived_form("define-record-type")
def expand_define_record_type(form: Any, span: Span | None) -> Any:
    """(define-record-type point (make-point x y) point? (x point-x set-point-x!) ...)"""
    items = cells(form, span, "define-record-type")
    check_length(
        items,
        4,
        None,
        "define-record-type",
        "(define-record-type name (constructor field ...) predicate field-spec ...)",
        span,
    )
    type_name = items[1][0]
    if is_pair(type_name):
        type_name = type_name.car
    type_name = _identifier(type_name, items[1][1], "the record type name")
    field_specs = []
    for spec, sspan in items[4:]:
        parts = cells(spec, sspan, "record field")
        check_length(parts, 1, 3, "record field", "(field [accessor [modifier]])", sspan)
        field_specs.append(
            [_identifier(x, sspan, "a field, accessor or modifier") for x, _ in parts]
        )
    fields = tuple(strip_aliases(spec[0]).name for spec in field_specs)
    for index, name in enumerate(fields):
        if name in fields[:index]:
            raise SchemeSyntaxError(
                f"bad define-record-type: the field {name} is declared twice", span
            )
    rtype = RecordType(strip_aliases(type_name).name.strip("<>"), fields)
    definitions = [make([DEFINE, type_name, make([QUOTE, rtype], span)], span)]
    constructor, cspan = items[2]
    if constructor is not False and constructor is not NIL:
        if is_pair(constructor):
            parts = [x for x, _ in cells(constructor, cspan, "record constructor")]
            ctor_parts = [
                _identifier(parts[0], cspan, "the constructor"),
                *(_identifier(x, cspan, "a constructor field") for x in parts[1:]),
            ]
        else:
            ctor_parts = [_identifier(constructor, cspan, "the constructor"), *map(S, fields)]
        ctor_fields = [strip_aliases(f).name for f in ctor_parts[1:]]
        for name in ctor_fields:
            if name not in fields:
                raise SchemeSyntaxError(
                    f"bad define-record-type: constructor field {name} is not a field of {rtype.name}",
                    cspan,
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
    predicate, pspan = items[3]
    if predicate is not False:
        predicate = _identifier(predicate, pspan, "the predicate")
        definitions.append(
            make([DEFINE, predicate, _record_predicate(rtype, predicate.name)], span)
        )
    for spec in field_specs:
        index = fields.index(strip_aliases(spec[0]).name)
        if len(spec) > 1:
            definitions.append(
                make([DEFINE, spec[1], _record_accessor(rtype, index, spec[1].name)], span)
            )
        if len(spec) > 2:
            definitions.append(
                make([DEFINE, spec[2], _record_modifier(rtype, index, spec[2].name)], span)
            )
    return make([BEGIN, *definitions], span)


def _identifier(datum: Any, span: Span | None, role: str) -> Symbol:
    """`datum`, which must be a name where the form has `role`; a syntax error if not."""
    if isinstance(datum, Symbol):
        return datum
    raise SchemeSyntaxError(
        f"bad define-record-type: {role} must be a name, got {write_abbreviated(strip_aliases(datum))}",
        span,
    )


def _a_record(rtype: RecordType) -> str:
    article = "an" if rtype.name[:1].lower() in ("a", "e", "i", "o", "u") else "a"
    return f"{article} {rtype.name} record"


def _record_constructor(rtype: RecordType, names: list[str], proc_name: str) -> Callable:
    positions = [rtype.fields.index(n) for n in names]
    width = len(rtype.fields)

    def construct(*args: Any) -> Record:
        if len(args) != len(positions):
            raise ArityError(f"{proc_name}: expects {len(positions)} arguments, got {len(args)}")
        values = [UNSPECIFIED] * width
        for position, value in zip(positions, args, strict=True):
            values[position] = value
        return Record(rtype, values)

    construct.scheme_name = proc_name
    return construct


def _record_predicate(rtype: RecordType, proc_name: str) -> Callable:
    def predicate(value: Any) -> bool:
        return type(value) is Record and value.rtype is rtype

    predicate.scheme_name = proc_name
    return predicate


def _record_accessor(rtype: RecordType, index: int, proc_name: str) -> Callable:
    def access(record: Any) -> Any:
        if type(record) is not Record or record.rtype is not rtype:
            raise type_error(proc_name, _a_record(rtype), record, 1)
        return record.values[index]

    access.scheme_name = proc_name
    return access


def _record_modifier(rtype: RecordType, index: int, proc_name: str) -> Callable:
    def modify(record: Any, value: Any) -> Any:
        if type(record) is not Record or record.rtype is not rtype:
            raise type_error(proc_name, _a_record(rtype), record, 1)
        record.values[index] = value
        return UNSPECIFIED

    modify.scheme_name = proc_name
    return modify
