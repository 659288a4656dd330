"""Offline token counting: exact figures, hash checks, no network, lazy import."""

from __future__ import annotations

import hashlib
import logging
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from interpreter.limits import tokens
from interpreter.limits.tokens import (
    ENCODINGS,
    TokenizerDataError,
    count_tokens,
    get_encoding,
    load_encoding,
    tiktoken_cache_path,
)

SAMPLES = [
    "hello world",
    "The quick brown fox jumps over the lazy dog.",
    "Label this ticket as bug, billing or other: I was charged twice",
    "naïve café — 東京 🚀 1234567 <|endoftext|>",
    "def f(x):\n    return x * 2\n\n\n",
    "",
]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def _cache_dir_with(tmp_path: Path, name: str, data: bytes) -> Path:
    """A tiktoken cache directory holding `data` where tiktoken looks for `name`."""
    cache = tmp_path / "cache"
    cache.mkdir(exist_ok=True)
    path = tiktoken_cache_path(ENCODINGS[name].url, {"TIKTOKEN_CACHE_DIR": str(cache)})
    assert path is not None
    path.write_bytes(data)
    return cache


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
def test_hello_world_is_two_tokens(name: str) -> None:
    assert count_tokens("hello world", name) == 2


def test_pinned_figures() -> None:
    assert count_tokens("") == 0
    assert count_tokens("The quick brown fox jumps over the lazy dog.") == 10
    assert count_tokens("The quick brown fox jumps over the lazy dog.", "cl100k_base") == 10
    # A special-token string in content is counted as the text it is.
    assert count_tokens("<|endoftext|>", "cl100k_base") > 1


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
@pytest.mark.parametrize("text", SAMPLES)
def test_counts_match_the_encoding(name: str, text: str) -> None:
    assert count_tokens(text, name) == len(get_encoding(name).encode(text, disallowed_special=()))


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
def test_identical_to_tiktokens_own_encoding(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_network: None
) -> None:
    """tiktoken, given our shipped file as its cache, builds the same encoding we do."""
    import tiktoken
    import tiktoken.registry

    shipped = (tokens.DATA_DIR / f"{name}.tiktoken").read_bytes()
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(_cache_dir_with(tmp_path, name, shipped)))
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})
    official = tiktoken.get_encoding(name)
    ours = get_encoding(name)
    assert ours.n_vocab == official.n_vocab
    assert ours._special_tokens == official._special_tokens
    assert ours._pat_str == official._pat_str
    for text in SAMPLES:
        assert ours.encode_ordinary(text) == official.encode_ordinary(text)


def test_loads_with_no_network_and_an_empty_cache(tmp_path: Path, no_network: None) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    encoding = load_encoding("o200k_base", environ={"TIKTOKEN_CACHE_DIR": str(empty)})
    assert len(encoding.encode_ordinary("hello world")) == 2
    assert list(empty.iterdir()) == []  # nothing written to the cache either


def test_disabled_cache_uses_the_shipped_copy(no_network: None) -> None:
    encoding = load_encoding("cl100k_base", environ={"TIKTOKEN_CACHE_DIR": ""})
    assert len(encoding.encode_ordinary("hello world")) == 2


def test_a_valid_cache_file_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_network: None
) -> None:
    shipped = (tokens.DATA_DIR / "cl100k_base.tiktoken").read_bytes()
    cache = _cache_dir_with(tmp_path, "cl100k_base", shipped)
    monkeypatch.setattr(tokens, "DATA_DIR", tmp_path / "nowhere")
    encoding = load_encoding("cl100k_base", environ={"TIKTOKEN_CACHE_DIR": str(cache)})
    assert len(encoding.encode_ordinary("hello world")) == 2


def test_the_data_gym_cache_variable_is_honoured(tmp_path: Path) -> None:
    url = ENCODINGS["o200k_base"].url
    path = tiktoken_cache_path(url, {"DATA_GYM_CACHE_DIR": str(tmp_path)})
    assert path == tmp_path / hashlib.sha1(url.encode()).hexdigest()


def test_a_corrupted_cache_file_is_not_trusted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, no_network: None
) -> None:
    shipped = (tokens.DATA_DIR / "o200k_base.tiktoken").read_bytes()
    # Swap two ranks: a well-formed file that would silently give wrong counts.
    lines = shipped.splitlines()
    lines[0], lines[1] = lines[1], lines[0]
    cache = _cache_dir_with(tmp_path, "o200k_base", b"\n".join(lines) + b"\n")
    with caplog.at_level(logging.WARNING, logger="interpreter.limits.tokens"):
        encoding = load_encoding("o200k_base", environ={"TIKTOKEN_CACHE_DIR": str(cache)})
    assert "does not match" in caplog.text
    assert encoding.encode_ordinary("hello world") == get_encoding("o200k_base").encode_ordinary(
        "hello world"
    )


def test_a_corrupted_shipped_file_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "encodings"
    data_dir.mkdir()
    shutil.copy(tokens.DATA_DIR / "cl100k_base.tiktoken", data_dir)
    with (data_dir / "cl100k_base.tiktoken").open("ab") as handle:
        handle.write(b"IQ== 100256\n")
    monkeypatch.setattr(tokens, "DATA_DIR", data_dir)
    with pytest.raises(TokenizerDataError, match="corrupted: sha256"):
        load_encoding("cl100k_base", environ={"TIKTOKEN_CACHE_DIR": ""})


def test_a_missing_shipped_file_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tokens, "DATA_DIR", tmp_path)
    with pytest.raises(TokenizerDataError, match="cannot be read"):
        load_encoding("o200k_base", environ={"TIKTOKEN_CACHE_DIR": ""})


def test_unknown_encoding_lists_the_available_ones() -> None:
    with pytest.raises(
        ValueError, match=r"unknown encoding 'p50k_base'; available: cl100k_base, o200k_base"
    ):
        count_tokens("x", "p50k_base")


def test_get_encoding_loads_once() -> None:
    assert get_encoding("o200k_base") is get_encoding("o200k_base")


def test_importing_does_not_import_tiktoken() -> None:
    code = (
        "import sys, interpreter.limits.tokens, interpreter.limits.handler, interpreter.limits.settings;"
        "assert 'tiktoken' not in sys.modules, 'imported too early';"
        "assert interpreter.limits.tokens.count_tokens('hello world') == 2;"
        "assert 'tiktoken' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"TIKTOKEN_CACHE_DIR": ""})
