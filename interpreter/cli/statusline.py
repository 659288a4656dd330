"""A live status line at the bottom of a terminal, kept out of the program's output.

The line is drawn on the terminal's standard error and redrawn a few times a second
from its own thread (so it moves while a task waits on its model). While it is shown,
standard output and standard error are wrapped: before anything is written the line is
cleared, so the program's output lands where it would have without it, and it is drawn
again only when the output has ended a line (never after half a line). `end_line`
ends a line the output left unfinished, so that what the terminal shows next (the
REPL's prompt, which redraws its line) starts on a line of its own.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any, TextIO

from interpreter.cli.live import LiveLimits, Segment, ansi
from interpreter.limits.settings import Settings

if TYPE_CHECKING:  # annotations only: the run's budget loads with its first task (start-up)
    from interpreter.limits.budget import Budget


CLEAR = "\r\x1b[K"
REDRAW_SECONDS = 0.1


class StatusLine:
    """`render(width)` gives the segments to show; `start()` shows the line, `stop()`
    clears it and puts the streams back."""

    def __init__(self, terminal: TextIO, render: Callable[[int], list[Segment]]) -> None:
        self._terminal = terminal
        self._render = render
        self._lock = threading.RLock()
        self._shown = False
        self._at_line_start = True
        self._last_stream: TextIO | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._wrapped: list[tuple[str, _Guarded]] = []

    def start(self) -> None:
        for name in ("stdout", "stderr"):
            stream = getattr(sys, name)
            if _is_terminal(stream):
                guarded = _Guarded(stream, self)
                setattr(sys, name, guarded)
                self._wrapped.append((name, guarded))
        self._stop.clear()
        self._thread = threading.Thread(target=self._tick, name="taskscheme-status", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._lock:
            self.clear()
            for name, guarded in self._wrapped:
                if getattr(sys, name) is guarded:
                    setattr(sys, name, guarded.stream)
            self._wrapped = []

    def __enter__(self) -> StatusLine:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _tick(self) -> None:
        while not self._stop.wait(REDRAW_SECONDS):
            self.redraw()

    def redraw(self) -> None:
        """Draw the line again, unless the program's output has left a line unfinished."""
        width = self._width()
        try:
            text = ansi(_fit(self._render(width), width - 1))
        except Exception:  # a display must never break the run it shows
            return
        with self._lock:
            if not text:
                self.clear()
            elif self._at_line_start and not self._stop.is_set():
                self._terminal.write(CLEAR + text)
                self._terminal.flush()
                self._shown = True

    def _width(self) -> int:
        """The terminal's own width (a COLUMNS left over in the environment may be stale)."""
        try:
            return os.get_terminal_size(self._terminal.fileno()).columns
        except (AttributeError, ValueError, OSError):
            # shutil loads the compression modules (6 ms): only when the terminal has no size
            import shutil

            return shutil.get_terminal_size().columns

    def clear(self) -> None:
        with self._lock:
            if self._shown:
                self._terminal.write(CLEAR)
                self._terminal.flush()
                self._shown = False

    def write_through(self, stream: TextIO, text: str) -> int:
        """Write the program's `text` to `stream` with the line out of its way (a terminal
        stream is line-buffered: what ends a line reaches the screen before the line is
        drawn again)."""
        with self._lock:
            self.clear()
            written = stream.write(text)
            if text:
                self._at_line_start = text.endswith("\n")
                self._last_stream = stream
            return written

    def end_line(self) -> None:
        """End the line the output left unfinished (`(display "hi")`), on the stream that
        wrote it, so the partial line is shown and kept rather than drawn over."""
        with self._lock:
            if not self._at_line_start and self._last_stream is not None:
                self.write_through(self._last_stream, "\n")
                self._last_stream.flush()


class _Guarded:
    """A standard stream whose writes go through the status line."""

    def __init__(self, stream: TextIO, status: StatusLine) -> None:
        self.stream = stream
        self._status = status

    def write(self, text: str) -> int:
        return self._status.write_through(self.stream, text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def _is_terminal(stream: Any) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _fit(segments: list[Segment], width: int) -> list[Segment]:
    """The segments cut to `width` characters, so the line never wraps."""
    fitted: list[Segment] = []
    left = width
    for style, text in segments:
        if left <= 0:
            break
        fitted.append((style, text[:left]))
        left -= len(text)
    return fitted


def run_display(settings: Settings, *, quiet: bool) -> LiveLimits | None:
    """What `run` observes for its status line: None with --quiet, or when standard
    error is not a terminal that can show one."""
    if quiet or not _is_terminal(sys.stderr) or os.environ.get("TERM", "dumb") == "dumb":
        return None
    return LiveLimits(settings.get("model"), None, settings.get("warning_threshold"))


def shown(live: LiveLimits | None, budget: Callable[[], Budget]) -> AbstractContextManager:
    """The status line of `live` for the extent of a `with` block (nothing without one);
    `budget` gives the run's budget, asked for only when there is a line to show."""
    if live is None:
        return nullcontext()
    live.budget = budget()
    return StatusLine(sys.stderr, live.status_line)
