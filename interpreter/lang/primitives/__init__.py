"""Procedures written in Python, registered by the name programs call them by.

Each module here registers its procedures with `@primitive("name")`; `all_primitives()`
imports them all and returns the table the global environment starts from.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from functools import cache
from typing import Any

PRIMITIVES: dict[str, Callable[..., Any]] = {}


def primitive(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a Python function as the procedure `name`."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        fn.scheme_name = name  # type: ignore[attr-defined]
        PRIMITIVES[name] = fn
        return fn

    return register


def alias(name: str, fn: Callable[..., Any]) -> None:
    PRIMITIVES[name] = fn


@cache
def all_primitives() -> dict[str, Callable[..., Any]]:
    """Import every primitives module (each registers itself) and return the table."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return PRIMITIVES
