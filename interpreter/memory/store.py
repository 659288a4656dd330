"""The long-term memory store: one SQLite database with an FTS5 index.

Each entry is a chunk of a document or one procedure of a Scheme file, searched by
BM25 with the title weighted above the text and porter stemming, so "indexing" finds
"indexed". A `MemoryStore` opens the database read-only by default (SQLite's own
`mode=ro` plus `PRAGMA query_only`), so nothing that holds one can change it; only the
indexer (memory/indexer.py) opens it for writing.

User query text never reaches FTS5 as syntax: each word is quoted, so `AND`, `NEAR`,
`*`, `"` or `(` in a query are searched as words. A caller that wants FTS5's query
language asks for it (`raw=True`). A query finds the entries with every one of its
words if there are enough of them, else those with any of its words.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from interpreter.errors import MemoryReadOnlyError, MemoryStoreError, SchemeError
from interpreter.memory.constants import KINDS

# `PRAGMA application_id`: marks a database as a taskscheme memory store ("TSMm").
APPLICATION_ID = 0x54534D6D
# `PRAGMA user_version`: the layout below; a store of another version must be re-indexed.
SCHEMA_VERSION = 1
# BM25 column weights: a word in an entry's title counts this many times one in its text.
TITLE_WEIGHT = 4.0
SNIPPET_MARK = ("**", "**")
SNIPPET_WORDS = 16
# SQLite's own files beside a database: write-ahead log, shared memory, rollback journal.
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")

SCHEMA = f"""
CREATE TABLE documents (
    path TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    hash TEXT NOT NULL,
    size INTEGER NOT NULL,
    metadata TEXT NOT NULL,
    indexed_at TEXT NOT NULL
);
CREATE TABLE entries (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    line INTEGER NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    metadata TEXT NOT NULL
);
CREATE INDEX entries_by_path ON entries(path);
CREATE VIRTUAL TABLE entries_fts USING fts5(
    title, text, content='entries', content_rowid='rowid', tokenize='porter unicode61'
);
CREATE TRIGGER entries_indexed AFTER INSERT ON entries BEGIN
    INSERT INTO entries_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
CREATE TRIGGER entries_dropped AFTER DELETE ON entries BEGIN
    INSERT INTO entries_fts(entries_fts, rowid, title, text)
    VALUES ('delete', old.rowid, old.title, old.text);
