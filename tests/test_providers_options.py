"""Model specs, provider options and the optional SDKs."""

import sys

import pytest

from interpreter.errors import ProviderConfigError
from interpreter.providers import ProviderOptions, make_provider, options_from_settings
from interpreter.providers.anthropic import AnthropicProvider
from interpreter.providers.openai import OllamaProvider, OpenAIProvider


def test_specs_name_providers():
    openai = make_provider("openai:gpt-4o-mini")
    assert isinstance(openai, OpenAIProvider)
    assert (openai.spec, openai.model) == ("openai:gpt-4o-mini", "gpt-4o-mini")
    assert openai.base_url == "https://api.openai.com/v1"
    assert isinstance(make_provider("ollama:qwen2.5:7b"), OllamaProvider)
    assert make_provider("ollama:qwen2.5:7b").model == "qwen2.5:7b"
    anthropic = make_provider("anthropic:claude-sonnet-4-5")
    assert isinstance(anthropic, AnthropicProvider)
    assert anthropic.base_url == "https://api.anthropic.com"


def test_options_are_taken_per_provider():
    options = {"openai": ProviderOptions(base_url="http://here/v1", timeout=5.0)}
    assert make_provider("openai:m", options).base_url == "http://here/v1"
    assert make_provider("openai:m", options).options.timeout == 5.0
    assert make_provider("anthropic:m", options).options == ProviderOptions()


def test_options_from_settings():
    options = options_from_settings(
        {
            "openai_base_url": "http://vllm:8000/v1",
            "openai_api_key": "sk-1",
            "anthropic_api_key": "",
            "ollama_base_url": "http://gpu-box:11434/v1",
            "timeout": "12.5",
        }
    )
    assert options["openai"] == ProviderOptions("http://vllm:8000/v1", "sk-1", 12.5)
    assert options["anthropic"] == ProviderOptions(None, None, 12.5)
    assert options["ollama"] == ProviderOptions("http://gpu-box:11434/v1", None, 12.5)
    assert options_from_settings({})["openai"] == ProviderOptions()


def test_missing_sdk_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "openai", None)
    with pytest.raises(ProviderConfigError) as caught:
        OpenAIProvider("gpt-4o-mini", ProviderOptions())
    assert "pip install 'taskscheme[openai]'" in caught.value.message


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("gpt4o", "model spec 'gpt4o' is not a known model name; a model spec is PROVIDER:NAME"),
        ("test:scripted", "pass one (ScriptedModel, FunctionModel) to Interpreter(model=...)"),
        ("gemini:pro", "model spec 'gemini:pro' has an unknown provider 'gemini'"),
        ("openai:", "needs a model name after 'openai:'"),
        ("replay:", "needs a cassette path after 'replay:'"),
    ],
)
def test_bad_specs(spec, expected):
    with pytest.raises(ProviderConfigError) as caught:
        make_provider(spec)
    assert expected in caught.value.message


def test_a_bare_known_model_name_gets_its_provider():
    # Configuration accepts `model = "gpt-4o"`, so the provider must too.
    assert make_provider("gpt-4o").spec == "openai:gpt-4o"
    assert make_provider("claude-sonnet-4-5").spec == "anthropic:claude-sonnet-4-5"
