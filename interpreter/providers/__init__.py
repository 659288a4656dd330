"""Model providers: how a task's requests reach a model (or a cassette, or a script).

`make_provider("openai:gpt-4o-mini")` gives a `Provider`; its `complete(request)` is the
one call the Handler makes per turn. The vendor SDKs are imported only when a provider
that needs them is made.
"""

from interpreter.errors import (
    ProviderConfigError,
    ProviderError,
    Reason,
    RequestSummary,
    ScriptExhaustedError,
)
from interpreter.providers.base import Provider
from interpreter.providers.options import (
    PREFIXES,
    ProviderOptions,
    make_provider,
    options_from_settings,
)
from interpreter.providers.replay import RecordingProvider, ReplayProvider
from interpreter.providers.script import ScriptModel
from interpreter.providers.testing import FunctionModel, OfflineTestModel, ScriptedModel

__all__ = [
    "PREFIXES",
    "FunctionModel",
    "OfflineTestModel",
    "Provider",
    "ProviderConfigError",
    "ProviderError",
    "ProviderOptions",
    "Reason",
    "RecordingProvider",
    "ReplayProvider",
    "RequestSummary",
    "ScriptExhaustedError",
    "ScriptModel",
    "ScriptedModel",
    "make_provider",
    "options_from_settings",
]
