"""The long-term memory store from Python: indexing a tree, searching it, and what a
store refuses (writes through a read-only handle, files that are not stores)."""

from __future__ import annotations

import itertools
import os
import re
import sqlite3
import subprocess
import textwrap
from pathlib import Path

import pytest

from interpreter.errors import MemoryReadOnlyError, MemoryStoreError, SchemeError
from interpreter.memory.chunks import CHUNK_SIZE, text_entries
from interpreter.memory.indexer import index_paths
from interpreter.memory.store import MemoryStore


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "notes"
    write(
        root,
        "refunds.md",
        """\
        ---
        topic: billing
        ---
        # Refund policy

        Customers may ask for a refund within 30 days of purchase.

        ## Exceptions

        Gift cards are never refunded.
        """,
    )
    write(root, "shipping.txt", "Parcels ship on weekdays. Tracking numbers arrive by email.\n")
    write(
        root,
        "dates.scm",
        """\
        ;; Parse an ISO 8601 date like "2024-05-01"
        ;; into a list (year month day).
        (define (parse-iso-date text)
          (map string->number (list (substring text 0 4) (substring text 5 7)
                                    (substring text 8 10))))

        (define (days-in-year year)
          "How many days the year has, leap years included."
          (if (= 0 (modulo year 4)) 366 365))

        (define-task (summarize text) #:system "You summarize meeting notes." "Summarize: {{text}}")

        (define-tool (lookup-order (order-id string "the order number"))
          "Look up an order by its number."
          order-id)
        """,
    )
    return root


@pytest.fixture
def store(tree: Path, tmp_path: Path) -> MemoryStore:
    index_paths(tmp_path / "memory.db", [tree])
    with MemoryStore(tmp_path / "memory.db") as opened:
        yield opened


def test_search_ranks_the_document_about_the_query_first(store):
    results = store.search("refunds for a purchase")
    assert results[0].path == "notes/refunds.md"
    assert results[0].score > 0
    assert "**refund**" in results[0].snippet


def test_stemming_finds_other_forms_of_a_word(store):
    assert store.search("shipped parcel")[0].path == "notes/shipping.txt"


def test_title_words_count_more_than_body_words(tmp_path):
    root = tmp_path / "t"
    write(root, "a.md", "# Notes\n\nThe word invoice appears here once among other words.\n")
    write(root, "b.md", "# Invoice\n\nSomething else entirely, said in other words.\n")
    index_paths(tmp_path / "m.db", [root])
    with MemoryStore(tmp_path / "m.db") as store:
        assert [r.path for r in store.search("invoice")] == ["t/b.md", "t/a.md"]


@pytest.mark.parametrize(
    "query",
    ['"', "AND", "refund AND", "NEAR(", "title:refund", "*", "(((", "-refund", "a OR", "^x", "'"],
)
def test_query_syntax_is_searched_as_words_never_an_error(store, query):
    store.search(query)  # no exception: FTS5 never sees the text as syntax


def test_operators_are_words(store):
    assert store.search("refund AND gift")[0].path == "notes/refunds.md"
    assert store.search("NOT") == []


def test_raw_queries_use_fts5_syntax_and_report_bad_syntax(store):
    assert [r.path for r in store.search("refund NOT gift", raw=True)] == []
    assert store.search("track*", raw=True)[0].path == "notes/shipping.txt"
    with pytest.raises(SchemeError, match="not a valid FTS5 query"):
        store.search('refund AND "', raw=True)


def test_kind_and_metadata_filters(store):
    procedures = store.search("date year", kind="procedure")
    assert procedures and {r.kind for r in procedures} == {"procedure"}
    billing = store.search("refund", where={"topic": "billing"})
    assert billing and {r.path for r in billing} == {"notes/refunds.md"}
    assert store.search("refund", where={"topic": "shipping"}) == []
    with pytest.raises(SchemeError, match="not a name"):
        store.search("refund", where={"a'b": 1})


