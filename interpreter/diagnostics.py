"""How an error is shown to a person: where it happened, the source line with a caret
under the place, the program's own call chain, and "did you mean" suggestions.

Every front end (the command line, the REPL, embedders) shows errors through
`format_error`, so a mistake reads the same wherever it is made.
"""

from __future__ import annotations

from collections.abc import Iterable

from interpreter.errors import Frame, TaskschemeError
from interpreter.source import Span, in_library, source_line


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to `name`, if one is close enough to be a likely misspelling."""
    import difflib  # deferred: only an error needs it (start-up time)

    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """` (did you mean X?)` for the closest candidate, or nothing."""
    close = suggest(name, candidates)
    return f" (did you mean {close}?)" if close else ""


MAX_CHAIN_SHOWN = 12
# Characters of a source line shown under an error: a longer line is shown around the place.
MAX_LINE_SHOWN = 120


def caret_block(span: Span) -> str:
    """The source line of `span` with carets under the span (empty if unknown); of a line
    longer than MAX_LINE_SHOWN, the part from a little before the span, cut with `...`."""
    text = source_line(span.file, span.line)
    if text is None:
        return ""
    start = max(span.col - 1, 0)
    end = span.end_col - 1 if span.end_line == span.line else len(text)
    left = max(0, min(start - MAX_LINE_SHOWN // 4, len(text) - MAX_LINE_SHOWN))
    right = min(len(text), left + MAX_LINE_SHOWN)
    before = "..." if left else ""
    shown = before + text[left:right] + ("..." if right < len(text) else "")
    width = max(min(end, right) - start, 1)
    gutter = f"{span.line:>4} | "
    return f"{gutter}{shown}\n{' ' * (len(gutter) + len(before) + start - left)}{'^' * width}"


def format_error(error: TaskschemeError) -> str:
    """The message a user sees for `error`: location, message, source line, call chain.

    An error inside the standard library is shown at the program's call into it (the
    innermost frame in the program's own code), naming the library procedure."""
    span, headline, chain = error.span, error.headline(), error.chain
    if in_library(span):
        index = next((i for i, f in enumerate(chain) if f.span and not in_library(f.span)), None)
        if index is not None:
            entry = chain[index]
            span = entry.span
            if entry.into_library:
                headline = (
                    f"{headline} (in the standard library, reached by tail calls from {entry.name})"
                )
            elif not headline.startswith(f"{entry.name}:"):
                headline = f"{headline} (in {entry.name}, from the standard library)"
            # the call into the library is the location now: the chain goes on from it
            chain = chain[index + 1 :]
    where = f"{span}: " if span else ""
    parts = [f"{where}{error.kind}: {headline}"]
    if span:
        block = caret_block(span)
        if block:
            parts.append(block)
    if chain:
        parts.append("call chain (innermost first):")
        parts.extend(_compress_chain(chain))
    return "\n".join(parts)


def _place(span: Span) -> str:
    if in_library(span):
        return f"{span.file.rsplit('/', 1)[-1]}:{span.line} in the standard library"
    return str(span)


def _compress_chain(chain: list[Frame]) -> list[str]:
    """Lines for a call chain; long runs (deep recursion) are summarized, not dumped:
    a frame repeated, or a cycle of up to four frames repeated (mutual recursion, or a
    procedure recursing through `map`), is shown once with how many more times it came."""
    keys = [(f.name, f.span, f.via) for f in chain]
    lines: list[str] = []
    i = 0
    while i < len(chain):
        for width in range(1, MAX_CYCLE + 1):
            unit = keys[i : i + width]
            repeats = 1
            while keys[i + repeats * width : i + (repeats + 1) * width] == unit:
                repeats += 1
            if repeats > 1 and (width == 1 or repeats > 2):
                break
        else:
            width, repeats = 1, 1
        lines.extend(_frame_line(frame) for frame in chain[i : i + width])
        if repeats > 1:
            if width == 1:
                lines.append(f"    ... {repeats - 1} more call(s) of the same")
            else:
                lines.append(f"    ... the {width} calls above, {repeats - 1} more time(s)")
        i += width * repeats
    if len(lines) > MAX_CHAIN_SHOWN:
        hidden = len(lines) - MAX_CHAIN_SHOWN
        lines = [
            *lines[: MAX_CHAIN_SHOWN // 2],
            f"    ... {hidden} more",
            *lines[-MAX_CHAIN_SHOWN // 2 :],
        ]
    return lines


MAX_CYCLE = 4


def _frame_line(frame: Frame) -> str:
    where = f" at {_place(frame.span)}" if frame.span else ""
    via = f" (reached by tail calls from {frame.via})" if frame.via else ""
    return f"  in {frame.name}{where}{via}"