END;
PRAGMA application_id = {APPLICATION_ID};
PRAGMA user_version = {SCHEMA_VERSION};
"""

# Words too common to rank by: left out of a query of several words (as long as one is left).
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
    ]
)
_WORD = re.compile(r"\w")
# A metadata key a `where` filter may name: it becomes a JSON path.
_METADATA_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass(frozen=True, slots=True)
class MemoryRecord:
    """One entry of the store: a chunk of a document, or a procedure. `score` (higher is
    better) and `snippet` (the matched words marked **so**) come with search results."""

    id: str
    kind: str
    path: str
    line: int
    title: str
    text: str
    metadata: Mapping[str, Any] = field(default_factory=dict)
    score: float | None = None
    snippet: str | None = None


@dataclass(frozen=True, slots=True)
class MemoryStats:
    """What a store holds."""

    path: str
    documents: int
    entries: dict[str, int]
    bytes: int
    last_indexed: str | None

    def lines(self) -> list[str]:
        counts = ", ".join(f"{count} {kind}s" for kind, count in self.entries.items())
        return [
            f"store: {self.path} ({self.bytes:,} bytes)",
            f"files: {self.documents}",
            f"entries: {counts or 'none'}",
            f"last indexed: {self.last_indexed or 'never'}",
        ]


def match_expressions(query: str) -> list[str]:
    """`query` as FTS5 expressions that search each of its words as a word, to try in
    turn: every word, then any word (BM25 ranks entries with more and rarer ones
    first); none if it has no word at all."""
    words = [word for word in query.split() if _WORD.search(word)]
    ranked = [word for word in words if word.lower().strip(".,;:!?'\"()") not in STOPWORDS]
    quoted = ['"' + word.replace('"', '""') + '"' for word in ranked or words]
    if len(quoted) < 2:
        return quoted
    return [" ".join(quoted), " OR ".join(quoted)]


class MemoryStore:
    """A memory database, opened read-only unless `writable` (which only the indexer
    asks for). Safe to share between threads: one connection, used under a lock.

    >>> store = MemoryStore("memory.db")          # doctest: +SKIP
    >>> store.search("refund policy", limit=3)   # doctest: +SKIP
    """

    def __init__(self, path: str | Path, *, writable: bool = False) -> None:
        self.path = str(path)
        self.writable = writable
        self._lock = threading.Lock()
        self._db = _connect(Path(path), writable)
        try:
            self._check_schema()
            if writable:
                self._check_integrity()
        except BaseException:
            self._db.close()
            raise

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> MemoryStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def search(
        self,
        query: str,
        limit: int = 10,
        kind: str | None = None,
        where: Mapping[str, Any] | None = None,
        *,
        raw: bool = False,
        snippets: bool = True,
    ) -> list[MemoryRecord]:
        """The entries that best match `query`, best first: at most `limit`, only of
        `kind` ("document" or "procedure") if given, only those whose metadata has each
        key of `where` with that value. `raw`: `query` is FTS5 query syntax.
        `snippets=False` leaves `snippet` None, saving finding the best entries' matched
        words again (a model reading whole entries has no use for them)."""
        problem = metadata_filter(where or {})
        if problem is not None:
            raise SchemeError(f"cannot filter memory by metadata: {problem}")
        if kind is not None and kind not in KINDS:
            raise SchemeError(f"a memory entry's kind is document or procedure, not {kind}")
        rows: list[tuple] = []
        expression = ""
        try:
            # Entries with every word of the query, if there are `limit` of them:
            # ranking all the entries with any word costs the most when many match,
            # and those with every word are then almost always the best.
            for expression in [query] if raw else match_expressions(query):
                rows = self._best(expression, limit, kind, where) if limit > 0 else []
                if len(rows) >= limit:
                    break
            found = self._snippets(expression, [row[0] for row in rows]) if snippets else {}
        except sqlite3.OperationalError as error:
            if raw:  # the query's own syntax: FTS5 reads nothing else
                raise SchemeError(f"not a valid FTS5 query: {query} ({error})") from None
            raise self._failure(error) from None
        return [_record(row[1:8], score=row[8], snippet=found.get(row[0])) for row in rows]

    def _best(
        self, expression: str, limit: int, kind: str | None, where: Mapping[str, Any] | None
    ) -> list[tuple]:
        """(rowid, the entry's columns, score) of the best `limit` matches of
        `expression`, best first."""
        # The best matches are found from the index alone (joined with the entries only
        # to filter), and only those are read whole and given snippets: sorting carries
        # every match's columns, so reading the text or making the snippet of all of
        # them would cost the most.
        sql = [
            "SELECT e.rowid, e.id, e.kind, e.path, e.line, e.title, e.text, e.metadata,",
            " -top.score FROM (SELECT entries_fts.rowid AS entry,",
            f" bm25(entries_fts, {TITLE_WEIGHT}, 1.0) AS score FROM entries_fts",
            " JOIN entries f ON f.rowid = entries_fts.rowid" if kind or where else "",
            " WHERE entries_fts MATCH ?",
        ]
        params: list[Any] = [expression]
        if kind is not None:
            sql.append(" AND f.kind = ?")
            params.append(kind)
        for key, value in (where or {}).items():
            sql.append(" AND json_extract(f.metadata, ?) = ?")
            params += [f'$."{key}"', value]
        sql.append(" ORDER BY score LIMIT ?) top JOIN entries e ON e.rowid = top.entry")
        sql.append(" ORDER BY top.score")
        params.append(limit)
        return self._rows("".join(sql), params, query_errors=True)

    def _snippets(self, expression: str, entries: list[int]) -> dict[int, str]:
        """The snippet of each of `entries` (rowids) for the match `expression`."""
        if not entries:
            return {}
        marks = ", ".join("?" * len(entries))
        sql = (
            "SELECT rowid, snippet(entries_fts, 1, ?, ?, '…', ?) FROM entries_fts"
            f" WHERE entries_fts MATCH ? AND rowid IN ({marks})"
        )
        params = [*SNIPPET_MARK, SNIPPET_WORDS, expression, *entries]
        return dict(self._rows(sql, params, query_errors=True))

    def get(self, entry_id: str) -> MemoryRecord | None:
        """The entry with id `entry_id`, or None."""
        rows = self._rows(
            "SELECT id, kind, path, line, title, text, metadata FROM entries WHERE id = ?",
            [entry_id],
        )
        return _record(rows[0]) if rows else None

    def stats(self) -> MemoryStats:
        documents, last = self._rows("SELECT count(*), max(indexed_at) FROM documents")[0]
        counts = dict(self._rows("SELECT kind, count(*) FROM entries GROUP BY kind ORDER BY kind"))
        size = Path(self.path).stat().st_size
        return MemoryStats(self.path, documents, counts, size, last)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Run one SQL statement and return its rows: for reports a search cannot give.
        On a read-only store only a read is allowed: anything else (a write, ATTACH,
        VACUUM INTO, a pragma that sets something) is refused (`_reads_only`)."""
        return self._rows(sql, params)

    def _rows(
        self, sql: str, params: Sequence[Any] = (), *, query_errors: bool = False
    ) -> list[tuple]:
        """The rows of one statement. A write on a read-only store is MemoryReadOnlyError;
        any other failure a MemoryStoreError naming the file, but with `query_errors`
        an error in the statement is left to the caller (a search says the query is
        wrong)."""
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as error:
                if not self.writable and _refused(error):
                    raise MemoryReadOnlyError(
                        f"long-term memory is read-only while programs run: {self.path} "
                        "cannot be changed (taskscheme memory index writes it)",
                        self.path,
                    ) from None
                if query_errors and isinstance(error, sqlite3.OperationalError):
                    raise
                raise self._failure(error) from None

    def _failure(self, error: sqlite3.Error) -> MemoryStoreError:
        return MemoryStoreError(f"memory store {self.path}: {error}", self.path)

    def _check_integrity(self) -> None:
        """Refuse to index into a store whose pages are damaged (SQLite's quick_check),
        naming it: writing into one would report success and lose entries."""
        try:
            problems = [row[0] for row in self._db.execute("PRAGMA quick_check(5)")]
        except sqlite3.DatabaseError as error:
            problems = [str(error)]
        if problems != ["ok"]:
            raise MemoryStoreError(
                f"the memory store {self.path} is corrupt ({'; '.join(problems)}): "
                "delete it and index again",
                self.path,
            )

    def _check_schema(self) -> None:
        """Refuse a file that is not a memory store of this version, naming it."""
        try:
            application = self._db.execute("PRAGMA application_id").fetchone()[0]
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            tables = self._db.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]
        except sqlite3.DatabaseError as error:
            raise MemoryStoreError(
                f"{self.path} is not a memory store: {error}", self.path
            ) from None
        if self.writable and tables == 0 and application == 0:
            self._db.executescript(SCHEMA)
            return
        if application != APPLICATION_ID:
            raise MemoryStoreError(
                f"{self.path} is an SQLite database but not a taskscheme memory store "
                "(make one with: taskscheme memory index PATH... --db FILE)",
                self.path,
            )
        if version != SCHEMA_VERSION:
            raise MemoryStoreError(
                f"{self.path} is a memory store of schema version {version}; this taskscheme "
                f"reads version {SCHEMA_VERSION}: index again into a new file",
                self.path,
            )


