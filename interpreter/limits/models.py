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

from interpreter.errors import ConfigError, ModelSpecError
from interpreter.limits.prices import (
    KNOWN_PRICES,
    PRICE_FIELDS,
    Prices,
    price_problem,
    resolve_prices,
)
from interpreter.limits.tokens import ENCODINGS

PROVIDERS = ("openai", "anthropic", "ollama", "test", "script", "replay")
# the providers that read a file the spec names, and what the file is
_FILE_PROVIDERS = {"replay": "a cassette path", "script": "a script file"}
SPEC_GRAMMAR = (
    f"a model spec is PROVIDER:NAME with PROVIDER one of {', '.join(PROVIDERS)} (test or "
    "test:window=N for the offline test model, script:FILE, replay:CASSETTE), or a known "
    "model name such as gpt-4o-mini"
)

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


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A model spec string, parsed: every layer reads a spec through `parse`, so a spec
    means the same to the settings, the providers and the accounting.

    `provider` is one of PROVIDERS; `model` is what follows its colon (a model name, a
    cassette path, a script file, the test model's name); `window` is the input window
    `test:window=N` gives, else None; `text` is the spec as written. A bare known model
    name (`gpt-4o`) gets its provider, and `test` alone is `test:test`."""

    provider: str
    model: str
    window: int | None
    text: str

    @classmethod
    def parse(cls, text: str) -> ModelSpec:
        """The spec `text` names; a ModelSpecError naming it and saying what a spec is
        unless it is one."""
        known = KNOWN_MODELS.get(text)
        if known is not None:
            return cls(known[0], text, None, text)
        provider, colon, model = text.partition(":")
        if not colon:
            raise ModelSpecError(text, f"is not a known model name; {SPEC_GRAMMAR}")
        if provider not in PROVIDERS:
            raise ModelSpecError(text, f"has an unknown provider {provider!r}; {SPEC_GRAMMAR}")
        if not model:
            what = _FILE_PROVIDERS.get(provider, "a model name")
            raise ModelSpecError(text, f"needs {what} after '{provider}:'; {SPEC_GRAMMAR}")
        if provider != "test" or not model.startswith(TEST_WINDOW_OPTION):
            return cls(provider, model, None, text)
        written = model.removeprefix(TEST_WINDOW_OPTION)
        window = int(written) if written.isascii() and written.isdigit() else 0
        if window < 1:
            raise ModelSpecError(
                text,
                "has no usable window: the test model's window must be a whole number of "
                f"tokens, at least 1, as in test:window=4000; got {written!r}",
            )
        return cls(provider, model, window, text)

    @classmethod
    def of(cls, spec: str | ModelSpec) -> ModelSpec:
        """`spec` parsed, unless it already is."""
        return spec if isinstance(spec, ModelSpec) else cls.parse(spec)

    @property
    def canonical(self) -> str:
        """`provider:model`, the name of the model in metrics, cassettes and errors."""
        return f"{self.provider}:{self.model}"

    @property
    def file(self) -> str | None:
        """The file the model reads (a cassette, a script), or None."""
        return self.model if self.provider in _FILE_PROVIDERS else None


def resolve_model(
    spec: str | ModelSpec, overrides: Mapping[str, Mapping[str, Any]] | None = None
) -> ModelInfo:
    """The ModelInfo for `spec`; `overrides[spec]` (from `[models."SPEC"]`) wins field by field."""
    spec = ModelSpec.of(spec)
    if spec.provider == "replay":
        raise ConfigError(
            f"model {spec.text!r} is a cassette: the replay provider reports the model it was "
            "recorded with, resolve that instead"
        )
    provider, name, canonical = spec.provider, spec.model, spec.canonical
    overrides = overrides or {}
    key = spec.text if spec.text in overrides else canonical
    override = overrides.get(key, {})
    check_model_entry(key, override, "model overrides")
    known = None if provider in OFFLINE_PROVIDERS else _known(provider, name)
    if provider in OFFLINE_PROVIDERS:
        window, encoding = spec.window or TEST_WINDOW, TEST_ENCODING
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
