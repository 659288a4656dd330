"""Model providers: how a task's requests reach a model (or a cassette, or a script).

`make_provider("openai:gpt-4o-mini")` gives a `Provider`; its `complete(request)` is the
one call the Handler makes per turn. The vendor SDKs are imported only when a provider
that needs them is made, and the provider modules only when one of their names is first
used, so a program that runs no task loads none of them.
"""

from __future__ import annotations

from interpreter.exports import lazy_exports

_EXPORTS = {
    "FunctionModel": "providers.testing",
    "ModelSpec": "limits.models",
    "ModelSpecError": "errors",
    "OfflineTestModel": "providers.testing",
    "Provider": "providers.base",
    "ProviderConfigError": "errors",
    "ProviderError": "errors",
    "ProviderOptions": "providers.options",
    "Reason": "errors",
    "RecordingProvider": "providers.replay",
    "ReplayProvider": "providers.replay",
    "RequestSummary": "errors",
    "ScriptExhaustedError": "errors",
    "ScriptModel": "providers.script",
    "ScriptedModel": "providers.testing",
    "make_provider": "providers.options",
    "options_from_settings": "providers.options",
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS, globals())
