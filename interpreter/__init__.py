"""taskscheme: a Scheme for programs that call language models under hard cost control.

    from interpreter import Interpreter, HandlerConfig, ResourceExhaustionError

Names are imported on first use, so `import interpreter` stays cheap for the CLI.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Interpreter": "api",
    "to_python": "api",
    "HandlerConfig": "config",
    "Settings": "config",
    "load_settings": "config",
    "Handler": "handler",
    "Budget": "handler",
    "ResourceExhaustionError": "handler",
    "BudgetExhaustedError": "handler",
    "ResourceMetrics": "resources",
    "EventBus": "events",
    "Event": "events",
    "TraceWriter": "events",
    "TaskschemeError": "errors",
    "format_error": "errors",
    "ProviderError": "providers",
    "ScriptedModel": "providers",
    "FunctionModel": "providers",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'interpreter' has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
