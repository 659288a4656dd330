"""Shared pytest fixtures."""

from collections.abc import Iterator

import pytest
from fake_llm_server import FakeLLMServer


@pytest.fixture(autouse=True)
def _no_real_provider_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach a real model API through the SDKs' own environment variables."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake_llm() -> Iterator[FakeLLMServer]:
    """A local server speaking the OpenAI and Anthropic wire formats; see fake_llm_server."""
    with FakeLLMServer() as server:
        yield server
