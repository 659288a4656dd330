"""Names a package offers without importing them until first used: `import interpreter`
and `import interpreter.providers` stay cheap for the command line. The installed
version is one of them."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def lazy_exports(package: str, exports: dict[str, str], namespace: dict) -> Callable[[str], Any]:
    """The module `__getattr__` of `package` (PEP 562): each name of `exports` (name ->
    its module below `interpreter`) is imported on first use, then kept in `namespace`."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"interpreter.{module}"), name)
        namespace[name] = value
        return value

    return __getattr__


def installed_version() -> str:
    """The version of the installed taskscheme, from its package metadata (read only when
    asked: importlib.metadata costs start-up time)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("taskscheme")
    except PackageNotFoundError:  # a source tree that was never installed
        return "unknown (not installed)"
