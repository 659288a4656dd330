"""A real terminal for tests: the taskscheme command in tmux, driven by keys and read
from the screen, as a person would use it."""

from __future__ import annotations

import itertools
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

# CI installs tmux (.ci/run), so there a missing tmux fails instead of skipping
needs_tmux = pytest.mark.skipif(
    shutil.which("tmux") is None and not os.environ.get("CI"), reason="needs tmux"
)

TIMEOUT = 20
_screens = itertools.count(1)
ROOT = Path(__file__).resolve().parent.parent


class Screen:
    """`taskscheme ARGS...` in a tmux window of its own: type keys, read the screen."""

    def __init__(self, tmp_path: Path, args: tuple[str, ...], env: dict[str, str]) -> None:
        self.socket = str(tmp_path / f"tmux-{next(_screens)}.sock")
        variables = {
            "PYTHONPATH": str(ROOT),
            "TERM": "xterm-256color",
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"],
            **env,
        }
        command = " ".join(
            [
                "env",
                *(f"{name}={shlex.quote(value)}" for name, value in variables.items()),
                shlex.quote(sys.executable),
                "-m interpreter",
                *map(shlex.quote, args),
                "; echo exit=$?; sleep 60",
            ]
        )
        self._tmux("new-session", "-d", "-x", "160", "-y", "30", "-c", str(tmp_path), command)

    def _tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-S", self.socket, "-f", os.devnull, *args],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        return result.stdout

    def type(self, *keys: str) -> None:
        """Type text literally; named keys (C-c, C-d, Enter, Up) as tmux names them."""
        for key in keys:
            if key in ("Enter", "Up", "Right", "C-c", "C-d", "Tab"):
                self._tmux("send-keys", key)
            else:
                self._tmux("send-keys", "-l", key)

    def text(self, colours: bool = False) -> str:
        """The screen's text; with `colours`, with the escape sequences that colour it."""
        return self._tmux("capture-pane", "-p", *(["-e"] if colours else []))

    def expect(self, pattern: str) -> str:
        """Wait until the screen shows `pattern` (a regular expression); the screen."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            screen = self.text()
            if re.search(pattern, screen, re.MULTILINE):
                return screen
            time.sleep(0.05)
        raise AssertionError(f"the screen never showed {pattern!r}:\n{self.text()}")

    def close(self) -> None:
        self._tmux("kill-server")
