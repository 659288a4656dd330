"""A model spec string parsed once (`ModelSpec.parse`), and the same spec meaning the same
to the settings, the providers, the accounting and the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from interpreter.errors import ConfigError, ModelSpecError, ProviderConfigError
from interpreter.limits.models import ModelSpec, resolve_model
from interpreter.providers import make_provider

GRAMMAR = "a model spec is PROVIDER:NAME with PROVIDER one of openai, anthropic, ollama, test"


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("openai:gpt-4o-mini", ("openai", "gpt-4o-mini", None, None)),
        ("anthropic:claude-sonnet-4-5", ("anthropic", "claude-sonnet-4-5", None, None)),
        ("ollama:qwen2.5:7b", ("ollama", "qwen2.5:7b", None, None)),  # the first colon
        ("replay:runs/a:b.jsonl", ("replay", "runs/a:b.jsonl", None, "runs/a:b.jsonl")),
        ("script:replies.toml", ("script", "replies.toml", None, "replies.toml")),
        ("test", ("test", "test", None, None)),
        ("test:window=300", ("test", "window=300", 300, None)),
        ("test:scripted", ("test", "scripted", None, None)),  # a Python test model's name
        ("gpt-4o", ("openai", "gpt-4o", None, None)),  # a bare known name gets its provider
        ("claude-haiku-4-5", ("anthropic", "claude-haiku-4-5", None, None)),
    ],
)
def test_every_provider_form_parses(text: str, parsed: tuple) -> None:
    spec = ModelSpec.parse(text)
    assert (spec.provider, spec.model, spec.window, spec.file) == parsed
    assert spec.text == text
    assert spec.canonical == f"{spec.provider}:{spec.model}"
    assert ModelSpec.of(spec) is spec
    assert ModelSpec.of(text) == spec


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("gpt4o", "model spec 'gpt4o' is not a known model name; " + GRAMMAR),
        ("", "model spec '' is not a known model name; " + GRAMMAR),
        ("gemini:pro", "model spec 'gemini:pro' has an unknown provider 'gemini'; " + GRAMMAR),
        (":gpt-4o", "model spec ':gpt-4o' has an unknown provider ''; " + GRAMMAR),
        ("Openai:gpt-4o", "model spec 'Openai:gpt-4o' has an unknown provider 'Openai'"),
        ("openai:", "model spec 'openai:' needs a model name after 'openai:'; " + GRAMMAR),
        ("ollama:", "model spec 'ollama:' needs a model name after 'ollama:'"),
        ("replay:", "model spec 'replay:' needs a cassette path after 'replay:'"),
        ("script:", "model spec 'script:' needs a script file after 'script:'"),
        ("test:", "model spec 'test:' needs a model name after 'test:'"),
        ("test:window=", "the test model's window must be a whole number of tokens"),
        ("test:window=0", "at least 1, as in test:window=4000; got '0'"),
        ("test:window=-5", "got '-5'"),
        ("test:window=4k", "got '4k'"),
        ("test:window=²", "got '²'"),  # a digit to str.isdigit, not to int()
    ],
)
def test_a_malformed_spec_is_one_error_naming_it(text: str, message: str) -> None:
    with pytest.raises(ModelSpecError) as caught:
        ModelSpec.parse(text)
    error = caught.value
    assert message in error.message
    assert error.message.startswith(f"model spec {text!r} ")
    assert (error.spec, error.kind) == (text, "config-error")
    # the settings and the accounting catch it as a config error, provider set-up as theirs
    assert isinstance(error, ConfigError) and isinstance(error, ProviderConfigError)


@pytest.mark.parametrize("text", ["gpt4o", "openai:", "test:window=0", "mistral:large"])
def test_every_layer_refuses_a_malformed_spec_with_the_parsers_message(text: str) -> None:
    with pytest.raises(ModelSpecError) as parsed:
        ModelSpec.parse(text)
    with pytest.raises(ModelSpecError) as resolved:
        resolve_model(text)
    with pytest.raises(ModelSpecError) as made:
        make_provider(text)
    assert parsed.value.message == resolved.value.message == made.value.message


def test_a_spec_means_the_same_to_the_accounting_and_the_provider() -> None:
    for text in ("test", "test:window=300", "gpt-4o"):
        spec = ModelSpec.parse(text)
        assert resolve_model(text) == resolve_model(spec)
        assert make_provider(spec).spec == spec.canonical
    assert resolve_model("test:window=300").input_window == 300
    # a `[models."SPEC"]` table is found by the spec as written or by its canonical form
    assert resolve_model("gpt-4o", {"gpt-4o": {"input_window": 10}}).input_window == 10
    assert resolve_model("gpt-4o", {"openai:gpt-4o": {"input_window": 11}}).input_window == 11


def taskscheme(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """The command line in `tmp_path`, with no configuration file."""
    return subprocess.run(
        [sys.executable, "-m", "interpreter", *args],
        cwd=tmp_path,
        env={"PATH": "", "XDG_CONFIG_HOME": str(tmp_path / "no-config"), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("gemini:pro", "model spec 'gemini:pro' has an unknown provider 'gemini'"),
        ("script:", "model spec 'script:' needs a script file after 'script:'"),
        ("test:window=lots", "got 'lots'"),
    ],
)
def test_the_command_line_refuses_a_malformed_model(tmp_path: Path, model: str, message: str):
    (tmp_path / "p.scm").write_text('(display "ran")\n')
    result = taskscheme(tmp_path, "run", "p.scm", "--model", model)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("config-error: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_tasks_malformed_model_is_a_config_error_at_its_definition(tmp_path: Path) -> None:
    (tmp_path / "p.scm").write_text(
        '(display "before")\n(define-task (t x) #:model "openai:" "{{x}}")\n'
    )
    result = taskscheme(tmp_path, "run", "p.scm", "--model", "test")
    assert result.returncode == 1, result.stderr
    assert result.stdout == "before"
    assert "config-error: t: #:model \"openai:\" is not usable: model spec 'openai:' needs a " in (
        result.stderr
    )
