"""`taskscheme repl`: an interactive session with the limits in view (docs/repl.md)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from interpreter.cli.repl.loops import editor_loop, plain_loop
from interpreter.cli.repl.session import ReplSession
from interpreter.engine.capabilities import Capabilities
from interpreter.errors import EXIT_ERROR, EXIT_OK
from interpreter.limits.events import Observer
from interpreter.limits.settings import Settings

BANNER = "taskscheme REPL: ,help lists the commands, Ctrl-D ends the session"


def run_repl(
    cli_values: dict[str, Any],
    settings: Settings,
    *,
    load: str | None,
    record: str | None,
    quiet: bool = False,
    observers: Iterable[Observer] = (),
    sandbox: bool = False,
) -> int:
    """Run a session on standard input; the exit code `(exit N)` asked for, else 0 (1
    when input was piped and one of its inputs failed, as a script's caller expects).

    The editor runs when standard input and output are a terminal that can show it;
    otherwise input is read as plain lines (prompts only on a terminal) and each value
    is printed alone, as a script can read it. `quiet`: no status line while an input
    is evaluated (the toolbar stays). `observers` see the session's events (--verbose).
    `sandbox`: its programs reach nothing of the host, as `run --sandbox`."""
    interactive = sys.stdin.isatty()
    editor = interactive and sys.stdout.isatty() and os.environ.get("TERM", "dumb") != "dumb"
    session = ReplSession(
        cli_values,
        settings,
        numbered=interactive,
        record_path=record,
        observers=observers,
        out=lambda: sys.stdout,
        err=lambda: sys.stderr,
        capabilities=Capabilities() if sandbox else None,
    )
    try:
        if interactive:
            session.say(BANNER)
        if load is not None:
            session.load(Path(load))
        if session.exit_code is None:
            if editor:
                editor_loop(session, status_line=not quiet)
            else:
                plain_loop(session, sys.stdin, prompts=interactive)
    finally:
        session.close()
    if session.exit_code is not None:
        return session.exit_code
    return EXIT_ERROR if session.failures and not interactive else EXIT_OK