def test_procedures_carry_name_parameters_doc_and_source(store):
    record = store.get("notes/dates.scm::parse-iso-date")
    assert record.kind == "procedure"
    assert record.title == "(parse-iso-date text)"
    assert record.line == 1
    assert (
        record.metadata["doc"]
        == 'Parse an ISO 8601 date like "2024-05-01" into a list (year month day).'
    )
    assert record.text.startswith(";; Parse an ISO")
    assert record.text.endswith("(substring text 8 10))))")
    assert store.get("notes/dates.scm::days-in-year").metadata["doc"].startswith("How many days")
    task = store.get("notes/dates.scm::summarize")
    assert task.metadata["form"] == "define-task"
    assert task.metadata["doc"] == "You summarize meeting notes."
    tool = store.get("notes/dates.scm::lookup-order")
    assert tool.metadata["params"] == ["order-id"]
    assert tool.metadata["doc"] == "Look up an order by its number."


def test_procedures_are_found_by_meaning(store):
    assert store.search("parse an ISO date", kind="procedure")[0].id == (
        "notes/dates.scm::parse-iso-date"
    )


def test_get_unknown_is_none_and_stats_count(store):
    assert store.get("nope") is None
    stats = store.stats()
    assert stats.documents == 3
    assert stats.entries["procedure"] == 4


def test_a_read_only_store_refuses_writes(store):
    with pytest.raises(MemoryReadOnlyError, match="read-only"):
        store.execute("DELETE FROM entries")
    assert store.stats().documents == 3


@pytest.mark.parametrize(
    "sql",
    [
        "ATTACH DATABASE '{dir}/other.db' AS other",
        "VACUUM INTO '{dir}/copy.db'",
        "VACUUM",
        "DETACH DATABASE main",
        "CREATE TEMP TABLE scratch (x)",
        "INSERT INTO entries_fts(entries_fts) VALUES ('optimize')",
        "UPDATE entries SET title = 'x'",
        "DROP TABLE entries",
        "PRAGMA user_version = 7",
        "PRAGMA query_only = 0",
        "PRAGMA writable_schema = 1",
        "PRAGMA wal_checkpoint",
        "BEGIN IMMEDIATE",
        "UPDATE sqlite_master SET sql = 'x'",
    ],
)
def test_a_read_only_store_refuses_every_statement_that_is_not_a_read(store, tmp_path, sql):
    before = Path(store.path).read_bytes()
    with pytest.raises(MemoryReadOnlyError, match="read-only"):
        store.execute(sql.format(dir=tmp_path))
    assert not (tmp_path / "other.db").exists() and not (tmp_path / "copy.db").exists()
    assert Path(store.path).read_bytes() == before
    assert store.search("refund")  # and it still reads


def test_a_read_only_store_runs_reads_of_every_kind(store):
    assert store.execute("SELECT count(*) FROM documents") == [(3,)]
    assert store.execute("PRAGMA user_version") == [(1,)]
    assert store.execute("PRAGMA table_info(documents)")[0][1] == "path"
    counted = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3)"
    assert store.execute(counted + " SELECT sum(x) FROM n") == [(6,)]
    matched = store.execute(
        "SELECT highlight(entries_fts, 1, '[', ']') FROM entries_fts"
        " WHERE entries_fts MATCH 'gift' ORDER BY rank"
    )
    assert "[Gift]" in matched[0][0]


def test_reindexing_touches_only_changed_files_and_drops_removed_ones(tree, tmp_path):
    db = tmp_path / "memory.db"
    first = index_paths(db, [tree])
    assert (first.indexed, first.unchanged) == (3, 0)
    again = index_paths(db, [tree])
    assert (again.indexed, again.unchanged, again.removed) == (0, 3, 0)
    write(tree, "shipping.txt", "Parcels now ship on weekends too.\n")
    (tree / "dates.scm").unlink()
    changed = index_paths(db, [tree])
    assert (changed.indexed, changed.unchanged, changed.removed) == (1, 1, 1)
    with MemoryStore(db) as store:
        assert store.get("notes/dates.scm::parse-iso-date") is None
        assert store.search("weekends")[0].path == "notes/shipping.txt"
        assert store.search("weekdays") == []


