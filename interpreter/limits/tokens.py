"""Token counting with tiktoken, offline.

tiktoken downloads its encoding files on first use. This module never does: it reads the
file tiktoken would have cached (if a valid one is there) or else the copy shipped in
`interpreter/data/encodings/`, checks either against OpenAI's published sha256, and builds
the `tiktoken.Encoding` itself with the official pattern and special tokens. Encodings are
loaded once per process, on first use, so importing this module stays cheap (tiktoken
itself is imported only then).

Text is counted as ordinary text: a special-token string such as `<|endoftext|>` inside a
prompt is counted as the characters it is, the way providers treat user content.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tiktoken

DATA_DIR = Path(__file__).parent / "data" / "encodings"

ENDOFTEXT = "<|endoftext|>"
FIM_PREFIX = "<|fim_prefix|>"
FIM_MIDDLE = "<|fim_middle|>"
FIM_SUFFIX = "<|fim_suffix|>"
ENDOFPROMPT = "<|endofprompt|>"


@dataclass(frozen=True)
class EncodingSpec:
    """What tiktoken_ext.openai_public builds an encoding from, minus the download."""

    name: str
    url: str
    sha256: str
    pat_str: str
    special_tokens: Mapping[str, int]


_BLOB = "https://openaipublic.blob.core.windows.net/encodings/"

ENCODINGS: dict[str, EncodingSpec] = {
    "cl100k_base": EncodingSpec(
        name="cl100k_base",
        url=_BLOB + "cl100k_base.tiktoken",
        sha256="223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        pat_str=r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",
        special_tokens={
            ENDOFTEXT: 100257,
            FIM_PREFIX: 100258,
            FIM_MIDDLE: 100259,
            FIM_SUFFIX: 100260,
            ENDOFPROMPT: 100276,
        },
    ),
    "o200k_base": EncodingSpec(
        name="o200k_base",
        url=_BLOB + "o200k_base.tiktoken",
        sha256="446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        pat_str="|".join(
            [
                r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
                r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
                r"""\p{N}{1,3}""",
                r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
                r"""\s*[\r\n]+""",
                r"""\s+(?!\S)""",
                r"""\s+""",
            ]
        ),
        special_tokens={ENDOFTEXT: 199999, ENDOFPROMPT: 200018},
    ),
}


class TokenizerDataError(RuntimeError):
    """The shipped encoding file is missing or does not match OpenAI's published hash."""


def _spec(name: str) -> EncodingSpec:
    try:
        return ENCODINGS[name]
    except KeyError:
        available = ", ".join(sorted(ENCODINGS))
        raise ValueError(f"unknown encoding {name!r}; available: {available}") from None


def tiktoken_cache_path(url: str, environ: Mapping[str, str]) -> Path | None:
    """Where tiktoken caches the file at `url`, or None when its cache is disabled."""
    if "TIKTOKEN_CACHE_DIR" in environ:
        cache_dir = environ["TIKTOKEN_CACHE_DIR"]
    elif "DATA_GYM_CACHE_DIR" in environ:
        cache_dir = environ["DATA_GYM_CACHE_DIR"]
    else:
        import tempfile

        cache_dir = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    if cache_dir == "":
        return None
    import hashlib

    return Path(cache_dir) / hashlib.sha1(url.encode()).hexdigest()


def _verified_bytes(spec: EncodingSpec, environ: Mapping[str, str]) -> bytes:
    """The encoding file's bytes from tiktoken's cache or the shipped copy, hash-checked."""
    import hashlib
    import logging

    cached = tiktoken_cache_path(spec.url, environ)
    if cached is not None and cached.is_file():
        data = cached.read_bytes()
        if hashlib.sha256(data).hexdigest() == spec.sha256:
            return data
        logging.getLogger(__name__).warning(
            "ignoring tiktoken cache file %s for %s: its sha256 does not match OpenAI's "
            "(delete it to silence this); using the shipped copy",
            cached,
            spec.name,
        )
    shipped = DATA_DIR / f"{spec.name}.tiktoken"
    try:
        data = shipped.read_bytes()
    except OSError as error:
        raise TokenizerDataError(
            f"the shipped encoding file {shipped} cannot be read ({error}); reinstall taskscheme"
        ) from None
    actual = hashlib.sha256(data).hexdigest()
    if actual != spec.sha256:
        raise TokenizerDataError(
            f"the shipped encoding file {shipped} is corrupted: sha256 {actual}, "
            f"expected {spec.sha256}; reinstall taskscheme"
        )
    return data


def load_encoding(name: str, *, environ: Mapping[str, str] | None = None) -> tiktoken.Encoding:
    """Build encoding `name` from local files (no caching here; see `get_encoding`)."""
    from base64 import b64decode

    import tiktoken

    spec = _spec(name)
    data = _verified_bytes(spec, os.environ if environ is None else environ)
    ranks: dict[bytes, int] = {}
    for line in data.splitlines():
        if line:
            token, rank = line.split()
            ranks[b64decode(token)] = int(rank)
    return tiktoken.Encoding(
        spec.name,
        pat_str=spec.pat_str,
        mergeable_ranks=ranks,
        special_tokens=dict(spec.special_tokens),
    )


_loaded: dict[str, tiktoken.Encoding] = {}
# Held while an encoding is built, by whichever thread builds it first (a task's Handler,
# or the warm-up thread of `prepare_encodings`): the others wait for it, none builds twice.
_load_lock = threading.RLock()


def get_encoding(name: str) -> tiktoken.Encoding:
    """Encoding `name`, loaded on first use and shared for the rest of the process."""
    encoding = _loaded.get(name)
    if encoding is None:
        with _load_lock:
            encoding = _loaded.get(name)
            if encoding is None:
                encoding = _loaded[name] = load_encoding(name)
    return encoding


_longest: dict[str, int] = {}


def longest_token_bytes(name: str) -> int:
    """The length in bytes of encoding `name`'s longest token: no text of n bytes can be
    fewer than n / this many tokens, which bounds a count without tokenizing."""
    longest = _longest.get(name)
    if longest is None:
        with _load_lock:
            longest = _longest.get(name)
            if longest is None:
                longest = _longest[name] = max(map(len, get_encoding(name).token_byte_values()))
    return longest


def prepare_encodings(names: Iterable[str], *, background: bool = False) -> None:
    """Load encodings `names` and what a Handler reads of them, now or, with
    `background`, on a daemon thread: building one takes a few tenths of a second, which
    the first task of a process would otherwise wait for. The work is shared with
    `get_encoding` under its lock, so nothing is built twice; a failure in the
    background is left for the task that needs the encoding to report."""
    wanted = [name for name in dict.fromkeys(names) if name not in _longest]
    if not wanted:
        return
    if not background:
        for name in wanted:
            longest_token_bytes(name)
        return

    def load() -> None:
        try:
            for name in wanted:
                longest_token_bytes(name)
        except Exception:  # the task that needs the encoding reports the problem
            pass

    threading.Thread(target=load, name=WARM_UP_THREAD, daemon=True).start()


WARM_UP_THREAD = "taskscheme-tokenizer"


def count_tokens(text: str, encoding: str = "o200k_base") -> int:
    """How many tokens `text` is in `encoding`, special-token strings counted as text."""
    return len(get_encoding(encoding).encode_ordinary(text)) if text else 0
