"""The model registry: what a model spec string means for resource accounting.

A Handler needs three facts about its model: the input window its context limit is a
fraction of, the tiktoken encoding content is counted with, and the framing tokens each
message costs on top of its content. Known models carry them here; anything else must be
described in configuration (`[models."SPEC"]`), because guessing a window would make the
hard limit a guess too.

Anthropic publishes no tiktoken encoding, so Claude models are counted with cl100k_base as
a local approximation; the Handler records the usage the provider reports beside it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from interpreter.errors import ConfigError
from interpreter.limits.prices import (
    KNOWN_PRICES,
    PRICE_FIELDS,
    Prices,
    price_problem,
    resolve_prices,
)
from interpreter.limits.tokens import ENCODINGS

PROVIDERS = ("openai", "anthropic", "ollama", "test", "script")
REPLAY_PREFIX = "replay:"

# Framing tokens per message on top of its content. 3 is OpenAI's documented figure for
# its chat format (<|start|>{role}<|message|>...<|end|>). The other providers publish
# none; they use the same figure, and their reported usage is recorded beside ours.
MESSAGE_OVERHEAD = {"openai": 3, "anthropic": 3, "ollama": 3, "test": 3, "script": 3}

# The offline models (`test`, `test:window=N`, `script:FILE` and the Python test models)
# are accounted like a gpt-4o-sized model unless a window is given.
TEST_WINDOW = 128_000
TEST_ENCODING = "o200k_base"
OFFLINE_PROVIDERS = ("test", "script")
TEST_WINDOW_OPTION = "window="
DEFAULT_OVERRIDE_ENCODING = "cl100k_base"


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """The accounting facts of one model. `spec` is canonical: `provider:name`.
    `prices` is None when the model's price is not known (its cost is unknown)."""

    spec: str
    provider: str
    name: str
    input_window: int
    encoding: str
    message_overhead: int
    prices: Prices | None = None


# name -> (provider, input window, encoding). gpt-5 models have a 400,000-token context
# of which at most 272,000 may be input (the rest is reserved for output).
KNOWN_MODELS: dict[str, tuple[str, int, str]] = {
    "gpt-4o": ("openai", 128_000, "o200k_base"),
    "gpt-4o-mini": ("openai", 128_000, "o200k_base"),
    "gpt-4.1": ("openai", 1_047_576, "o200k_base"),
    "gpt-4.1-mini": ("openai", 1_047_576, "o200k_base"),
    "gpt-4.1-nano": ("openai", 1_047_576, "o200k_base"),
    "gpt-4-turbo": ("openai", 128_000, "cl100k_base"),
    "gpt-3.5-turbo": ("openai", 16_385, "cl100k_base"),
    "o1": ("openai", 200_000, "o200k_base"),
    "o3": ("openai", 200_000, "o200k_base"),
    "o3-mini": ("openai", 200_000, "o200k_base"),
    "o4-mini": ("openai", 200_000, "o200k_base"),
    "gpt-5": ("openai", 272_000, "o200k_base"),
    "gpt-5-mini": ("openai", 272_000, "o200k_base"),
    "gpt-5-nano": ("openai", 272_000, "o200k_base"),
    "claude-3-5-sonnet-latest": ("anthropic", 200_000, "cl100k_base"),
    "claude-3-5-haiku-latest": ("anthropic", 200_000, "cl100k_base"),
    "claude-3-7-sonnet-latest": ("anthropic", 200_000, "cl100k_base"),
    "claude-sonnet-4-0": ("anthropic", 200_000, "cl100k_base"),
    "claude-sonnet-4-5": ("anthropic", 200_000, "cl100k_base"),
    "claude-opus-4-1": ("anthropic", 200_000, "cl100k_base"),
    "claude-haiku-4-5": ("anthropic", 200_000, "cl100k_base"),
    "test": ("test", TEST_WINDOW, TEST_ENCODING),  # the command line's offline test model
}

# Dated snapshots (gpt-4o-2024-08-06, claude-sonnet-4-5-20250929) share their family's
# window; Anthropic's undated aliases end in -latest or -0.
_SNAPSHOT_DATE = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{8})$")
_ALIAS_ENDINGS = ("", "-latest", "-0")


