"""The optional SDK each HTTP provider needs, found without importing it or the provider
modules: the command line checks the chosen model's at start-up, and a provider when it
is made (an SDK takes about half a second to import, paid at the first request instead).
"""

from __future__ import annotations

import importlib.util

from interpreter.errors import ProviderConfigError

# provider -> the SDK module it needs, which is also the name of the extra installing it
SDK_MODULES = {"openai": "openai", "ollama": "openai", "anthropic": "anthropic"}


def require_sdk(provider: str) -> None:
    """Refuse a provider whose SDK is not installed, naming the extra that installs it."""
    module = SDK_MODULES.get(provider)
    if module is not None and importlib.util.find_spec(module) is None:
        raise ProviderConfigError(
            f"the {module} SDK is not installed; install it with: pip install 'taskscheme[{module}]'"
        )
