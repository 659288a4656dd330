"""From a model spec string and settings to a provider.

A spec is `PREFIX:REST`: `openai:MODEL`, `ollama:MODEL`, `anthropic:MODEL`,
`replay:CASSETTE`, `script:FILE`, or the offline test model `test` (`test:window=N` with
its own input window). The other offline models (`ScriptedModel`, `FunctionModel`) are
Python objects and are passed to the API directly, not named by a spec.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from interpreter.errors import ProviderConfigError
from interpreter.limits.models import KNOWN_MODELS, TEST_WINDOW_OPTION
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

PREFIXES = (*_HTTP_PROVIDERS, "replay", "script", "test")
# the providers that read a file the spec names, and what the file is
_FILE_PREFIXES = {"replay": "a cassette path", "script": "a script file"}

# provider -> (base URL key, API key key) in the configuration; Ollama needs no key.
_SETTING_KEYS: dict[str, tuple[str, str | None]] = {
    "openai": ("openai_base_url", "openai_api_key"),
    "ollama": ("ollama_base_url", None),
    "anthropic": ("anthropic_base_url", "anthropic_api_key"),
}


def make_provider(spec: str, options: Mapping[str, ProviderOptions] | None = None) -> Provider:
    """The provider a spec names. `options` is keyed by prefix ("openai", "ollama",
    "anthropic"); a missing entry means default options."""
    if spec in KNOWN_MODELS:  # a bare known name, as configuration accepts it: gpt-4o
        spec = f"{KNOWN_MODELS[spec][0]}:{spec}"
    prefix, colon, rest = spec.partition(":")
    valid = ", ".join(f"{p}:" for p in PREFIXES[:-1])
    if prefix == "test" and rest != "test" and not rest.startswith(TEST_WINDOW_OPTION):
        raise ProviderConfigError(
            f"model spec {spec!r} names an offline test model, which exists only in Python: "
            "pass one (ScriptedModel, FunctionModel) to Interpreter(model=...); from the "
            f"command line use test (or test:window=N) or one of {valid}"
        )
    if not colon or prefix not in PREFIXES:
        raise ProviderConfigError(
            f"unknown model spec {spec!r}: it must be test or start with one of {valid}"
        )
    if not rest:
        what = _FILE_PREFIXES.get(prefix, "a model name")
        raise ProviderConfigError(f"model spec {spec!r} needs {what} after '{prefix}:'")
    if prefix == "test":
        return OfflineTestModel(spec)
    if prefix == "replay":
        return ReplayProvider(rest)
    if prefix == "script":
        return ScriptModel(rest)
    return _HTTP_PROVIDERS[prefix](rest, (options or {}).get(prefix) or ProviderOptions())


def spec_file(spec: str) -> str | None:
    """The file the model spec `spec` reads (a cassette, a script), or None."""
    prefix, _, rest = spec.partition(":")
    return rest if prefix in _FILE_PREFIXES and rest else None


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
