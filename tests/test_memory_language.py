"""Long-term memory from programs and embedders: memory-lookup and its records,
memory-get, memory-import, the memory-lookup tool of tasks, lookup events, and the
read-only guarantee."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from tasks_support import Released, interpreter, settings

from interpreter import Interpreter
from interpreter.errors import MemoryReadOnlyError, MemoryStoreError, TaskschemeError
from interpreter.limits.events import EventBus
from interpreter.limits.handler import message_tokens
from interpreter.limits.messages import Message, wire_json
from interpreter.limits.models import resolve_model
from interpreter.limits.tokens import count_tokens
from interpreter.memory.indexer import index_paths
from interpreter.memory.store import MemoryStore
from interpreter.providers import ScriptedModel


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("kb")
    notes = root / "notes"
    notes.mkdir()
    (notes / "refunds.md").write_text(
        "---\ntopic: billing\n---\n# Refund policy\n\nRefunds are paid within 30 days.\n"
    )
    (notes / "shipping.md").write_text("# Shipping\n\nParcels ship on weekdays.\n")
    (notes / "dates.scm").write_text(
        textwrap.dedent(
            """\
            ;; Parse an ISO 8601 date like "2024-05-01" into (year month day).
            (define (parse-iso-date text)
              (list (string->number (substring text 0 4))
                    (string->number (substring text 5 7))
                    (string->number (substring text 8 10))))

            (define (broken x)
              (car x))

            (define days-per-week 7)
            (define (weeks->days n) (* n days-per-week))
            ;; How many hours are in some weeks.
            (define (weeks->hours n) (* 24 (weeks->days n)))
            """
        )
    )
    index_paths(root / "memory.db", [notes])
    return root / "memory.db"


def test_lookup_returns_records_with_accessors(db):
    value = interpreter(memory=str(db)).eval(
        """
        (map (lambda (r)
               (list (memory-record-id r) (memory-record-kind r) (memory-record-path r)
                     (memory-record-title r) (memory-record? r)
                     (> (memory-record-score r) 0) (string? (memory-record-snippet r))
                     (string? (memory-record-text r))))
             (memory-lookup "refund policy" #:limit 1))
        """
    )
    assert value == [
        [
            "notes/refunds.md#1",
            "document",
            "notes/refunds.md",
            "Refund policy",
            True,
            True,
            True,
            True,
        ]
    ]


def test_lookup_options_filter(db):
    interp = interpreter(memory=str(db))
    kinds = interp.eval('(map memory-record-kind (memory-lookup "date" #:kind \'procedure))')
    assert kinds and set(kinds) == {"procedure"}
    assert interp.eval('(length (memory-lookup "refund" #:where \'((topic . "billing"))))') == 1
    assert interp.eval('(memory-lookup "refund" #:where \'((topic . "other")))') == []
    assert interp.eval('(length (memory-lookup "refund" #:where \'((topic . billing))))') == 1
    assert interp.eval('(memory-lookup "track*" #:fts #t)') == []


def test_query_text_never_breaks_the_search(db):
    interp = interpreter(memory=str(db))
    for query in ['"', "NEAR(", "AND OR NOT", "refund*", "x'); DROP TABLE entries; --"]:
        interp.eval(f"(memory-lookup {_scheme_string(query)})")


def test_memory_get(db):
    interp = interpreter(memory=str(db))
    assert interp.eval('(memory-record-title (memory-get "notes/shipping.md#1"))') == "Shipping"
    assert interp.eval('(memory-get "no such id")') is False
    assert interp.eval('(memory-record-score (memory-get "notes/shipping.md#1"))') is False


def test_import_a_procedure_found_by_meaning_and_call_it(db):
    interp = interpreter(memory=str(db))
    value = interp.eval(
        """
        (define hit (car (memory-lookup "parse an ISO date" #:kind 'procedure)))
        (memory-import (memory-record-id hit))
        (parse-iso-date "2024-05-01")
        """
    )
    assert value == [2024, 5, 1]
    with MemoryStore(db) as store:
        assert store.stats().entries == {"document": 3, "procedure": 5}


def test_an_imported_procedure_reports_errors_at_its_stored_file_and_line(db):
    interp = interpreter(memory=str(db))
    interp.eval('(memory-import "notes/dates.scm::broken")')
    with pytest.raises(TaskschemeError) as caught:
        interp.eval("(broken 5)")
    assert caught.value.span.file == "notes/dates.scm"
    assert caught.value.span.line == 8


def test_import_brings_the_definitions_it_needs_from_its_file(db):
    interp = interpreter(memory=str(db))
    assert interp.eval('(memory-import "notes/dates.scm::weeks->hours") (weeks->hours 2)') == 336
    assert interp.eval("(list days-per-week (procedure? weeks->days))") == [7, True]


def test_import_keeps_the_programs_own_definitions(db):
    interp = interpreter(memory=str(db))
    value = interp.eval(
        """
        (define days-per-week 5)
        (memory-import "notes/dates.scm::weeks->days")
        (weeks->days 2)
        """
    )
    assert value == 10


def test_importing_a_document_or_an_unknown_id_is_an_error(db):
    interp = interpreter(memory=str(db))
    with pytest.raises(TaskschemeError, match="is a document, not a procedure"):
        interp.eval('(memory-import "notes/shipping.md#1")')
    with pytest.raises(TaskschemeError, match="no memory entry nope"):
        interp.eval('(memory-import "nope")')


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ('(memory-lookup "x" #:kind (quote thing))', "#:kind is 'document or 'procedure"),
        ('(memory-lookup "x" #:limit 0)', "#:limit from 1 to 1000"),
        ('(memory-lookup "x" #:size 3)', "unknown keyword #:size"),
        ("(memory-lookup 42)", "expects one query string"),
        ('(memory-lookup "x" #:where 5)', "an alist"),
        ('(memory-record-title "x")', "a memory record"),
    ],
)
def test_bad_calls_are_language_errors(db, call, message):
    with pytest.raises(TaskschemeError, match=message):
        interpreter(memory=str(db)).eval(call)


def test_without_a_store_the_error_says_how_to_give_one():
    with pytest.raises(MemoryStoreError, match="--memory FILE, the memory_db setting"):
        interpreter().eval('(memory-lookup "x")')


def test_the_memory_db_setting_and_a_store_object_configure_memory(db):
    assert interpreter(config={"memory_db": str(db)}).eval('(length (memory-lookup "refund"))')
    with MemoryStore(db) as store:
        assert Interpreter(settings(), memory=store).eval('(length (memory-lookup "refund"))')


def test_a_bad_store_is_refused_when_the_interpreter_is_made(tmp_path):
    (tmp_path / "x.db").write_text("text")
    with pytest.raises(MemoryStoreError, match=r"x\.db is not a memory store"):
        interpreter(memory=str(tmp_path / "x.db"))


def test_a_writable_store_given_to_an_interpreter_is_read_only_there(db):
    writable = MemoryStore(db, writable=True)
    interp = Interpreter(settings(), memory=writable)

    def sneak() -> int:
        return len(interp.memory.execute("DELETE FROM entries"))

    interp.define("sneak", sneak)
    with pytest.raises(MemoryReadOnlyError, match="read-only while programs run"):
        interp.eval("(sneak)")
    writable.close()
    with MemoryStore(db) as store:
        assert store.stats().entries["document"] == 3


def test_a_host_procedure_cannot_write_through_the_store(db):
    interp = interpreter(memory=str(db))
    interp.define("wipe", lambda: interp.memory.execute("DROP TABLE entries"))
    with pytest.raises(MemoryReadOnlyError) as caught:
        interp.eval("(wipe)")
    assert caught.value.path == str(db)
    assert interp.eval('(length (memory-lookup "refund"))') == 1


def test_each_lookup_is_an_event_and_costs_no_turns(db):
    bus = EventBus()
    seen = []
    bus.subscribe(seen.append)
    interp = interpreter(memory=str(db), events=bus)
    interp.eval('(memory-lookup "refund" #:limit 2) (memory-lookup "ship")')
    assert [event.kind for event in seen] == ["memory", "memory"]
    assert seen[0].detail == {
        "query": "refund",
        "kind": None,
        "limit": 2,
        "via": "program",
        "results": ["notes/refunds.md#1"],
    }
    assert seen[0].to_dict()["metrics"] is None
    assert interp.last_metrics is None  # no task ran, no turn was taken


def test_a_task_searches_memory_with_the_tool_and_the_result_is_charged(db):
    released = Released()
    model = ScriptedModel(
        [
            {
                "tool_calls": [
                    {"name": "memory-lookup", "arguments": {"query": "refund", "limit": 1}}
                ]
            },
            "Refunds take up to 30 days.",
        ]
    )
    seen = []
    released.bus.subscribe(seen.append)
    program = """
        (define-task (answer question) #:tools (list memory-lookup) "{{question}}")
        (answer "How long do refunds take?")
    """
    assert interpreter(model, memory=str(db), events=released.bus).eval(program) == (
        "Refunds take up to 30 days."
    )
    first, second = model.requests
    spec = first.tools[0].to_json()
    assert spec["name"] == "memory-lookup" and spec["parameters"]["required"] == ["query"]
    tool_message = second.messages[-1]
    assert tool_message.role == "tool"
    assert tool_message.content.startswith("[notes/refunds.md#1] Refund policy")
    assert "Refunds are paid within 30 days." in tool_message.content
    (event,) = released.events
    info = resolve_model("test:scripted")
    conversation = [*second.messages, Message("assistant", "Refunds take up to 30 days.")]
    expected = count_tokens(wire_json(spec), info.encoding) + sum(
        message_tokens(m, info) for m in conversation
    )
    assert event.metrics.context.used == expected
    lookup = next(e for e in seen if e.kind == "memory")
    assert lookup.task == "answer" and lookup.detail["via"] == "tool"


def test_bad_tool_arguments_go_back_to_the_model(db):
    model = ScriptedModel(
        [
            {"tool_calls": [{"name": "memory-lookup", "arguments": {"query": "x", "kind": "all"}}]},
            "ok",
        ]
    )
    program = '(define-task (t q) #:tools (list memory-lookup) "{{q}}") (t "go")'
    assert interpreter(model, memory=str(db)).eval(program) == "ok"
    assert model.requests[1].messages[-1].content == (
        'error: memory-lookup: argument kind must be one of document, procedure, got "all"'
    )


def test_check_knows_the_memory_procedures(db):
    interp = interpreter()
    errors = interp.check(
        '(memory-lookup "x" #:kind \'thing #:limt 3)\n(memory-record-id (memory-get "a"))\n',
        "p.scm",
    )
    assert [error.message for error in errors] == [
        "memory-lookup: #:kind is 'document or 'procedure",
        "memory-lookup: unknown keyword #:limt (did you mean #:limit?) (it takes #:limit #:kind #:where #:fts)",
    ]


def _scheme_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_the_python_example_of_docs_memory_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    text = (Path(__file__).resolve().parent.parent / "docs" / "memory.md").read_text()
    (block,) = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    exec(compile(block, "memory.md", "exec"), {})
    assert capsys.readouterr().out.startswith("indexed 1 file(s)")


def test_the_standard_environment_has_the_memory_procedures(db):
    interp = interpreter(memory=str(db))
    value = interp.eval(
        '(eval \'(map memory-record-id (memory-lookup "shipping" #:limit 1))'
        " (environment '(taskscheme)))"
    )
    assert value == ["notes/shipping.md#1"]


def _open_files() -> int:
    return len(list(Path("/proc/self/fd").iterdir()))


def test_closing_an_interpreter_closes_the_store_it_opened(db):
    before = _open_files()
    for _ in range(20):
        interp = Interpreter(memory=db)
        assert interp.eval('(length (memory-lookup "tail"))') >= 0
        interp.close()
    assert _open_files() <= before + 2  # not 20 databases left open


def test_a_store_given_as_an_object_stays_open_for_its_owner(db):
    with MemoryStore(db) as store:
        Interpreter(memory=store).close()
        assert store.search("tail") is not None  # still usable
