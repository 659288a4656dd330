"""The model registry: spec strings, known windows and encodings, overrides, clear errors."""

from __future__ import annotations

import pytest

from interpreter.errors import ConfigError, TaskschemeError
from interpreter.limits.models import KNOWN_MODELS, ModelInfo, resolve_model
from interpreter.limits.prices import Prices


def test_provider_and_name() -> None:
    assert resolve_model("openai:gpt-4o-mini") == ModelInfo(
        spec="openai:gpt-4o-mini",
        provider="openai",
        name="gpt-4o-mini",
        input_window=128_000,
        encoding="o200k_base",
        message_overhead=3,
        prices=Prices(input=0.15, cached_input=0.075, output=0.60),
    )


def test_a_bare_known_name_gets_its_provider() -> None:
    assert resolve_model("gpt-4o-mini").spec == "openai:gpt-4o-mini"
    assert resolve_model("claude-haiku-4-5").spec == "anthropic:claude-haiku-4-5"


@pytest.mark.parametrize(
    ("spec", "window", "encoding"),
    [
        ("openai:gpt-4o", 128_000, "o200k_base"),
        ("openai:gpt-4.1-nano", 1_047_576, "o200k_base"),
        ("openai:gpt-4-turbo", 128_000, "cl100k_base"),
        ("openai:gpt-3.5-turbo", 16_385, "cl100k_base"),
        ("openai:o3-mini", 200_000, "o200k_base"),
        ("openai:gpt-5", 272_000, "o200k_base"),
        ("anthropic:claude-sonnet-4-5", 200_000, "cl100k_base"),
        ("anthropic:claude-3-5-haiku-latest", 200_000, "cl100k_base"),
    ],
)
def test_known_windows_and_encodings(spec: str, window: int, encoding: str) -> None:
    info = resolve_model(spec)
    assert (info.input_window, info.encoding) == (window, encoding)


def test_every_known_model_resolves() -> None:
    for name, (provider, window, _) in KNOWN_MODELS.items():
        info = resolve_model(f"{provider}:{name}")
        assert info.input_window == window
        assert info.message_overhead == 3


@pytest.mark.parametrize(
    ("spec", "family"),
    [
        ("openai:gpt-4o-2024-08-06", "gpt-4o"),
        ("openai:gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("anthropic:claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
        ("anthropic:claude-3-7-sonnet-20250219", "claude-3-7-sonnet-latest"),
        ("anthropic:claude-sonnet-4-20250514", "claude-sonnet-4-0"),
    ],
)
def test_dated_snapshots_share_their_familys_window(spec: str, family: str) -> None:
    info = resolve_model(spec)
    assert info.spec == spec
    assert info.input_window == KNOWN_MODELS[family][1]


def test_a_model_of_another_provider_is_not_known() -> None:
    with pytest.raises(ConfigError, match="unknown model 'anthropic:gpt-4o'"):
        resolve_model("anthropic:gpt-4o")


def test_test_models_take_any_name() -> None:
    info = resolve_model("test:echo")
    assert (info.provider, info.name, info.input_window, info.encoding) == (
        "test",
        "echo",
        128_000,
        "o200k_base",
    )


def test_ollama_names_may_contain_colons() -> None:
    info = resolve_model("ollama:llama3.1:8b", {"ollama:llama3.1:8b": {"input_window": 8192}})
    assert (info.name, info.input_window, info.encoding) == ("llama3.1:8b", 8192, "cl100k_base")


def test_an_unknown_model_error_shows_the_toml_to_add() -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_model("ollama:llama3.1")
    error = caught.value
    assert isinstance(error, TaskschemeError)
    assert error.kind == "config-error"
    assert "'ollama:llama3.1'" in error.message
    assert '[models."ollama:llama3.1"]\ninput_window = 8192' in error.message


def test_overrides_win_field_by_field() -> None:
    overrides = {"openai:gpt-4o": {"input_window": 64_000, "message_overhead": 4}}
    info = resolve_model("gpt-4o", overrides)
    assert (info.input_window, info.encoding, info.message_overhead) == (64_000, "o200k_base", 4)
    assert resolve_model("test:small", {"test:small": {"input_window": 300}}).input_window == 300


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"input_window": "8k"}, "input_window = '8k' must be an integer"),
        ({"input_window": 0}, "must be at least 1"),
        ({"input_window": True}, "must be an integer"),
        ({"input_window": 8192, "encoding": "gpt2"}, "must be one of cl100k_base, o200k_base"),
        ({"input_windw": 8192}, "unknown key 'input_windw'"),
    ],
)
def test_bad_overrides_are_rejected(entry: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        resolve_model("ollama:x", {"ollama:x": entry})


@pytest.mark.parametrize("spec", ["gpt-99", "mistral:large", "openai:", ":x", ""])
def test_malformed_specs_name_the_providers(spec: str) -> None:
    with pytest.raises(ConfigError, match="openai, anthropic, ollama, test"):
        resolve_model(spec)


def test_replay_specs_are_not_resolved_here() -> None:
    with pytest.raises(ConfigError, match="replay provider reports the model"):
        resolve_model("replay:run.jsonl")