def whole_number_problem(value: object, minimum: int = 1) -> str | None:
    """Why `value` is not an integer >= `minimum` (bools are not integers), or None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "must be an integer"
    if value < minimum:
        return f"must be at least {minimum}"
    return None


def _encoding_problem(value: object) -> str | None:
    if value not in ENCODINGS:
        return f"must be one of {', '.join(sorted(ENCODINGS))}"
    return None


MODEL_FIELDS = {
    "input_window": lambda value: whole_number_problem(value, 1),
    "encoding": _encoding_problem,
    "message_overhead": lambda value: whole_number_problem(value, 0),
    **dict.fromkeys(PRICE_FIELDS, price_problem),
}


def check_model_entry(spec: str, entry: object, where: str) -> None:
    """Raise ConfigError unless `entry` is a valid `[models."SPEC"]` table."""
    if not isinstance(entry, Mapping):
        raise ConfigError(f'{where}: [models."{spec}"] must be a table')
    for field, value in entry.items():
        check = MODEL_FIELDS.get(field)
        if check is None:
            raise ConfigError(
                f'{where}: unknown key {field!r} in [models."{spec}"]; '
                f"the keys are {', '.join(MODEL_FIELDS)}"
            )
        problem = check(value)
        if problem:
            raise ConfigError(f'{where}: [models."{spec}"] {field} = {value!r} {problem}')


def _known(provider: str, name: str) -> tuple[str, tuple[str, int, str]] | None:
    """The registry's name for a model and its entry: snapshots and aliases find their
    family's."""
    base = _SNAPSHOT_DATE.sub("", name)
    for candidate in (name, *(base + ending for ending in _ALIAS_ENDINGS)):
        entry = KNOWN_MODELS.get(candidate)
        if entry is not None and entry[0] == provider:
            return candidate, entry
    return None


def offline_window(spec: str) -> int:
    """The input window of an offline model: `test:window=N` names its own, any other
    name (`test`, `script:FILE`, the Python models' `test:NAME`) has `TEST_WINDOW`."""
    provider, _, name = spec.partition(":")
    if provider != "test" or not name.startswith(TEST_WINDOW_OPTION):
        return TEST_WINDOW
    written = name.removeprefix(TEST_WINDOW_OPTION)
    window = int(written) if written.isdigit() else None
    if window is None or whole_number_problem(window) is not None:
        raise ConfigError(
            f"model {spec!r}: the test model's window must be a whole number of tokens, "
            f"at least 1, as in test:window=4000; got {written!r}"
        )
    return window


def split_spec(spec: str) -> tuple[str, str]:
    """`provider:name` -> (provider, name); a bare known name gets its provider."""
    if spec in KNOWN_MODELS:
        return KNOWN_MODELS[spec][0], spec
    provider, colon, name = spec.partition(":")
    if not colon or provider not in PROVIDERS or not name:
        raise ConfigError(
            f"model {spec!r} is not a model spec: write provider:name with provider one of "
            f"{', '.join(PROVIDERS)} (or replay:CASSETTE), or a known model name such as "
            "gpt-4o-mini"
        )
    return provider, name


def resolve_model(spec: str, overrides: Mapping[str, Mapping[str, Any]] | None = None) -> ModelInfo:
    """The ModelInfo for `spec`; `overrides[spec]` (from `[models."SPEC"]`) wins field by field."""
    if spec.startswith(REPLAY_PREFIX):
        raise ConfigError(
            f"model {spec!r} is a cassette: the replay provider reports the model it was "
            "recorded with, resolve that instead"
        )
    provider, name = split_spec(spec)
    canonical = f"{provider}:{name}"
    overrides = overrides or {}
    key = spec if spec in overrides else canonical
    override = overrides.get(key, {})
    check_model_entry(key, override, "model overrides")
    known = None if provider in OFFLINE_PROVIDERS else _known(provider, name)
    if provider in OFFLINE_PROVIDERS:
        window, encoding = offline_window(canonical), TEST_ENCODING
    elif known is None:
        window, encoding = None, DEFAULT_OVERRIDE_ENCODING
    else:
        _, window, encoding = known[1]
    window = override.get("input_window", window)
    if window is None:
        raise ConfigError(
            f"unknown model {canonical!r}: its input window is not known. Add it to "
            "taskscheme.toml with the model's real input window (8192 is only an "
            f'example):\n\n[models."{canonical}"]\ninput_window = 8192\n'
            f'encoding = "{DEFAULT_OVERRIDE_ENCODING}"   # optional'
        )
    return ModelInfo(
        spec=canonical,
        provider=provider,
        name=name,
        input_window=window,
        encoding=override.get("encoding", encoding),
        message_overhead=override.get("message_overhead", MESSAGE_OVERHEAD[provider]),
        prices=resolve_prices(KNOWN_PRICES.get(known[0]) if known else None, dict(override)),
    )
