"""`taskscheme memory` and `--memory` as a new user meets them: index this project's own
docs/, stdlib/ and examples/, search, show, stats; files that are no store; a tree with
binaries and a .gitignore."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def taskscheme(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "interpreter", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
    )


@pytest.fixture(scope="module")
def project_store(tmp_path_factory) -> Path:
    """This project's docs/, stdlib/ and examples/, indexed once for the module."""
    db = tmp_path_factory.mktemp("memory") / "project.db"
    result = taskscheme("memory", "index", "docs", "stdlib", "examples", "--db", str(db), cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("indexed ")
    return db


def test_index_prints_a_summary_line_when_not_on_a_terminal(project_store):
    again = taskscheme(
        "memory", "index", "docs", "stdlib", "examples", "--db", str(project_store), cwd=REPO
    )
    assert again.returncode == 0
    assert " 0 removed" in again.stdout and "indexed 0 file(s)" in again.stdout
    assert "\r" not in again.stderr  # no progress bar into a pipe


def test_search_finds_documents_and_procedures(project_store):
    result = taskscheme("memory", "search", "tail calls", "--db", str(project_store), cwd=REPO)
    assert result.returncode == 0
    assert "1. " in result.stdout and "**tail**" in result.stdout
    procedures = taskscheme(
        "memory",
        "search",
        "fold a list",
        "--kind",
        "procedure",
        "--limit",
        "3",
        "--db",
        str(project_store),
        cwd=REPO,
    )
    lines = [line for line in procedures.stdout.splitlines() if line[:1].isdigit()]
    assert len(lines) == 3
    assert all("[procedure]" in line for line in lines)
    assert "stdlib/lists.scm::fold" in procedures.stdout


def test_search_text_with_fts_syntax_is_not_an_error(project_store):
    result = taskscheme("memory", "search", 'NEAR( "AND * -', "--db", str(project_store), cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_show_prints_one_entry_whole(project_store):
    search = taskscheme(
        "memory",
        "search",
        "fold",
        "--kind",
        "procedure",
        "--limit",
        "1",
        "--db",
        str(project_store),
        cwd=REPO,
    )
    entry_id = search.stdout.split()[1]
    shown = taskscheme("memory", "show", entry_id, "--db", str(project_store), cwd=REPO)
    assert shown.returncode == 0
    assert f"id: {entry_id}" in shown.stdout and "(define (" in shown.stdout
    missing = taskscheme("memory", "show", "no/such#1", "--db", str(project_store), cwd=REPO)
    assert missing.returncode == 1 and "no memory entry no/such#1" in missing.stderr


def test_stats(project_store):
    result = taskscheme("memory", "stats", "--db", str(project_store), cwd=REPO)
    assert result.returncode == 0
    assert "procedures" in result.stdout and "documents" in result.stdout


def test_memory_db_setting_names_the_store(project_store, tmp_path):
    env_cwd = tmp_path
    (env_cwd / "taskscheme.toml").write_text(f'memory_db = "{project_store}"\n')
    result = taskscheme("memory", "stats", cwd=env_cwd)
    assert result.returncode == 0 and str(project_store) in result.stdout
    value = taskscheme("eval", '(length (memory-lookup "tasks" #:limit 2))', cwd=env_cwd)
    assert value.stdout.strip() == "2", value.stderr


def test_a_program_searches_and_imports_through_memory(project_store, tmp_path):
    program = tmp_path / "p.scm"
    program.write_text(
        """
        (define hit (car (memory-lookup "fold a list from the left" #:kind 'procedure)))
        (memory-import hit)
        (display (fold-left + 0 '(1 2 3)))
        """
    )
    result = taskscheme("run", str(program), "--memory", str(project_store), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "6"


@pytest.mark.parametrize("kind", ["missing", "corrupt", "not-sqlite", "other-sqlite"])
def test_a_store_that_cannot_be_used_stops_the_run_at_start_up(kind, project_store, tmp_path):
    db = tmp_path / f"{kind}.db"
    if kind == "corrupt":
        data = bytearray(project_store.read_bytes())
        data[0:100] = b"\0" * 100
        db.write_bytes(bytes(data))
    elif kind == "not-sqlite":
        db.write_text("hello, I am a text file\n" * 50)
    elif kind == "other-sqlite":
        import sqlite3  # only this case makes a database by hand

        sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.commit()
    (tmp_path / "prog.scm").write_text('(display "ran")')
    for command in (["run", "prog.scm"], ["eval", "(display 1)"], ["memory", "stats", "--db"]):
        args = [*command, str(db)] if command[0] == "memory" else [*command, "--memory", str(db)]
        result = taskscheme(*args, cwd=tmp_path)
        assert result.returncode == 2, (command, result.stderr)
        assert str(db) in result.stderr
        assert "Traceback" not in result.stderr
        assert result.stdout == ""


def test_indexing_into_a_corrupt_store_is_refused_with_its_name(project_store, tmp_path):
    db = tmp_path / "damaged.db"
    data = bytearray(project_store.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8192] = b"\xa5" * 8192
    db.write_bytes(bytes(data))
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "new.md").write_text("# New\n\nA new note.\n")
    result = taskscheme("memory", "index", "notes", "--db", str(db), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert f"the memory store {db} is corrupt" in result.stderr
    assert "index again" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""
    assert db.read_bytes() == bytes(data)


def test_no_store_configured_is_a_clear_error(tmp_path):
    result = taskscheme("eval", '(memory-lookup "x")', cwd=tmp_path)
    assert result.returncode == 1
    assert "no long-term memory store is configured" in result.stderr
    assert "--memory FILE" in result.stderr
    usage = taskscheme("memory", "search", "x", cwd=tmp_path)
    assert usage.returncode == 2 and "--db FILE" in usage.stderr


def test_a_tree_with_binaries_and_a_gitignore(tmp_path):
    tree = tmp_path / "tree"
    (tree / "build").mkdir(parents=True)
    (tree / ".gitignore").write_text("build/\n*.tmp\n")
    (tree / "guide.md").write_text("# Guide\n\nHow to brew coffee with a French press.\n")
    (tree / "build" / "out.md").write_text("generated coffee notes\n")
    (tree / "scratch.tmp").write_text("coffee scratch\n")
    (tree / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\0\x10JFIF\0" + bytes(range(256)))
    (tree / "data.bin").write_bytes(os.urandom(64) + b"\0")
    result = taskscheme("memory", "index", "tree", "--db", "m.db", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "skipped tree/photo.jpg: binary" in result.stderr
    assert "skipped tree/data.bin: binary" in result.stderr
    assert "indexed 2 file(s)" in result.stdout  # guide.md and .gitignore
    search = taskscheme("memory", "search", "coffee", "--db", "m.db", cwd=tmp_path)
    assert "tree/guide.md#1" in search.stdout
    assert "build" not in search.stdout and "scratch" not in search.stdout


def test_indexing_a_path_that_does_not_exist_is_a_usage_error(tmp_path):
    result = taskscheme("memory", "index", "docs", "nowhere", "--db", "m.db", cwd=tmp_path)
    assert result.returncode == 2
    assert "no such file or directory: docs, nowhere" in result.stderr
    assert not (tmp_path / "m.db").exists()


def test_a_program_cannot_change_the_store(project_store, tmp_path):
    program = tmp_path / "w.scm"
    program.write_text('(memory-lookup "x\'); DELETE FROM entries; --")\n(display "still here")')
    before = project_store.read_bytes()
    result = taskscheme("run", str(program), "--memory", str(project_store), cwd=tmp_path)
    assert result.returncode == 0 and result.stdout == "still here"
    assert project_store.read_bytes() == before