def test_binary_huge_and_non_utf8_files_are_skipped_with_a_reason(tmp_path):
    root = tmp_path / "t"
    write(root, "ok.txt", "fine text\n")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")
    (root / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (root / "big.txt").write_text("word " * 1000)
    report = index_paths(tmp_path / "m.db", [root], max_file_bytes=1000)
    assert dict(report.skipped) == {
        "t/logo.png": "binary",
        "t/latin1.txt": "not UTF-8 text",
        "t/big.txt": "larger than 1,000 bytes",
    }
    assert report.indexed == 1


def test_gitignore_is_respected_outside_git(tmp_path):
    root = tmp_path / "t"
    write(root, ".gitignore", "*.log\nbuild/\n/secret.md\n!keep.log\n")
    write(root, "a.md", "alpha\n")
    write(root, "run.log", "noise\n")
    write(root, "keep.log", "kept\n")
    write(root, "build/out.md", "generated\n")
    write(root, "secret.md", "hidden\n")
    write(root, "sub/secret.md", "not anchored here\n")
    write(root, "sub/deep.log", "noise\n")
    index_paths(tmp_path / "m.db", [root])
    with MemoryStore(tmp_path / "m.db") as store:
        paths = {row[0] for row in store.execute("SELECT path FROM documents")}
    assert paths == {"t/.gitignore", "t/a.md", "t/keep.log", "t/sub/secret.md"}


def test_gitignore_is_respected_in_a_git_checkout(tmp_path):
    root = tmp_path / "repo"
    write(root, ".gitignore", "ignored/\n")
    write(root, "tracked.md", "tracked\n")
    write(root, "ignored/x.md", "ignored\n")
    write(root, "untracked.md", "new\n")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "tracked.md", ".gitignore"], check=True)
    index_paths(tmp_path / "m.db", [root])
    with MemoryStore(tmp_path / "m.db") as store:
        paths = {row[0] for row in store.execute("SELECT path FROM documents")}
    assert paths == {"repo/.gitignore", "repo/tracked.md", "repo/untracked.md"}


def test_the_database_itself_is_not_indexed(tree):
    report = index_paths(tree / "memory.db", [tree])
    report = index_paths(tree / "memory.db", [tree])
    assert report.skipped == [] and report.unchanged == 3


def test_chunks_cut_at_paragraphs_with_overlap():
    paragraphs = [f"Paragraph {n} " + "word " * 60 for n in range(12)]
    entries = text_entries("\n\n".join(paragraphs), "Doc", "text")
    assert len(entries) > 2
    assert all(len(entry.text) <= CHUNK_SIZE for entry in entries)
    for before, after in itertools.pairwise(entries):
        assert after.text.split("\n\n")[0] == before.text.split("\n\n")[-1]
    every = "\n\n".join(entry.text for entry in entries)
    assert all(paragraph.strip() in every for paragraph in paragraphs)


def test_a_markdown_heading_starts_a_chunk_titled_by_it():
    text = "# Guide\n\n" + "intro " * 150 + "\n\n## Install\n\nRun the installer.\n"
    entries = text_entries(text, "Guide", "markdown")
    assert entries[-1].title == "Guide > Install"
    assert entries[-1].text.startswith("## Install")


def test_files_that_are_not_stores_are_refused_by_name(tmp_path):
    missing = tmp_path / "missing.db"
    with pytest.raises(MemoryStoreError, match=re.escape(f"{missing}: no such file")):
        MemoryStore(missing)
    text = tmp_path / "notes.txt"
    text.write_text("not a database at all, just text " * 100)
    with pytest.raises(MemoryStoreError, match=r"notes\.txt is not a memory store"):
        MemoryStore(text)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(MemoryStoreError, match="not a taskscheme memory store"):
        MemoryStore(other)
    with pytest.raises(MemoryStoreError, match="not a taskscheme memory store"):
        index_paths(other, [text])


