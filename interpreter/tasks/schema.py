"""JSON schemas for task output: checked when a task is defined, enforced on each answer.

Models that promise structured output still get it wrong now and then, so a task with a
schema validates the answer itself and reports the first violation with its path
(`$.tickets[2].label`) and the rule that failed. Only the subset of JSON Schema that
structured output uses is supported (type, properties, required, enum, items,
additionalProperties, minimum/maximum, minItems/maxItems, minLength/maxLength, nested);
any other keyword is refused when the task is defined, so a typo cannot silently turn a
rule off.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from interpreter.diagnostics import suggest
from interpreter.errors import SchemaError

JSON_TYPES = ("object", "array", "string", "number", "integer", "boolean", "null")

# Keywords that carry no rule and are passed to the model as they are.
ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "default", "examples", "format"})

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SHOWN_AT = 60


def _is_number(value: Any) -> bool:
    return type(value) in (int, float)


def _is_integer(value: Any) -> bool:
    return type(value) is int or (type(value) is float and value.is_integer())


def _is_count(value: Any) -> bool:
    return type(value) is int and value >= 0


# How to recognise a decoded JSON value of each type.
TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: type(v) is dict,
    "array": lambda v: type(v) is list,
    "string": lambda v: type(v) is str,
    "number": _is_number,
    "integer": _is_integer,
    "boolean": lambda v: type(v) is bool,
    "null": lambda v: v is None,
}


def child_path(path: str, key: str | int) -> str:
    """`$.label`, `$.items[2]`, `$["odd key"]`."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if _IDENTIFIER.match(key) else f"{path}[{json.dumps(key)}]"


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _SHOWN_AT else text[: _SHOWN_AT - 3] + "..."


# -- checking a schema -------------------------------------------------------------------


def check_schema(schema: Any, path: str = "$") -> dict[str, Any]:
    """`schema` checked and normalized (an empty list where an object is expected, as an
    empty Scheme alist converts, becomes {}); SchemaError names the path and the problem."""
    schema = _object(schema, path, "a schema")
    checked: dict[str, Any] = {}
    for keyword, value in schema.items():
        check = _KEYWORD_CHECKS.get(keyword)
        if check is not None:
            checked[keyword] = check(value, path, keyword)
        elif keyword in ANNOTATIONS:
            checked[keyword] = value
        else:
            known = [*_KEYWORD_CHECKS, *ANNOTATIONS]
            close = suggest(keyword, known)
            hint = f" (did you mean {close!r}?)" if close else ""
            raise SchemaError(
                f"output schema at {path}: unsupported keyword {keyword!r}{hint}; "
                f"supported: {', '.join(_KEYWORD_CHECKS)}"
            )
    return checked


def _problem(path: str, keyword: str, text: str) -> SchemaError:
    return SchemaError(f"output schema at {path}, {keyword}: {text}")


def _object(value: Any, path: str, what: str) -> dict[str, Any]:
    if value == []:
        return {}
    if type(value) is not dict:
        raise SchemaError(
            f"output schema at {path}: expected {what} (an object), got {_shown(value)}"
        )
    return value


def _check_type(value: Any, path: str, keyword: str) -> Any:
    names = value if type(value) is list else [value]
    if not names or any(name not in JSON_TYPES for name in names):
        raise _problem(
            path, keyword, f"{_shown(value)} is not a JSON type; use one of {', '.join(JSON_TYPES)}"
        )
    return value


def _check_properties(value: Any, path: str, keyword: str) -> dict[str, Any]:
    properties = _object(value, f"{path}, {keyword}", "property schemas")
    return {name: check_schema(sub, child_path(path, name)) for name, sub in properties.items()}


def _check_required(value: Any, path: str, keyword: str) -> list[str]:
    if type(value) is not list or not all(type(name) is str for name in value):
        raise _problem(path, keyword, f"expected a list of property names, got {_shown(value)}")
    return value


def _check_enum(value: Any, path: str, keyword: str) -> list[Any]:
    if type(value) is not list or not value:
        raise _problem(path, keyword, f"expected a non-empty list of values, got {_shown(value)}")
    return value


def _check_items(value: Any, path: str, keyword: str) -> dict[str, Any]:
    return check_schema(value, f"{path}[]")


def _check_additional(value: Any, path: str, keyword: str) -> bool | dict[str, Any]:
    return value if type(value) is bool else check_schema(value, f"{path}, {keyword}")


