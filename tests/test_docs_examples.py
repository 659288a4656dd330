"""The ```scheme examples in docs/*.md are right.

Every fenced ```scheme block must read without error (a block opened with
```scheme no-run is skipped). In a block with `; => value` comments, the forms run in
order in a fresh Interpreter, and each comment must match, as `write` prints it, the
value of the form that ends before it; `; error: text` says that form fails with an
error whose message contains the text. Blocks of docs/language.md must also run
without error even where they have no such comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from interpreter.engine.interpreter import Interpreter
from interpreter.errors import TaskschemeError
from interpreter.lang.printer import write_string
from interpreter.lang.reader import read_all

DOCS = Path(__file__).resolve().parent.parent / "docs"
RUN_EVERY_BLOCK = {"language.md"}

_FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<info>[^\n`]*)$")
_EXPECTATION = re.compile(r";\s*(?P<kind>=>|error:)\s?(?P<text>.*)$")


@dataclass
class Block:
    doc: str
    line: int  # of the first line of code, in the document
    info: str
    text: str

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}"


def scheme_blocks() -> list[Block]:
    blocks = []
    for path in [
        *sorted(DOCS.glob("*.md")),
        DOCS.parent / "README.md",
        DOCS.parent / "examples" / "README.md",
    ]:
        lines = path.read_text(encoding="utf-8").splitlines()
        index = 0
        while index < len(lines):
            fence = _FENCE.match(lines[index])
            index += 1
            if not fence:
                continue
            indent, info = fence["indent"], fence["info"].strip()
            start = index
            while index < len(lines) and lines[index].strip() != "```":
                index += 1
            body = [
                line[len(indent) :] if line.startswith(indent) else line
                for line in lines[start:index]
            ]
            index += 1
            if info.split()[:1] == ["scheme"]:
                blocks.append(Block(path.name, start + 1, info, "\n".join(body) + "\n"))
    return blocks


BLOCKS = scheme_blocks()


@dataclass
class Expectation:
    line: int  # 1-based, in the block
    col: int
    kind: str  # "=>" or "error:"
    text: str


def expectations(text: str, datum_spans) -> list[Expectation]:
    """The `; =>` and `; error:` comments of a block (not those inside a datum, such as
    a string that happens to contain `; =>`)."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for match in _EXPECTATION.finditer(line):
            col = match.start() + 1
            inside = any(
                (span.line, span.col) <= (number, col) < (span.end_line, span.end_col)
                for span in datum_spans
            )
            if not inside:
                found.append(Expectation(number, col, match["kind"], match["text"].strip()))
                break
    return found


def source_of(text: str, span) -> str:
    lines = text.splitlines()
    if span.line == span.end_line:
        return lines[span.line - 1][span.col - 1 : span.end_col - 1]
    parts = [lines[span.line - 1][span.col - 1 :]]
    parts += lines[span.line : span.end_line - 1]
    parts.append(lines[span.end_line - 1][: span.end_col - 1])
    return "\n".join(parts)


def run_block(block: Block) -> None:
    datums = read_all(block.text, block.id)
    spans = datums.spans
    checks = expectations(block.text, spans)
    if not checks and block.doc not in RUN_EVERY_BLOCK:
        return
    # each expectation belongs to the last form that ends before it
    owner: dict[int, list[Expectation]] = {}
    for check in checks:
        before = [
            i for i, s in enumerate(spans) if (s.end_line, s.end_col) <= (check.line, check.col)
        ]
        assert before, f"{block.id}: `; {check.kind}` on line {check.line} follows no expression"
        owner.setdefault(before[-1], []).append(check)
    interpreter = Interpreter()
    for index, span in enumerate(spans):
        code = source_of(block.text, span)
        where = f"{block.doc} line {block.line + span.line - 1}: {code}"
        wanted = owner.get(index, [])
        errors = [c for c in wanted if c.kind == "error:"]
        if errors:
            with pytest.raises(TaskschemeError) as caught:
                interpreter.eval_scheme(code, block.id)
            assert errors[0].text in caught.value.headline(), where
            continue
        value = write_string(interpreter.eval_scheme(code, block.id))
        for check in wanted:
            assert value == check.text, where


def test_docs_have_scheme_examples():
    docs = {block.doc for block in BLOCKS}
    assert "language.md" in docs
    assert sum(1 for b in BLOCKS if b.doc == "language.md") >= 15


@pytest.mark.parametrize("block", BLOCKS, ids=[b.id for b in BLOCKS])
def test_scheme_block(block):
    if "no-run" in block.info.split():
        pytest.skip("marked no-run")
    run_block(block)


def test_expectations_are_found_and_checked():
    """The extractor itself: a comment inside a string is not an expectation, and a
    wrong expectation fails."""
    block = Block("example.md", 1, "scheme", '(define s "a ; => b")\n(string-length s) ; => 8\n')
    spans = read_all(block.text, "example").spans
    assert [(e.line, e.text) for e in expectations(block.text, spans)] == [(2, "8")]
    run_block(block)
    wrong = Block("example.md", 1, "scheme", "(+ 1 2) ; => 4\n")
    with pytest.raises(AssertionError):
        run_block(wrong)
    unexpected_success = Block("example.md", 1, "scheme", "(+ 1 2) ; error: boom\n")
    with pytest.raises(BaseException, match="DID NOT RAISE"):
        run_block(unexpected_success)
