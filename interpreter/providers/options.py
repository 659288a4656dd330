"""From a model spec and settings to a provider.

A spec (`ModelSpec`, parsed in `limits/models.py`) names `openai:MODEL`, `ollama:MODEL`,
`anthropic:MODEL`, `replay:CASSETTE`, `script:FILE`, or the offline test model `test`
(`test:window=N` with its own input window). The other offline models (`ScriptedModel`,
`FunctionModel`) are Python objects and are passed to the API directly, not named by a
spec.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from interpreter.errors import ProviderConfigError
from interpreter.limits.models import PROVIDERS, ModelSpec
from interpreter.providers.anthropic import AnthropicProvider
from interpreter.providers.base import DEFAULT_TIMEOUT, Provider, ProviderOptions
from interpreter.providers.openai import OllamaProvider, OpenAIProvider
from interpreter.providers.replay import ReplayProvider
from interpreter.providers.script import ScriptModel
from interpreter.providers.testing import OfflineTestModel

_HTTP_PROVIDERS: dict[str, Callable[[str, ProviderOptions], Provider]] = {
    "openai": OpenAIProvider,
    "ollama": OllamaProvider,
    "anthropic": AnthropicProvider,
}

# provider -> (base URL key, API key key) in the configuration; Ollama needs no key.
_SETTING_KEYS: dict[str, tuple[str, str | None]] = {
    "openai": ("openai_base_url", "openai_api_key"),
    "ollama": ("ollama_base_url", None),
    "anthropic": ("anthropic_base_url", "anthropic_api_key"),
}


def make_provider(
    spec: str | ModelSpec, options: Mapping[str, ProviderOptions] | None = None
) -> Provider:
    """The provider a spec names. `options` is keyed by provider ("openai", "ollama",
    "anthropic"); a missing entry means default options."""
    spec = ModelSpec.of(spec)
    provider, model = spec.provider, spec.model
    if provider == "test" and model != "test" and spec.window is None:
        valid = ", ".join(f"{p}:" for p in PROVIDERS if p != "test")
        raise ProviderConfigError(
            f"model spec {spec.text!r} names an offline test model, which exists only in "
            "Python: pass one (ScriptedModel, FunctionModel) to Interpreter(model=...); from "
            f"the command line use test (or test:window=N) or one of {valid}"
        )
    if provider == "test":
        return OfflineTestModel(spec.canonical)
    if provider == "replay":
        return ReplayProvider(model)
    if provider == "script":
        return ScriptModel(model)
    return _HTTP_PROVIDERS[provider](model, (options or {}).get(provider) or ProviderOptions())


def options_from_settings(settings: Mapping[str, Any]) -> dict[str, ProviderOptions]:
    """Per-provider options from the flat configuration keys (`Settings.values`):
    `openai_base_url`, `openai_api_key`, `anthropic_base_url`, `anthropic_api_key`,
    `ollama_base_url` and the shared `timeout`. Missing or empty values stay None, so the
    SDK's environment variable or the provider's default applies."""
    timeout = float(settings.get("timeout") or DEFAULT_TIMEOUT)

    def setting(key: str | None) -> str | None:
        return (settings.get(key) or None) if key else None

    return {
        name: ProviderOptions(setting(url_key), setting(key_key), timeout)
        for name, (url_key, key_key) in _SETTING_KEYS.items()
    }
