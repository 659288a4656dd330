"""Shared pytest fixtures, and two session-wide rules.

- The suite never writes to the user's cache: `XDG_CACHE_HOME` is set to a temporary
  directory for the whole run (CLI subprocesses inherit it), so the reader's parser is
  generated there once per run.
- A test leaves nothing in the checkout: the run fails if `git status` shows a file that
  was not there, or not changed, when the run began.
"""

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_llm_server import FakeLLMServer

ROOT = Path(__file__).resolve().parent.parent
_CHECKOUT_BEFORE = pytest.StashKey[set[str]]()
_OWN_CACHE = pytest.StashKey[str]()


def _is_worker(config: pytest.Config) -> bool:
    """A pytest-xdist worker: the controller sets the cache up and checks the checkout."""
    return hasattr(config, "workerinput")


def _checkout_state() -> set[str] | None:
    """`git status` of the checkout, one entry a line; None outside a git checkout."""
    try:
        result = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return set(result.stdout.splitlines())


def pytest_configure(config: pytest.Config) -> None:
    if _is_worker(config):
        return  # a worker inherits the controller's XDG_CACHE_HOME
    cache = tempfile.mkdtemp(prefix="taskscheme-test-cache-")
    config.stash[_OWN_CACHE] = cache
    os.environ["XDG_CACHE_HOME"] = cache
    state = _checkout_state()
    if state is not None:
        config.stash[_CHECKOUT_BEFORE] = state


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if _is_worker(config) or _CHECKOUT_BEFORE not in config.stash:
        return
    left = sorted((_checkout_state() or set()) - config.stash[_CHECKOUT_BEFORE])
    if left:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        message = "tests left files in the checkout (write under tmp_path instead):\n  "
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_line(message + "\n  ".join(left), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config: pytest.Config) -> None:
    if _OWN_CACHE in config.stash:
        shutil.rmtree(config.stash[_OWN_CACHE], ignore_errors=True)


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
