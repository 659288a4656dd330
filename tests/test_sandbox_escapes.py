"""No way out of a program's capabilities: a file name the program made at run time is
checked as a literal is; links, `..` and /proc lead nowhere new; names that cannot be
files are file-errors; the run's own files (memory store, trace, cassette) cannot be
changed whatever the grants; models read from files need the read grant; executors that
start processes need theirs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tasks_support import settings
from test_capabilities import CALLS as LITERAL_CALLS
from test_capabilities import ROOT, taskscheme

from interpreter import Capabilities, Interpreter
from interpreter.engine.capabilities import FILE_PROCEDURES
from interpreter.errors import CapabilityError, SchemeError
from interpreter.memory.indexer import index_paths
from interpreter.providers import ScriptedModel

SECRET = "secret\n"

# Each procedure that names a file, with PATH where the program passes the name.
CALLS = {
    **{name: call.replace('"{path}"', "PATH") for name, call in LITERAL_CALLS.items()},
    "load": "(load PATH)",
}
ACCESS = {**FILE_PROCEDURES, "load": "read"}

# Ways of making the string "DIR/f1" at run time (DIR: the target's directory).
MAKERS = {
    "string-append": '(string-append "DIR/" "f1")',
    "string-copy": '(string-copy "DIR/f1")',
    "list->string": '(list->string (string->list "DIR/f1"))',
    "symbol->string": '(symbol->string (string->symbol "DIR/f1"))',
    "number->string": '(string-append "DIR/f" (number->string 1))',
    "string-set!": """(let* ((text "DIR/f1") (s (make-string (string-length text) #\\x)))
                        (do ((i 0 (+ i 1))) ((= i (string-length text)) s)
                          (string-set! s i (string-ref text i))))""",
    "substring": '(substring "<DIR/f1>" 1 (+ 1 (string-length "DIR/f1")))',
    "string-map": '(string-map (lambda (c) c) "DIR/f1")',
}


def test_every_file_procedure_is_in_the_matrix():
    assert set(CALLS) == {*FILE_PROCEDURES, "load"}


@pytest.fixture(scope="module")
def layout(tmp_path_factory) -> dict[str, Path]:
    """A program's directory, a working directory, and a sibling directory outside both
    holding the target file f1."""
    root = tmp_path_factory.mktemp("escape")
    dirs = {name: root / name for name in ("program", "work", "outside")}
    for path in dirs.values():
        path.mkdir()
    return dirs


def _target(layout: dict[str, Path]) -> Path:
    target = layout["outside"] / "f1"
    target.write_text(SECRET)
    return target


def _program(procedure: str, maker: str, directory: Path) -> str:
    return CALLS[procedure].replace("PATH", MAKERS[maker].replace("DIR", str(directory)))


MODES = {
    "embedded": lambda layout: Capabilities(),
    # what the command line grants a program in `program` run from `work`
    "command-line": lambda layout: Capabilities(
        read=[layout["program"]], write=[layout["work"]], env=True, models=True, executors=True
    ),
}


@pytest.mark.parametrize("maker", sorted(MAKERS))
@pytest.mark.parametrize("procedure", sorted(CALLS))
@pytest.mark.parametrize("mode", sorted(MODES))
def test_a_file_name_made_at_run_time_is_checked(mode, procedure, maker, layout):
    target = _target(layout)
    interp = Interpreter(settings(), capabilities=MODES[mode](layout))
    with pytest.raises(CapabilityError) as caught:
        interp.eval(_program(procedure, maker, layout["outside"]))
    error, access = caught.value, ACCESS[procedure]
    assert (error.capability, error.target) == (access, str(target.resolve()))
    assert f"{procedure}: the program may not {access} {target}" in error.message
    granted = "it was given no" if mode == "embedded" else "it may " + access + " only below"
    assert granted in error.message
    assert target.read_text() == SECRET


def test_the_checked_text_is_the_text_opened(tmp_path):
    """A granted procedure opens the name made at run time, as it was checked."""
    interp = Interpreter(settings(), capabilities=Capabilities(write=[tmp_path]))
    for maker in MAKERS.values():
        name = maker.replace("DIR", str(tmp_path))
        interp.eval(f"(call-with-output-file {name} (lambda (p) (display 1 p)))")
        assert interp.eval(f"(file->string {name})") == "1"
        interp.eval(f"(delete-file {name})")
        assert not (tmp_path / "f1").exists()


@pytest.mark.parametrize(
    "procedure, maker",
    [("call-with-output-file", "string-append"), ("file->string", "string-copy")],
)
@pytest.mark.parametrize("sandbox", [True, False])
def test_the_command_line_checks_names_made_at_run_time(procedure, maker, sandbox, layout):
    target = _target(layout)
    program = layout["program"] / "main.scm"
    program.write_text(_program(procedure, maker, layout["outside"]))
    options = ["--sandbox"] * sandbox
    result = taskscheme("run", *options, str(program), cwd=layout["work"])
    access = FILE_PROCEDURES[procedure]
    assert result.returncode == 1
    assert f"capability-error: {procedure}: the program may not {access} {target}" in (
        result.stderr
    )
    assert "it was given no" in result.stderr if sandbox else "only below" in result.stderr
    assert target.read_text() == SECRET


@pytest.mark.parametrize("command", ["eval", "repl"])
def test_eval_and_the_repl_have_a_sandbox(command, tmp_path):
    (tmp_path / "in.txt").write_text("input")
    expression = '(file->string (string-append "in" ".txt"))'

    def evaluate(*options: str) -> subprocess.CompletedProcess:
        if command == "eval":
            return taskscheme("eval", *options, expression, cwd=tmp_path)
        return taskscheme("repl", *options, cwd=tmp_path, stdin=expression)

    assert evaluate().stdout.strip() == '"input"'
    result = evaluate("--sandbox")
    assert result.returncode == 1  # piped, the REPL too exits 1 when an input failed
    assert "file->string: the program may not read in.txt" in result.stderr
    assert "it was given no read capability" in result.stderr


# -- links, .., /proc ----------------------------------------------------------------------


def test_links_dot_dot_and_proc_lead_nowhere_new(tmp_path, monkeypatch):
    granted, outside = tmp_path / "granted", tmp_path / "outside"
    granted.mkdir()
    outside.mkdir()
    (outside / "f1").write_text(SECRET)
    (granted / "file-link").symlink_to(outside / "f1")
    (granted / "dir-link").symlink_to(outside)
    (granted / "dangling").symlink_to(outside / "new")
    (outside / "deep").mkdir()
    (granted / "deep-link").symlink_to(outside / "deep")
    monkeypatch.chdir(granted)
    interp = Interpreter(settings(), capabilities=Capabilities(write=[granted]))
    names = [
        f'(string-append "{granted}/" "file-link")',
        f'(string-append "{granted}/dir-link/" "f1")',
        f'(string-append "{granted}/dangling")',
        f'(string-append "{granted}/../" "outside/f1")',
        # `..` after a link is the parent of its target, not the link's directory
        f'(string-append "{granted}/deep-link/../" "f1")',
        '(string-copy "../outside/f1")',
        f'(string-append "/proc/self/root" "{outside}/f1")',
        '(string-append "/proc/self/cwd/.." "/outside/f1")',
        '(string-copy "/proc/thread-self/cwd/../outside/f1")',
    ]
    for name in names:
        for call in ("(file->string {})", "(open-output-file {})", "(delete-file {})"):
            with pytest.raises(CapabilityError) as caught:
                interp.eval(call.format(name))
            assert str(outside) in caught.value.target, name
    assert (outside / "f1").read_text() == SECRET
    assert not (outside / "new").exists()


# -- names that cannot be files -------------------------------------------------------------


@pytest.mark.parametrize("procedure", sorted(CALLS))
def test_a_null_character_made_at_run_time_is_refused_outside_the_grants_and_no_file_within(
    procedure, tmp_path
):
    name = f'(string-append "{tmp_path}/f" (string #\\null))'
    program = CALLS[procedure].replace("PATH", name)
    with pytest.raises(CapabilityError) as caught:
        Interpreter(settings()).eval(program)
    assert str(tmp_path) in caught.value.target and "capability" in caught.value.message
    interp = Interpreter(settings(), capabilities=Capabilities(write=[tmp_path]))
    with pytest.raises(SchemeError) as caught:
        interp.eval(program)
    assert caught.value.kind == "file-error"
    assert "is not a file name: it contains a null character" in caught.value.message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("procedure", sorted(CALLS))
def test_a_very_long_name_outside_the_grants_is_refused_and_shown_cut_short(procedure, tmp_path):
    name = f'(string-append "{tmp_path}/" (make-string 100000 #\\a))'
    with pytest.raises(CapabilityError) as caught:
        Interpreter(settings()).eval(CALLS[procedure].replace("PATH", name))
    assert len(caught.value.message) < 300


@pytest.mark.parametrize("procedure", sorted(CALLS))
def test_a_very_long_name_within_the_grants_is_a_file_error(procedure, tmp_path):
    name = f'(string-append "{tmp_path}/" (make-string 100000 #\\a))'
    interp = Interpreter(settings(), capabilities=Capabilities(write=[tmp_path]))
    with pytest.raises(SchemeError) as caught:
        interp.eval(CALLS[procedure].replace("PATH", name))
    assert caught.value.kind == "file-error"
    assert "is not a file name: it is longer than 4096 characters" in caught.value.message
    assert len(caught.value.message) < 300
    # a name with a part longer than the system takes is no file, not an internal error
    program = CALLS[procedure].replace(
        "PATH", f'(string-append "{tmp_path}/" (make-string 300 #\\a))'
    )
    if procedure == "file-exists?":
        assert interp.eval(program) is False
    else:
        with pytest.raises(SchemeError) as caught:
            interp.eval(program)
        assert caught.value.kind == "file-error"


# -- the run's own files ------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path) -> Path:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "refunds.md").write_text("# Refund policy\n\nRefunds are paid within 30 days.\n")
    index_paths(tmp_path / "memory.db", [notes])
    return tmp_path / "memory.db"


ATTEMPTS = [
    '(delete-file "memory.db")',
    '(delete-file (string-append "memory" ".db"))',
    '(delete-file "./notes/../memory.db")',
    '(call-with-output-file "memory.db" (lambda (p) (display "x" p)))',
    '(open-output-file "memory.db-wal")',
    '(open-binary-output-file "memory.db-shm")',
    '(delete-file "memory.db-journal")',
    '(delete-file "link.db")',
    '(delete-file "hard.db")',
    '(delete-file "trace.jsonl")',
    '(with-output-to-file "trace.jsonl" (lambda () (display "x")))',
    '(delete-file "cassette.jsonl")',
    '(open-output-file (string-copy "cassette.jsonl"))',
]

REPORT = """(for-each
  (lambda (attempt)
    (display (guard (e ((error-object? e)
                        (string-append (symbol->string (error-object-kind e)) ": "
                                       (error-object-message e))))
               (eval attempt (interaction-environment))
               "done"))
    (newline))
  (list {}))
(display (file-exists? "memory.db"))
"""


def _report_program(attempts: list[str]) -> str:
    return REPORT.format(" ".join(f"'{attempt}" for attempt in attempts))


def _prepare(directory: Path) -> None:
    (directory / "link.db").symlink_to(directory / "memory.db")
    os.link(directory / "memory.db", directory / "hard.db")


def test_the_runs_files_are_protected_under_the_command_lines_grants(store):
    work = store.parent
    _prepare(work)
    (work / "main.scm").write_text(_report_program(ATTEMPTS))
    (work / "replies.toml").write_text('[[reply]]\ntext = "hi"\n')
    before = store.read_bytes()
    result = taskscheme(
        "run",
        "main.scm",
        "--memory",
        "memory.db",
        "--trace",
        "trace.jsonl",
        "--model",
        "script:replies.toml",
        "--record",
        "cassette.jsonl",
        cwd=work,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "#t"
    for attempt, line in zip(ATTEMPTS, lines, strict=False):
        assert line.startswith("capability-error: "), (attempt, line)
    what = {
        "memory.db": "the run's memory store",
        "wal": f"a file of the run's memory store {'memory.db'}",
        "trace": "the run's trace file",
        "cassette": "the cassette being recorded",
    }
    assert what["memory.db"] in lines[0] and what["memory.db"] in lines[8]
    assert what["wal"] in lines[4]
    assert what["trace"] in lines[9]
    assert what["cassette"] in lines[11]
    assert store.read_bytes() == before
    assert (work / "trace.jsonl").exists()
    # the grants still cover the working directory's other files
    (work / "other.scm").write_text('(delete-file (string-append "hard" ".db"))')
    assert taskscheme("run", "other.scm", cwd=work).returncode == 0


def test_a_tool_the_model_calls_cannot_change_the_store(store, monkeypatch):
    _prepare(store.parent)
    monkeypatch.chdir(store.parent)
    model = ScriptedModel(
        [
            {"tool_calls": [{"name": "wipe", "arguments": {"name": name}}]}
            for name in ("memory.db", "link.db", "hard.db", "memory.db-wal")
        ]
        + ["done"]
    )
    interp = Interpreter(
        settings(),
        model=model,
        memory=str(store),
        capabilities=Capabilities(write=[store.parent]),
    )
    interp.eval(
        """(define-tool (wipe (name string "a file")) "Delete a file."
             (delete-file (string-append name "")) "deleted")
           (define-task (clean) #:tools (list wipe) #:max-turns 10 "Clean up.")"""
    )
    assert interp.eval("(clean)") == "done"
    results = [request.messages[-1].content for request in model.requests[1:]]
    assert len(results) == 4
    for result in results:
        assert "may not write" in result and "memory store" in result, result
    assert store.exists()
    interp.close()


def test_an_embedded_runs_files_are_protected(store, tmp_path):
    trace, cassette = tmp_path / "trace.jsonl", tmp_path / "tape.jsonl"
    interp = Interpreter(
        settings(trace=str(trace)),
        memory=str(store),
        record_path=str(cassette),
        capabilities=Capabilities(write=[tmp_path]),
    )
    for path, what in [
        (store, "it is the run's memory store, which no program may change"),
        (trace, "it is the run's trace file"),
        (cassette, "it is the cassette being recorded"),
    ]:
        with pytest.raises(CapabilityError, match=what):
            interp.eval(f'(delete-file (string-copy "{path}"))')
    assert store.exists() and trace.exists()
    # the run's open files are no way in either: /proc/self/fd/N is the file it names
    interp.eval('(memory-lookup "refund")')
    for fd in os.listdir("/proc/self/fd"):
        with pytest.raises(CapabilityError):
            interp.eval(f'(open-output-file (string-append "/proc/self/fd/" "{fd}"))')
    assert store.exists() and trace.read_text() != ""
    interp.close()


def test_a_store_named_through_a_link_protects_the_side_files_sqlite_uses(store):
    """SQLite names the side files after the file a link leads to: those are protected,
    and the store is as it was after the program tried them."""
    work = store.parent
    (work / "link.db").symlink_to(store)
    (work / "main.scm").write_text(
        _report_program(
            [
                '(open-output-file "memory.db-wal")',
                '(delete-file "memory.db-shm")',
                '(call-with-output-file "memory.db-journal" (lambda (p) (display "x" p)))',
                '(open-output-file "link.db-wal")',
            ]
        )
        + '(display (length (memory-lookup "refund")))'
    )
    result = taskscheme("run", "main.scm", "--memory", "link.db", cwd=work)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for line in lines[:4]:
        assert line.startswith("capability-error: ") and "memory store link.db" in line, line
    assert lines[4] == "#t1"
    assert not (work / "memory.db-wal").exists() and not (work / "memory.db-journal").exists()


# -- models read from files ---------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["replay", "script"])
def test_a_model_file_needs_the_read_grant(prefix, tmp_path):
    granted, outside = tmp_path / "granted", tmp_path / "outside"
    granted.mkdir()
    outside.mkdir()
    secret = outside / "private.toml"
    secret.write_text('[[reply]]\ntext = "the private text"\n')
    interp = Interpreter(
        settings(),
        model=ScriptedModel(["mine"]),
        capabilities=Capabilities(read=[granted], models=True),
    )
    for path in (secret, outside / "missing.toml"):
        for program in (
            f'(define-task (t x) #:model "{prefix}:{path}" "{{{{x}}}}") (t 1)',
            f'(llm "hi" #:model "{prefix}:{path}")',
        ):
            with pytest.raises(CapabilityError) as caught:
                interp.eval(program)
            assert f"the program may not read {path}" in caught.value.message
            assert "private text" not in caught.value.message
    (granted / "replies.toml").write_text('[[reply]]\ntext = "allowed"\n')
    if prefix == "script":
        program = f'(llm "hi" #:model "script:{granted}/replies.toml")'
        assert interp.eval(program) == "allowed"


def test_a_model_file_outside_the_command_lines_grants(layout):
    secret = layout["outside"] / "replies.toml"
    secret.write_text('[[reply]]\ntext = "the private text"\n')
    program = layout["program"] / "main.scm"
    program.write_text(f'(display (llm "hi" #:model "script:{secret}"))')
    (layout["program"] / "replies.toml").write_text('[[reply]]\ntext = "own"\n')
    result = taskscheme(
        "run",
        str(program),
        "--model",
        f"script:{layout['program']}/replies.toml",
        cwd=layout["work"],
    )
    assert result.returncode == 1
    assert f"llm: the program may not read {secret}" in result.stderr
    assert "private text" not in result.stderr + result.stdout


# -- executors ------------------------------------------------------------------------------

RAY_PROGRAM = "(define (f x) x) (parallel-map f (iota 3) #:executor 'ray)"


def test_an_embedded_program_may_not_start_ray():
    script = f"""
import sys
from pathlib import Path
from interpreter import Interpreter
from interpreter.errors import CapabilityError
try:
    Interpreter().eval({RAY_PROGRAM!r})
except CapabilityError as error:
    print(error.kind, error.target, error.message)
print("ray" in sys.modules)
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    refusal, loaded = result.stdout.splitlines()
    assert refusal.startswith("capability-error ray parallel-map: the program may not use the ray")
    assert "other executors granted: none" in refusal
    assert loaded == "False"


def test_run_sandbox_may_not_start_ray(tmp_path):
    (tmp_path / "main.scm").write_text(RAY_PROGRAM)
    result = taskscheme("run", "--sandbox", "main.scm", cwd=tmp_path)
    assert result.returncode == 1
    assert "capability-error: parallel-map: the program may not use the ray executor" in (
        result.stderr
    )


def test_executor_grants():
    Capabilities.for_program(None).check_executor("parallel-map", "ray")
    Capabilities(executors={"ray"}).check_executor("parallel-map", "ray")
    Capabilities().check_executor("parallel-map", "threads")
    with pytest.raises(CapabilityError, match=r"other executors granted: dask"):
        Capabilities(executors={"dask"}).check_executor("parallel-map", "ray")


# -- memory procedures take strings made at run time -------------------------------------------


def test_memory_lookup_takes_a_string_made_at_run_time(store):
    interp = Interpreter(settings(), memory=str(store))
    found = interp.eval(
        """(map memory-record-title
                (memory-lookup (string-append "ref" "und") #:kind (string-copy "document")
                               #:where (list (cons (string-copy "path") (string-copy "x")))))"""
    )
    assert found == []
    assert interp.eval('(map memory-record-title (memory-lookup (string-append "ref" "und")))')
    record_id = interp.eval('(memory-record-id (car (memory-lookup "refund")))')
    assert interp.eval(f'(memory-record-title (memory-get (string-copy "{record_id}")))') == (
        "Refund policy"
    )
    interp.close()
