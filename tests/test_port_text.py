"""Reading a port gives its text in order, whatever the size of what is read: `read`,
`read-line`, `read-string`, `read-char` and `peek-char` from file ports and string ports
agree with the same text read whole, for data and lines around the reader's first window
(1 KiB) and a file's chunk (64 KiB), and for multi-byte characters split between two
chunks of a file. Reading from ports and files is also bounded by `max_allocation`."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interpreter import Interpreter
from interpreter.engine.capabilities import Capabilities
from interpreter.errors import AllocationLimitError
from interpreter.lang.datums import Char
from interpreter.lang.printer import write_string
from interpreter.lang.reader import read_all

WINDOW = 1024
CHUNK = 65536
# Sizes just around each boundary, and some small ones.
SIZES = st.sampled_from([1, 2, 7, 100]) | st.sampled_from(
    [edge + delta for edge in (WINDOW, 2 * WINDOW, CHUNK) for delta in (-2, -1, 0, 1)]
)
LETTERS = st.sampled_from("abxyz")
WIDE = st.sampled_from("aé€😀")  # 1, 2, 3 and 4 bytes in UTF-8

_files = itertools.count()
_PROPERTY = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _port_kinds(tmp_path: Path, text: str) -> dict[str, tuple[Interpreter, str]]:
    """An interpreter and the expression opening a port on `text`, for each kind of port."""
    path = tmp_path / f"text{next(_files)}.txt"
    path.write_bytes(text.encode("utf-8"))
    interp = Interpreter(capabilities=Capabilities(read=[tmp_path]))
    return {
        "file": (interp, f"(open-input-file {write_string(str(path))})"),
        "string": (interp, f"(open-input-string {write_string(text)})"),
    }


@st.composite
def data_texts(draw) -> str:
    """Program text: strings, symbols and lists of sizes around the boundaries."""
    items = []
    for _ in range(draw(st.integers(1, 4))):
        size = draw(SIZES)
        kind = draw(st.sampled_from(["string", "symbol", "list"]))
        if kind == "string":
            items.append(write_string(draw(WIDE) * size))
        elif kind == "symbol":
            items.append("s" + draw(LETTERS) * size)
        else:
            items.append("(" + " ".join(["element"] * max(1, size // 8)) + ")")
    separators = st.sampled_from([" ", "\n", "  ; note\n", "\n\n"])
    return "".join(item + draw(separators) for item in items)


@_PROPERTY
@given(text=data_texts())
def test_read_gives_the_data_of_the_whole_text(tmp_path, text):
    expected = "(" + " ".join(map(write_string, read_all(text))) + ")"
    program = "(let loop ((items '())) (let ((d (read port))) (if (eof-object? d) (reverse items) (loop (cons d items)))))"
    for interp, opener in _port_kinds(tmp_path, text).values():
        got = interp.eval_scheme(f"(let ((port {opener})) {program})")
        assert write_string(got) == expected


@st.composite
def line_texts(draw) -> str:
    lines = [draw(WIDE) * draw(SIZES) for _ in range(draw(st.integers(1, 3)))]
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


OPERATIONS = st.lists(
    st.one_of(
        st.just(("read-line",)),
        st.just(("read-char",)),
        st.just(("peek-char",)),
        st.tuples(st.just("read-string"), SIZES),
    ),
    min_size=1,
    max_size=6,
)

RUN = """
(define (run port operations)
  (map (lambda (op)
         (case (car op)
           ((read-line) (read-line port))
           ((read-char) (read-char port))
           ((peek-char) (peek-char port))
           ((read-string) (read-string (cadr op) port))))
       operations))
"""


def _model(text: str, operations: list[tuple]) -> list:
    """What each operation should give, worked out on the text as one string."""
    at, results = 0, []
    for op in operations:
        if op[0] == "read-line":
            if at == len(text):
                results.append("#<eof>")
                continue
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            results.append(write_string(text[at:end]))
            at = min(end + 1, len(text))
        elif op[0] in ("read-char", "peek-char"):
            results.append(write_string(Char(text[at])) if at < len(text) else "#<eof>")
            at += op[0] == "read-char" and at < len(text)
        else:
            piece = text[at : at + op[1]]
            results.append(write_string(piece) if piece else "#<eof>")
            at += len(piece)
    return results


@_PROPERTY
@given(text=line_texts(), operations=OPERATIONS)
def test_lines_strings_and_characters_come_in_order(tmp_path, text, operations):
    expected = "(" + " ".join(_model(text, operations)) + ")"
    ops = "'(" + " ".join("(" + " ".join(map(str, op)) + ")" for op in operations) + ")"
    for interp, opener in _port_kinds(tmp_path, text).values():
        interp.eval_scheme(RUN)
        assert write_string(interp.eval_scheme(f"(run {opener} {ops})")) == expected


@pytest.mark.parametrize("char", ["é", "€", "😀"])
@pytest.mark.parametrize("offset", [1, 2, 3])
def test_a_character_split_between_two_chunks_of_a_file_reads_whole(tmp_path, char, offset):
    """The character's bytes start `offset` bytes before the end of the first chunk."""
    text = "a" * (CHUNK - offset) + char + "b\n" + char * 10
    first_line = text.split("\n")[0]
    interp, opener = _port_kinds(tmp_path, text)["file"]
    path = opener.removeprefix("(open-input-file ").removesuffix(")")
    assert str(interp.eval_scheme(f"(file->string {path})")) == text
    lines = interp.eval_scheme(f"(let ((p {opener})) (list (read-line p) (read-line p)))")
    assert [str(line) for line in list(lines)] == [first_line, char * 10]
    assert str(interp.eval_scheme(f"(read-string {len(text)} {opener})")) == text
    assert str(interp.eval_scheme(f"(symbol->string (read {opener}))")) == first_line


# --- max_allocation --------------------------------------------------------------------

CAP = 10_000


@pytest.mark.parametrize(
    "program",
    [
        "(file->string PATH)",
        "(file->lines PATH)",
        "(read-line (open-input-file PATH))",
        "(read-string 1000000 (open-input-file PATH))",
        "(read (open-input-file PATH))",
        "(read-bytevector 1000000 (open-binary-input-file PATH))",
        "(read-line (open-input-string (make-string 9000 #\\a)))",
    ],
)
def test_reading_more_than_max_allocation_is_refused(tmp_path, program):
    """A file of one 1,000,000-character line, read under a cap of 10,000."""
    path = tmp_path / "big.txt"
    path.write_text("x" * 1_000_000, encoding="utf-8")
    interp = Interpreter(config={"max_allocation": CAP}, capabilities=Capabilities(read=[tmp_path]))
    program = program.replace("PATH", write_string(str(path)))
    if "make-string" in program:  # under the cap: read whole
        assert len(interp.eval_scheme(program)) == 9000
        return
    with pytest.raises(AllocationLimitError) as caught:
        interp.eval_scheme(program)
    assert "max_allocation" in caught.value.message
    assert caught.value.message.split(":")[0] == program[1:].split(" ")[0]


def test_under_the_cap_a_file_reads_whole(tmp_path):
    path = tmp_path / "small.txt"
    path.write_text("x" * 5000 + "\ny\n", encoding="utf-8")
    interp = Interpreter(config={"max_allocation": CAP}, capabilities=Capabilities(read=[tmp_path]))
    name = write_string(str(path))
    assert interp.eval_scheme(f"(string-length (file->string {name}))") == 5003
    assert interp.eval_scheme(f"(length (file->lines {name}))") == 2
    assert interp.eval_scheme(f"(string-length (read-line (open-input-file {name})))") == 5000
