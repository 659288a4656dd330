"""taskscheme: a Scheme for programs that call language models under hard cost control.

    from interpreter import Interpreter, HandlerConfig, ResourceExhaustionError

Names are imported on first use, so `import interpreter` stays cheap for the CLI;
`interpreter.__version__` is the installed version, read from the package metadata.
"""

from __future__ import annotations

from typing import Any

from interpreter.exports import installed_version, lazy_exports

_EXPORTS = {
    "Interpreter": "engine.interpreter",
    "Capabilities": "engine.capabilities",
    "LimitedOutput": "engine.output",
    "to_python": "engine.convert",
    "HandlerConfig": "limits.settings",
    "Settings": "limits.settings",
    "load_settings": "limits.settings",
    "Handler": "limits.handler",
    "Budget": "limits.budget",
    "ResourceExhaustionError": "errors",
    "BudgetExhaustedError": "errors",
    "ResourceMetrics": "limits.metrics",
    "EventBus": "limits.events",
    "Event": "limits.events",
    "TraceWriter": "limits.events",
    "TaskschemeError": "errors",
    "format_error": "diagnostics",
    "ProviderError": "errors",
    "CapabilityError": "errors",
    "OutputLimitError": "errors",
    "ProgramExitError": "errors",
    "ScriptedModel": "providers",
    "FunctionModel": "providers",
    "MemoryStore": "memory.store",
    "MemoryRecord": "memory.store",
    "index_paths": "memory.indexer",
}

__all__ = sorted(_EXPORTS)

_exported = lazy_exports(__name__, _EXPORTS, globals())


def __getattr__(name: str) -> Any:
    """A name of `_EXPORTS`, or `__version__` (read from the package metadata when asked)."""
    if name != "__version__":
        return _exported(name)
    globals()["__version__"] = found = installed_version()
    return found