def _check_bound(value: Any, path: str, keyword: str) -> Any:
    if not _is_number(value):
        raise _problem(path, keyword, f"expected a number, got {_shown(value)}")
    return value


def _check_count(value: Any, path: str, keyword: str) -> int:
    if not _is_count(value):
        raise _problem(path, keyword, f"expected a non-negative integer, got {_shown(value)}")
    return value


_KEYWORD_CHECKS: dict[str, Callable[[Any, str, str], Any]] = {
    "type": _check_type,
    "properties": _check_properties,
    "required": _check_required,
    "enum": _check_enum,
    "items": _check_items,
    "additionalProperties": _check_additional,
    "minimum": _check_bound,
    "maximum": _check_bound,
    "minItems": _check_count,
    "maxItems": _check_count,
    "minLength": _check_count,
    "maxLength": _check_count,
}


# -- validating a value ------------------------------------------------------------------


def violation(value: Any, schema: dict[str, Any], path: str = "$") -> str | None:
    """The first way `value` (decoded JSON) breaks `schema` (a checked schema), as
    "at PATH: RULE", or None if it satisfies it."""
    for rule in _RULES:
        problem = rule(value, schema, path)
        if problem is not None:
            return problem
    return None


def _type_rule(value: Any, schema: dict[str, Any], path: str) -> str | None:
    wanted = schema.get("type")
    if wanted is None:
        return None
    names = wanted if type(wanted) is list else [wanted]
    if any(TYPE_TESTS[name](value) for name in names):
        return None
    expected = " or ".join(f"{_article(name)} {name}" for name in names)
    return f"at {path}: expected {expected}, got {_shown(value)}"


def _article(name: str) -> str:
    return "an" if name[0] in "aeiou" else "a"


def _enum_rule(value: Any, schema: dict[str, Any], path: str) -> str | None:
    choices = schema.get("enum")
    if choices is None or any(_same(value, choice) for choice in choices):
        return None
    listed = ", ".join(_shown(choice) for choice in choices)
    return f"at {path}: must be one of {listed}; got {_shown(value)}"


def _same(a: Any, b: Any) -> bool:
    """JSON equality: 1 == 1.0, but true is not 1."""
    return (type(a) is type(b) and a == b) or (_is_number(a) and _is_number(b) and a == b)


def _bounds_rule(value: Any, schema: dict[str, Any], path: str) -> str | None:
    if not _is_number(value):
        return None
    if "minimum" in schema and value < schema["minimum"]:
        return f"at {path}: must be at least {schema['minimum']}, got {_shown(value)}"
    if "maximum" in schema and value > schema["maximum"]:
        return f"at {path}: must be at most {schema['maximum']}, got {_shown(value)}"
    return None


def _size_problem(
    path: str, size: int, schema: dict[str, Any], keys: tuple[str, str], unit: str
) -> str | None:
    low, high = (schema.get(key) for key in keys)
    if low is not None and size < low:
        return f"at {path}: must have at least {low} {unit}, got {size}"
    if high is not None and size > high:
        return f"at {path}: must have at most {high} {unit}, got {size}"
    return None


def _string_rule(value: Any, schema: dict[str, Any], path: str) -> str | None:
    if type(value) is not str:
        return None
    return _size_problem(path, len(value), schema, ("minLength", "maxLength"), "characters")


def _array_rule(value: Any, schema: dict[str, Any], path: str) -> str | None:
    if type(value) is not list:
        return None
    problem = _size_problem(path, len(value), schema, ("minItems", "maxItems"), "items")
    items = schema.get("items")
    if problem is None and items is not None:
        for index, item in enumerate(value):
            problem = violation(item, items, child_path(path, index))
            if problem is not None:
                break
    return problem


def _object_rule(value: Any, schema: dict[str, Any], path: str) -> str | None:
    if type(value) is not dict:
        return None
    for name in schema.get("required", ()):
        if name not in value:
            return f"at {path}: missing required property {json.dumps(name)}"
    properties = schema.get("properties", {})
    additional = schema.get("additionalProperties", True)
    for name, item in value.items():
        sub = properties.get(name)
        if sub is None and additional is False:
            allowed = ", ".join(properties) or "none"
            return f"at {path}: property {json.dumps(name)} is not allowed (allowed: {allowed})"
        if sub is None and type(additional) is dict:
            sub = additional
        problem = None if sub is None else violation(item, sub, child_path(path, name))
        if problem is not None:
            return problem
    return None


_RULES = (_type_rule, _enum_rule, _bounds_rule, _string_rule, _array_rule, _object_rule)
