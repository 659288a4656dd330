"""Python classes as the output of a task defined from Python: a pydantic model or a
dataclass.

The class gives the JSON schema that is sent to the model and charged (a pydantic model's
`model_json_schema()`; for a dataclass, one derived here from its fields' type hints), and
turns the model's JSON answer into an instance, validated: an answer that does not fit is
a `ValueError` naming where, which the task reports as a task output error. pydantic is
imported only by a pydantic model's own methods: dataclasses need nothing but Python.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable
from typing import Any

from interpreter.tasks.output import TypedOutput
from interpreter.tasks.schema import child_path, violation

# JSON types of the Python types a dataclass field may have.
_PLAIN = {str: "string", int: "integer", float: "number", bool: "boolean", type(None): "null"}


def is_output_class(value: Any) -> bool:
    """Whether `value` is a class a task's output can be: a pydantic model or a dataclass."""
    return isinstance(value, type) and (
        callable(getattr(value, "model_json_schema", None)) or dataclasses.is_dataclass(value)
    )


def typed_output(cls: type) -> TypedOutput:
    """The schema and the validating conversion of output class `cls`."""
    if callable(getattr(cls, "model_json_schema", None)):
        return TypedOutput(cls.__name__, cls.model_json_schema(), _pydantic_validator(cls))
    schema = _schema(cls, cls.__name__)

    def convert(data: Any) -> Any:
        problem = violation(data, schema)
        if problem is not None:
            raise ValueError(problem)
        return _build(cls, data)

    return TypedOutput(cls.__name__, schema, convert)


def _pydantic_validator(model: Any) -> Callable[[Any], Any]:
    def convert(data: Any) -> Any:
        from pydantic import ValidationError  # only a pydantic model's task needs it

        try:
            return model.model_validate(data)
        except ValidationError as error:
            first = error.errors()[0]
            path = "$"
            for step in first["loc"]:
                path = child_path(path, step)
            raise ValueError(f"at {path}: {first['msg']}") from None

    return convert


def _schema(hint: Any, where: str) -> dict[str, Any]:
    """The JSON schema of a field typed `hint` (`where` names it, for an error)."""
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        hints = typing.get_type_hints(hint)
        fields = dataclasses.fields(hint)
        return {
            "type": "object",
            "properties": {f.name: _schema(hints[f.name], f"{where}.{f.name}") for f in fields},
            "required": [f.name for f in fields if not _has_default(f)],
            "additionalProperties": False,
        }
    if hint in _PLAIN:
        return {"type": _PLAIN[hint]}
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    choices = [m.value for m in hint] if isinstance(hint, enum.EnumMeta) else list(args)
    if (isinstance(hint, enum.EnumMeta) or origin is typing.Literal) and choices:
        kinds = {_PLAIN.get(type(choice)) for choice in choices}
        if len(kinds) == 1 and None not in kinds:
            return {"type": kinds.pop(), "enum": choices}
    if origin in (list, tuple) or hint in (list, tuple):
        schema: dict[str, Any] = {"type": "array"}
        if args and (origin is list or (len(args) == 2 and args[1] is Ellipsis)):
            schema["items"] = _schema(args[0], f"{where}[]")
        return schema
    if origin is dict or hint is dict:
        return {"type": "object"}
    if origin in (typing.Union, types.UnionType):
        choices = [arg for arg in args if arg is not type(None)]
        if len(choices) == 1 and "type" in (inner := _schema(choices[0], where)):
            return {**inner, "type": [inner["type"], "null"]}
    raise TypeError(f"{where}: a field typed {hint!r} cannot be part of a task's JSON output")


def _has_default(field: dataclasses.Field) -> bool:
    return field.default is not dataclasses.MISSING or (
        field.default_factory is not dataclasses.MISSING
    )


def _build(hint: Any, data: Any) -> Any:
    """`data` (JSON that satisfies `hint`'s schema) as a value of `hint`: dataclasses and
    enums made, the rest as it is."""
    if data is None:
        return None
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        hints = typing.get_type_hints(hint)
        return hint(**{name: _build(hints[name], value) for name, value in data.items()})
    if isinstance(hint, enum.EnumMeta):
        return hint(data)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return _build(next(arg for arg in args if arg is not type(None)), data)
    if origin is list and args:
        return [_build(args[0], item) for item in data]
    if origin is tuple or hint is tuple:
        homogeneous = len(args) == 2 and args[1] is Ellipsis
        return tuple(_build(args[0], item) for item in data) if homogeneous else tuple(data)
    return data