def side_files(db: str | os.PathLike) -> list[Path]:
    """The files SQLite keeps beside the database `db`: named after the file a symlink
    `db` leads to, as SQLite names them, and after `db` itself (a build of SQLite that
    does not follow links)."""
    names = dict.fromkeys((Path(os.path.abspath(db)), Path(os.path.realpath(db))))
    return [name.with_name(name.name + suffix) for name in names for suffix in SIDE_SUFFIXES]


def _connect(path: Path, writable: bool) -> sqlite3.Connection:
    """A connection to `path`: read-only (which needs the file to exist) unless `writable`."""
    if not writable:
        problem = _unreadable(path)
        if problem is not None:
            raise MemoryStoreError(f"cannot open the memory store {path}: {problem}", str(path))
    mode = "rwc" if writable else "ro"
    uri = f"file:{quote(str(path.resolve()))}?mode={mode}"
    try:
        db = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
        if not writable:
            db.execute("PRAGMA query_only = 1")
            db.set_authorizer(_reads_only)
    except sqlite3.Error as error:
        raise MemoryStoreError(f"cannot open the memory store {path}: {error}", str(path)) from None
    return db


# What a read-only store's connection may do, asked by SQLite of every statement as it is
# prepared (the statements FTS5 makes for a search included): read tables, select, call
# functions, recurse in a WITH, and read (never set) these pragmas. Anything else (writes,
# CREATE, DROP, ATTACH, DETACH, VACUUM, transactions) is refused before it runs. One
# exception: connecting the FTS5 table prepares an UPDATE of sqlite_master's columns,
# which SQLite itself never lets a statement run (the schema is not writable, and the
# connection is query_only).
_READS = frozenset(
    [sqlite3.SQLITE_READ, sqlite3.SQLITE_SELECT, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE]
)
# Pragmas that read what their argument names (a table, an index, how many problems).
_QUERY_PRAGMAS = frozenset(
    [
        "table_info",
        "table_xinfo",
        "table_list",
        "index_list",
        "index_info",
        "index_xinfo",
        "foreign_key_list",
        "quick_check",
        "integrity_check",
    ]
)
# Pragmas that read a setting when given no value (and would set it, given one).
_SETTING_PRAGMAS = frozenset(
    [
        "application_id",
        "user_version",
        "schema_version",
        "data_version",
        "page_count",
        "page_size",
        "freelist_count",
        "encoding",
        "compile_options",
        "query_only",
    ]
)