def test_a_store_of_another_schema_version_is_refused(tree, tmp_path):
    db = tmp_path / "memory.db"
    index_paths(db, [tree])
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA user_version = 99")
    connection.commit()
    connection.close()
    with pytest.raises(MemoryStoreError, match="schema version 99"):
        MemoryStore(db)


def test_indexing_into_a_store_with_damaged_pages_is_refused_by_name(tree, tmp_path):
    db = tmp_path / "memory.db"
    # enough entries that the middle of the file is pages of the tables, not the header
    for number in range(60):
        write(tree, f"more/note{number}.md", f"# Note {number}\n\n" + "refund words " * 200)
    index_paths(db, [tree])
    data = bytearray(db.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8192] = b"\xa5" * 8192
    db.write_bytes(bytes(data))
    write(tree, "new.md", "# New\n\nA new note.\n")
    with pytest.raises(MemoryStoreError, match=re.escape(f"the memory store {db} is corrupt")):
        index_paths(db, [tree])
    assert db.read_bytes() == bytes(data)  # nothing was written into it


def test_a_corrupt_store_is_refused_by_name(tree, tmp_path):
    db = tmp_path / "memory.db"
    index_paths(db, [tree])
    data = bytearray(db.read_bytes())
    data[100:4000] = b"\xff" * 3900
    db.write_bytes(bytes(data))
    with pytest.raises(MemoryStoreError, match=re.escape(str(db))), MemoryStore(db) as store:
        store.search("refund")


def test_a_file_whose_name_is_not_utf8_is_skipped_and_reported(tmp_path):
    root = tmp_path / "t"
    root.mkdir()
    (root / "ok.md").write_text("fine\n")
    with open(os.path.join(os.fsencode(root), b"caf\xe9.md"), "w") as handle:
        handle.write("hello\n")
    report = index_paths(tmp_path / "m.db", [root])
    assert report.indexed == 1
    assert report.skipped == [("t/caf\ufffd.md", "its name is not UTF-8")]


def test_a_search_without_snippets_finds_the_same_entries(store):
    with_snippets = store.search("date year refund")
    without = store.search("date year refund", snippets=False)
    assert [r.id for r in without] == [r.id for r in with_snippets]
    assert [r.score for r in without] == [r.score for r in with_snippets]
    assert {r.snippet for r in without} == {None}


def test_entries_with_every_word_come_first_when_there_are_enough(tmp_path):
    root = tmp_path / "t"
    write(root, "a.md", "A cherry and plum tart.\n")
    write(root, "b.md", "Plum jam with a cherry on top.\n")
    write(root, "c.md", "# Cherry\n\nCherry, cherry, cherry.\n")
    index_paths(tmp_path / "m.db", [root])
    with MemoryStore(tmp_path / "m.db") as store:
        assert store.search("cherry", limit=1)[0].path == "t/c.md"
        assert {r.path for r in store.search("cherry plum", limit=2)} == {"t/a.md", "t/b.md"}
        # fewer than 3 have both words: the entries with either are ranked instead
        assert "t/c.md" in {r.path for r in store.search("cherry plum", limit=3)}


def test_a_bad_statement_is_a_store_error_naming_the_file(store):
    with pytest.raises(MemoryStoreError, match=re.escape(f"{store.path}: no such table: nowhere")):
        store.execute("SELECT x FROM nowhere")


def test_no_chunk_is_longer_than_the_chunk_size_counting_the_blank_lines():
    half = ("word " * (CHUNK_SIZE // 10))[: CHUNK_SIZE // 2].strip() + "."
    entries = text_entries(f"{half}\n\n{half}\n\n{half}\n", "Doc", "text")
    assert all(len(entry.text) <= CHUNK_SIZE for entry in entries)
