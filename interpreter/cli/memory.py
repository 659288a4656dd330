"""`taskscheme memory`: index files into a long-term memory store, and look inside one.

`index` is the only command that writes a store; `search`, `stats` and `show` open it
read-only, as programs do. The store is `--db FILE`, else the `memory_db` setting. A
store that cannot be used is a usage error (exit 2) naming the file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING

from interpreter.errors import EXIT_ERROR, EXIT_OK, MemoryStoreError, UsageError
from interpreter.limits.settings import load_settings
from interpreter.memory.constants import KINDS, MAX_FILE_BYTES

if TYPE_CHECKING:
    from interpreter.memory.store import MemoryRecord, MemoryStore

PROGRESS_WIDTH = 30


def add_memory_parser(commands: argparse._SubParsersAction) -> None:
    """The `memory` command and its subcommands."""
    memory = commands.add_parser("memory", help="index files into long-term memory; search it")
    actions = memory.add_subparsers(dest="memory_command", metavar="ACTION", required=True)
    store = argparse.ArgumentParser(add_help=False)
    store.add_argument(
        "--db", metavar="FILE", help="the memory database (default: the memory_db setting)"
    )

    index = actions.add_parser(
        "index",
        parents=[store],
        help="index files and directories (Markdown, code, text); only changed files again",
    )
    index.add_argument("paths", nargs="+", metavar="PATH")
    index.add_argument(
        "--max-file-size",
        type=int,
        default=MAX_FILE_BYTES,
        metavar="BYTES",
        help=f"skip files larger than this (default {MAX_FILE_BYTES:,})",
    )

    search = actions.add_parser("search", parents=[store], help="search the store")
    search.add_argument("query")
    search.add_argument("--kind", choices=KINDS, help="only documents or only procedures")
    search.add_argument("--limit", type=int, default=10, metavar="N", help="at most N results")
    search.add_argument(
        "--fts", action="store_true", help="the query is FTS5 syntax (AND, OR, NEAR, prefix*)"
    )

    actions.add_parser("stats", parents=[store], help="what the store holds")
    show = actions.add_parser("show", parents=[store], help="one entry, whole")
    show.add_argument("id", metavar="ID")


def run_memory(options: argparse.Namespace) -> int:
    """Run `taskscheme memory ACTION`."""
    db = options.db or load_settings().get("memory_db")
    if not db:
        raise UsageError("memory: which store? give --db FILE or set memory_db")
    # the store loads SQLite: only this command opens one (start-up)
    from interpreter.memory.store import MemoryStore

    try:
        if options.memory_command == "index":
            return _index(db, options)
        with MemoryStore(db) as store:
            if options.memory_command == "search":
                return _search(store, options)
            if options.memory_command == "stats":
                print("\n".join(store.stats().lines()))
                return EXIT_OK
            return _show(store, options.id)
    except MemoryStoreError as error:
        raise UsageError(error.message) from None


def _index(db: str, options: argparse.Namespace) -> int:
    if options.max_file_size <= 0:
        raise UsageError("memory index: --max-file-size must be greater than 0")
    missing = [path for path in options.paths if not os.path.exists(path)]
    if missing:
        raise UsageError(f"memory index: no such file or directory: {', '.join(missing)}")
    # only indexing needs the reader, for the procedures of Scheme files (start-up)
    from interpreter.memory.indexer import index_paths

    bar = _ProgressBar() if sys.stderr.isatty() else None
    report = index_paths(db, options.paths, max_file_bytes=options.max_file_size, progress=bar)
    if bar is not None:
        bar.finish()
    for path, reason in report.skipped:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    print(report.summary())
    return EXIT_OK


def _search(store: MemoryStore, options: argparse.Namespace) -> int:
    if options.limit <= 0:
        raise UsageError("memory search: --limit must be greater than 0")
    records = store.search(options.query, options.limit, options.kind, raw=options.fts)
    if records:
        print("\n".join(result_lines(records)))
    else:
        print("no matches", file=sys.stderr)
    return EXIT_OK


def result_lines(records: list[MemoryRecord]) -> list[str]:
    """Search results as `memory search` and the REPL's `,memory` show them: rank, id,
    kind and score, then the title, then the matched words."""
    lines = []
    for rank, record in enumerate(records, 1):
        lines.append(f"{rank}. {record.id}  [{record.kind}]  score {record.score:.2f}")
        lines.append(f"   {record.title}")
        lines.append(f"   {' '.join((record.snippet or '').split())}")
    return lines


def _show(store: MemoryStore, entry_id: str) -> int:
    record: MemoryRecord | None = store.get(entry_id)
    if record is None:
        print(f"taskscheme: no memory entry {entry_id} in {store.path}", file=sys.stderr)
        return EXIT_ERROR
    print(f"id: {record.id}")
    print(f"kind: {record.kind}")
    print(f"at: {record.path}:{record.line}")
    print(f"title: {record.title}")
    print(f"metadata: {json.dumps(record.metadata, ensure_ascii=False)}")
    print()
    print(record.text)
    return EXIT_OK


class _ProgressBar:
    """A one-line progress bar on standard error, redrawn after each file."""

    def __call__(self, done: int, total: int, path: str) -> None:
        filled = PROGRESS_WIDTH * done // max(total, 1)
        bar = "#" * filled + "-" * (PROGRESS_WIDTH - filled)
        line = f"[{bar}] {done}/{total} {path}"
        # shutil loads the compression modules (6 ms): only `memory index` draws a bar
        import shutil

        width = shutil.get_terminal_size().columns - 1
        sys.stderr.write("\r" + line[:width].ljust(width))
        sys.stderr.flush()

    def finish(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()