def _reads_only(action: int, arg1: str | None, arg2: str | None, *_: object) -> int:
    """The authorizer of a read-only store: SQLITE_OK for a read, SQLITE_DENY otherwise."""
    if action in _READS or (action == sqlite3.SQLITE_UPDATE and arg1 == "sqlite_master"):
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and arg1 is not None:
        pragma = arg1.lower()
        if pragma in _QUERY_PRAGMAS or (pragma in _SETTING_PRAGMAS and arg2 is None):
            return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def _refused(error: sqlite3.DatabaseError) -> bool:
    """Whether `error` is a change refused on a read-only store (by the authorizer, or by
    SQLite's own read-only mode)."""
    text = str(error)
    return any(
        refusal in text
        for refusal in (
            "not authorized",
            "authorization denied",
            "may not be modified",
            "readonly",
            "read-only",
        )
    )


def _unreadable(path: Path) -> str | None:
    """Why `path` cannot be opened for reading, or None."""
    if not path.exists():
        return "no such file"
    if not path.is_file():
        return "not a regular file"
    if not os.access(path, os.R_OK):
        return "permission denied"
    return None


def _record(row: Sequence[Any], **found: Any) -> MemoryRecord:
    entry_id, kind, path, line, title, text, metadata = row
    return MemoryRecord(entry_id, kind, path, line, title, text, json.loads(metadata), **found)


def metadata_filter(where: Mapping[str, Any]) -> str | None:
    """Why `where` cannot filter metadata, or None: keys are names, values JSON atoms."""
    for key, value in where.items():
        if not _METADATA_KEY.match(key):
            return f"the key {key} is not a name (letters, digits, _ and -)"
        if not isinstance(value, str | int | float | bool):
            return f"the value of {key} must be a string, number or boolean"
    return None
