"""The two ways input reaches the REPL: an editor on a real terminal, and plain lines
(piped input, or a terminal too dumb for an editor).

Both hand complete inputs to the same `ReplSession` and meta-commands. On a terminal
the editor shows the live-limits toolbar while it waits, and while an input is being
evaluated a status line (statusline.py) shows the same figures moving turn by turn.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.layout.processors import HighlightMatchingBracketProcessor
from prompt_toolkit.lexers import Lexer, PygmentsLexer
from prompt_toolkit.output import Output
from prompt_toolkit.styles import Style

from interpreter.cli.live import ERROR, NORMAL, SEPARATOR, WARNING, Segment
from interpreter.cli.repl.commands import COMMANDS, QuitRepl, run_command
from interpreter.cli.repl.editing import ReplCompleter, history_path, indentation, is_complete
from interpreter.cli.repl.session import ReplSession
from interpreter.cli.statusline import StatusLine

PROMPT, CONTINUATION = "> ", ". "
STYLE = Style.from_dict(
    {
        "bottom-toolbar": "noreverse bg:#303030 #d0d0d0",
        "bottom-toolbar.warning": "bg:#303030 #ffd700 bold",
        "bottom-toolbar.error": "bg:#303030 #ff5f5f bold",
        "matching-bracket.cursor": "bg:#5f5f87 bold",
        "matching-bracket.other": "bg:#5f5f87 bold",
    }
)


def submit(session: ReplSession, text: str) -> bool:
    """Evaluate one complete input or run a meta-command; False once the session ends."""
    if not text.strip():
        return True
    try:
        if text.lstrip().startswith(","):
            run_command(session, text.strip())
        else:
            session.evaluate(text)
    except QuitRepl:
        return False
    return session.exit_code is None


# -- plain lines ------------------------------------------------------------------------------


def plain_loop(session: ReplSession, lines: TextIO, prompts: bool) -> None:
    """Read lines until an input is complete, evaluate it, repeat until end of input.
    With `prompts` (a dumb terminal), show the plain prompts; piped, show none."""
    buffer = ""
    while True:
        if prompts:
            sys.stdout.write(CONTINUATION if buffer else PROMPT)
            sys.stdout.flush()
        try:
            line = lines.readline()
        except KeyboardInterrupt:
            buffer = ""
            sys.stdout.write("\n")
            continue
        if not line:
            if buffer.strip():
                submit(session, buffer)
            if prompts:
                sys.stdout.write("\n")
            return
        buffer += line
        if is_complete(buffer):
            text, buffer = buffer, ""
            if not submit(session, text):
                return


# -- the editor ---------------------------------------------------------------------------------


def editor_loop(
    session: ReplSession,
    *,
    status_line: bool = True,
    history: History | None = None,
    input: Input | None = None,
    output: Output | None = None,
) -> None:
    """Prompt with the editor until Ctrl-D or ,quit; each input is evaluated with the
    live status line shown (unless `status_line` is false)."""
    prompt = make_prompt(session, history or _file_history(session), input, output)
    while True:
        try:
            text = prompt.prompt(PROMPT)
        except KeyboardInterrupt:
            continue  # Ctrl-C at the prompt: the line is dropped
        except EOFError:
            return
        try:
            # with no status line to show, the line still ends what the input left unfinished
            render = _evaluating(session, time.monotonic()) if status_line else lambda width: []
            shown = StatusLine(sys.stderr, render)
            session.end_line = shown.end_line
            with shown:
                going_on = submit(session, text)
                shown.end_line()
        except KeyboardInterrupt:  # Ctrl-C just after the evaluation ended
            session.complain("interrupted")
            continue
        if not going_on:
            return


def _evaluating(session: ReplSession, started: float) -> Callable[[int], list[Segment]]:
    """The status line while an input is evaluated: for how long, and the live limits."""

    def status(width: int) -> list[Segment]:
        elapsed = (NORMAL, f"evaluating {time.monotonic() - started:.1f}s")
        return [elapsed, SEPARATOR, *session.live.toolbar()]

    return status


def make_prompt(
    session: ReplSession,
    history: History,
    input: Input | None = None,
    output: Output | None = None,
) -> PromptSession:
    """The editor: multi-line input submitted when complete, highlighting, completion,
    history suggestions, and the live-limits toolbar."""
    return PromptSession(
        history=history,
        multiline=True,
        key_bindings=_key_bindings(),
        prompt_continuation=lambda width, line, wrapped: CONTINUATION.rjust(width),
        lexer=_lexer(),
        completer=ReplCompleter(session.all_names, session.keywords, lambda: COMMANDS),
        complete_while_typing=False,
        auto_suggest=AutoSuggestFromHistory(),
        input_processors=[HighlightMatchingBracketProcessor(chars="()[]")],
        bottom_toolbar=lambda: toolbar(session),
        refresh_interval=0.5,
        style=STYLE,
        enable_history_search=False,
        input=input,
        output=output,
    )


def toolbar(session: ReplSession) -> FormattedText:
    classes = {WARNING: "class:bottom-toolbar.warning", ERROR: "class:bottom-toolbar.error"}
    return FormattedText([(classes.get(style, ""), text) for style, text in session.live.toolbar()])


def _key_bindings() -> KeyBindings:
    bindings = KeyBindings()

    @bindings.add("enter")
    def _enter(event: KeyPressEvent) -> None:
        """Submit a complete input; inside an open form, a new line, indented."""
        buffer = event.current_buffer
        if buffer.document.is_cursor_at_the_end and is_complete(buffer.text):
            buffer.validate_and_handle()
        else:
            before = buffer.document.text_before_cursor
            buffer.insert_text("\n" + indentation(before))

    @bindings.add("escape", "enter")
    def _submit(event: KeyPressEvent) -> None:
        """Alt-Enter: evaluate the input as it is, complete or not."""
        event.current_buffer.validate_and_handle()

    return bindings


def _lexer() -> Lexer | None:
    # Pygments is optional (prompt-toolkit does not need it): without it, no colours.
    try:
        from pygments.lexers.lisp import SchemeLexer
    except ImportError:
        return None
    return PygmentsLexer(SchemeLexer)


def _file_history(session: ReplSession) -> History:
    path = history_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
    except OSError as error:
        session.complain(f"history is not kept: cannot write {path}: {error.strerror}")
        return InMemoryHistory()
    return FileHistory(str(path))
