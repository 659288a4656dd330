"""Mutable strings: what `make-string`, `string-copy`, `string-append` and the other
procedures that make a string return can be changed in place, and is a string everywhere
a string is taken: every string procedure, `equal?`, hash tables, the printer, JSON,
values handed to Python, host procedures and tasks treat it as its text."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tasks_support import interpreter

from interpreter import Capabilities, Interpreter
from interpreter.errors import SchemeTypeError, TaskschemeError
from interpreter.lang.primitives import all_primitives
from interpreter.lang.printer import write_string
from interpreter.providers import FunctionModel

# Procedures that change a string: a literal and its mutable twin differ on purpose.
MUTATORS = ("string-set!", "string-fill!", "string-copy!")
# Identity differs by design: two copies of "a" are not eqv?.
IDENTITY = ("eq?", "eqv?")


def _string_procedures() -> list[str]:
    """Every procedure that takes or makes strings, by name, plus the generic ones that
    compare, hash, print or convert strings among other values; not the file procedures,
    which would read, write or delete the files the random strings name."""
    interp = Interpreter()
    names = [*all_primitives(), *(symbol.name for symbol in interp.library.index)]
    wanted = ("string", "symbol", "json", "char", "utf8", "keyword", "number", "hash-table")
    generic = ["equal?", "member", "assoc", "sort", "list-sort", "delete-duplicates", "format"]
    chosen = {
        n
        for n in names
        if any(w in n for w in wanted) and not n.startswith("%") and "file" not in n
    }
    chosen.update(generic)
    return sorted(chosen - set(MUTATORS) - set(IDENTITY) - {"char-ready?"})


PROCEDURES = _string_procedures()
TEXTS = st.text(alphabet="ab, λ1.5-", max_size=6)
OTHERS = st.sampled_from(["0", "1", "2", "#\\a", "#\\,", "'sym", "#t", "string<?", "char<?"])


@st.composite
def arguments(draw):
    """Up to four arguments: strings (each given once as a literal, once as a copy) and others."""
    drawn = draw(st.lists(st.one_of(TEXTS, OTHERS.map(lambda text: (text,))), max_size=4))
    return [item if type(item) is str else item[0] for item in drawn], [
        type(item) is str for item in drawn
    ]


def _outcome(interp: Interpreter, program: str) -> tuple:
    try:
        return ("value", write_string(interp.eval_scheme(program)))
    except TaskschemeError as error:
        return ("error", error.kind, error.headline())


def _call(procedure: str, values: list[str], is_text: list[bool], mutable: bool) -> str:
    def argument(value: str, text: bool) -> str:
        if not text:
            return value
        literal = write_string(value)
        return f"(string-copy {literal})" if mutable else literal

    pieces = " ".join(argument(v, t) for v, t in zip(values, is_text, strict=True))
    call = f"({procedure} {pieces})"
    if procedure.startswith(("list", "hash-table", "alist")) or procedure in ("member", "assoc"):
        # give the list procedures lists of strings to work on too
        call = f"(let ((strings (list {pieces}))) ({procedure} {pieces}) strings)"
    return (
        '(parameterize ((current-input-port (open-input-string "line\\nrest"))'
        " (current-output-port (open-output-string)))"
        f" {call})"
    )


@pytest.fixture(scope="module")
def twin_interpreter() -> Interpreter:
    return Interpreter()


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(procedure=st.sampled_from(PROCEDURES), drawn=arguments())
def test_a_mutable_string_behaves_like_its_literal_twin(twin_interpreter, procedure, drawn):
    values, is_text = drawn
    literal = _outcome(twin_interpreter, _call(procedure, values, is_text, mutable=False))
    mutable = _outcome(twin_interpreter, _call(procedure, values, is_text, mutable=True))
    assert mutable == literal


def test_the_twin_check_covers_the_string_library():
    for name in (
        "string-append",
        "string-split",
        "string-join",
        "string->symbol",
        "string-pad-left",
    ):
        assert name in PROCEDURES
    assert "string-set!" not in PROCEDURES


def run(program: str):
    return Interpreter().eval(program)


def test_every_file_procedure_takes_a_mutable_string_path(tmp_path):
    interp = Interpreter(capabilities=Capabilities(write=[tmp_path]))
    path = f'(string-append {write_string(str(tmp_path))} "/made.txt")'
    program = f"""
    (define p {path})
    (call-with-output-file p (lambda (port) (write-string "one" port)))
    (define seen (list (file-exists? p) (file->string p) (file->lines p)))
    (define binary (open-binary-input-file p))
    (define first-byte (read-u8 binary))
    (close-port binary)
    (define out (open-binary-output-file p))
    (write-u8 65 out)
    (close-port out)
    (define text (call-with-input-file p read-line))
    (delete-file p)
    (list seen first-byte text (file-exists? p))
    """
    assert interp.eval(program) == [[True, "one", ["one"]], ord("o"), "A", False]


def test_strings_made_by_procedures_can_be_changed():
    assert run("(define s (make-string 3 #\\a)) (string-set! s 1 #\\b) s") == "aba"
    assert run('(define s (string-copy "hello")) (string-fill! s #\\- 1 4) s') == "h---o"
    assert run('(define s (string-copy "abcdef")) (string-copy! s 1 s 0 3) s') == "aabcef"
    assert run('(define s (string-copy "abcdef")) (string-copy! s 0 s 3) s') == "defdef"


def test_a_literal_is_a_constant_and_says_so():
    with pytest.raises(SchemeTypeError, match="it is a literal \\(constant\\) string"):
        run('(define s "abc") (string-set! s 0 #\\z)')


def test_a_change_is_seen_by_every_string_procedure_and_the_printer():
    program = """
    (define s (string-copy "cat"))
    (string-set! s 0 #\\b)
    (list (string-length s) (string-ref s 0) (string=? s "bat") (string-upcase s)
          (string->symbol s) (string->list s) (substring s 1) (string-append s "s")
          (string-index s #\\t) (with-output-to-string (lambda () (write s) (display s))))
    """
    assert run(program) == [
        3,
        "b",
        True,
        "BAT",
        "bat",
        ["b", "a", "t"],
        "at",
        "bats",
        2,
        '"bat"bat',
    ]


def test_equal_and_hash_tables_see_the_text():
    program = """
    (define h (make-equal-hash-table))
    (hash-table-set! h "key" 1)
    (hash-table-set! h (list (string-copy "k") 2) 'nested)
    (define k (make-string 3 #\\x))
    (string-copy! k 0 "key")
    (list (equal? k "key") (equal? (list k) '("key")) (eqv? k "key")
          (hash-table-ref/default h k #f) (hash-table-ref/default h '("k" 2) #f)
          (string<? (string-copy "a") "b") (member (string-copy "b") '("a" "b")))
    """
    assert run(program) == [True, True, False, 1, "nested", True, ["b"]]


def test_json_and_python_get_plain_text():
    program = """
    (define s (string-copy "x"))
    (string-set! s 0 #\\y)
    (list (scheme->json (list s (list (cons (string-copy "k") s))))
          (json->scheme (string-append "[" "1]")))
    """
    assert run(program) == ['["y", {"k": "y"}]', [1]]
    value = Interpreter().eval('(string-copy "abc")')
    assert type(value) is str and value == "abc"


def test_host_procedures_receive_python_strings():
    interp = Interpreter()
    seen = []
    interp.define("shout", lambda text: seen.append(type(text)) or text.upper())
    assert interp.eval('(shout (string-append "a" "b"))') == "AB"
    assert seen == [str]
    assert interp.call("string-append", "x", "y") == "xy"
    assert type(interp.call("string-append", "x", "y")) is str


def test_sorting_mutable_strings_with_string_less():
    assert run('(sort (list (string-copy "b") "c" (string-copy "a")) string<?)') == ["a", "b", "c"]


def test_string_set_loops_are_linear():
    """A loop of string-set! over a string costs about the same per character however
    long the string is (a copy per change would make 4x the length cost 16x)."""
    import time

    def fill(n: int) -> float:
        interp = Interpreter()
        interp.eval_scheme(f"(define s (make-string {n}))")
        start = time.process_time()
        interp.eval_scheme(
            "(let loop ((i 0)) (when (< i (string-length s)) (string-set! s i #\\a) (loop (+ i 1))))"
        )
        return time.process_time() - start

    small, large = min(fill(20_000) for _ in range(2)), min(fill(80_000) for _ in range(2))
    assert large / small < 9


TASK_PROGRAMS = {
    "template and argument": '(define-task (t x) #:system TEXT "Say {{x}}") (t TEXT)',
    "make-task template": "(define t (make-task 't '(x) TEXT)) (t 1)",
    "llm prompt and options": "(llm TEXT #:system TEXT)",
    "tool result": '(define-tool (f (q string "q")) "d" TEXT) (define-task (t) #:tools (list f) "go") (t)',
    "context": '(with-context ((k TEXT)) (context-ref (string->symbol (string-copy "k"))))',
}


@pytest.mark.parametrize("program", TASK_PROGRAMS.values(), ids=TASK_PROGRAMS.keys())
def test_tasks_send_a_mutable_string_as_its_text(program):
    def conversation(mutable: bool):
        sent = []

        def answer(request):
            sent.append([(m.role, m.content) for m in request.messages])
            if request.tools and len(request.messages) == 1:
                return {"tool_calls": [{"name": "f", "arguments": {"q": "z"}}]}
            return "done"

        text = '(string-copy "hi there")' if mutable else '"hi there"'
        value = interpreter(FunctionModel(answer)).eval(program.replace("TEXT", text))
        return value, sent

    assert conversation(mutable=True) == conversation(mutable=False)
