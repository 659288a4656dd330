"""Filling a memory store: the only code that writes one.

`index_paths` walks the given files and directories, re-indexes each file whose content
hash changed, and drops the entries of files that are gone from under a directory it
walked, all in one transaction: a reader never sees a half-indexed store. Paths are
stored relative to the database's directory (absolute for files outside it), so the
same tree indexed from anywhere gives the same entries and ids (`docs/language.md#3`, `stdlib/dates.scm::parse-date`).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from interpreter.memory.chunks import (
    Entry,
    document_title,
    file_type,
    front_matter,
    procedure_entries,
    text_entries,
)
from interpreter.memory.constants import MAX_FILE_BYTES
from interpreter.memory.files import files_under, read_text
from interpreter.memory.store import MemoryStore, side_files

# (files done, files in all, the file just done) after each file.
Progress = Callable[[int, int, str], None]


@dataclass(slots=True)
class IndexReport:
    """What one indexing run did."""

    indexed: int = 0
    unchanged: int = 0
    removed: int = 0
    entries: int = 0
    bytes: int = 0
    seconds: float = 0.0
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        rate = self.bytes / 1e6 / self.seconds if self.seconds > 0 else 0.0
        return (
            f"indexed {self.indexed} file(s) ({self.entries} entries, {self.bytes:,} bytes, "
            f"{rate:.1f} MB/s), {self.unchanged} unchanged, {self.removed} removed, "
            f"{len(self.skipped)} skipped, in {self.seconds:.2f} s"
        )


def index_paths(
    db: str | Path,
    paths: Sequence[str | Path],
    *,
    max_file_bytes: int = MAX_FILE_BYTES,
    progress: Progress | None = None,
) -> IndexReport:
    """Index the files `paths` name (files, or directories walked as files_under does)
    into the store `db`, made if it does not exist. Paths are stored relative to the
    database's directory when under it, else absolute."""
    started = time.perf_counter()
    db = Path(db).resolve()
    home = db.parent
    report = IndexReport()
    targets: list[Path] = []
    walked: list[str] = []
    for given in paths:
        path = Path(given).resolve()
        if path.is_dir():
            walked.append(_stored(path, home))
            targets.extend(files_under(path))
        elif path.exists():
            targets.append(path)
        else:
            report.skipped.append((str(given), "no such file or directory"))
    own = {db, *side_files(db)}
    targets = [path for path in dict.fromkeys(targets) if path.resolve() not in own]
    with MemoryStore(db, writable=True) as store:
        store.execute("BEGIN IMMEDIATE")
        try:
            known = dict(store.execute("SELECT path, hash FROM documents"))
            seen: set[str] = set()
            for done, path in enumerate(targets, 1):
                stored = _stored(path, home)
                if _not_utf8(stored):
                    report.skipped.append((_shown(stored), "its name is not UTF-8"))
                else:
                    seen.add(stored)
                    _index_file(store, path, stored, known.get(stored), max_file_bytes, report)
                if progress is not None:
                    progress(done, len(targets), stored)
            for gone in sorted(set(known) - seen):
                if any(_is_under(gone, root) for root in walked):
                    _drop(store, gone)
                    report.removed += 1
            store.execute("COMMIT")
        except BaseException:
            store.execute("ROLLBACK")
            raise
    report.seconds = time.perf_counter() - started
    return report


def _index_file(
    store: MemoryStore,
    path: Path,
    stored: str,
    known_hash: str | None,
    max_file_bytes: int,
    report: IndexReport,
) -> None:
    """Index one file if it is text and its content changed; record a skip otherwise."""
    read = read_text(path, max_file_bytes)
    if isinstance(read, str):
        report.skipped.append((stored, read))
        if known_hash is not None:
            _drop(store, stored)
        return
    data, text = read
    digest = hashlib.sha256(data).hexdigest()
    if digest == known_hash:
        report.unchanged += 1
        return
    if known_hash is not None:
        _drop(store, stored)
    kind = file_type(path.suffix)
    metadata: dict[str, object] = {"type": kind, "ext": path.suffix.lstrip(".").lower()}
    metadata["dir"] = Path(stored).parent.as_posix()
    if kind == "markdown":
        found, text = front_matter(text)
        metadata.update(found)
    title = document_title(text, kind, path.name)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    store.execute(
        "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?)",
        [stored, title, digest, len(data), json.dumps(metadata), now],
    )
    entries = text_entries(text, title, kind)
    if kind == "scheme":
        entries += procedure_entries(text, stored)
    _insert(store, stored, metadata, entries)
    report.indexed += 1
    report.entries += len(entries)
    report.bytes += len(data)


def _insert(store: MemoryStore, stored: str, metadata: dict, entries: list[Entry]) -> None:
    ids: set[str] = set()
    for entry in entries:
        separator = "#" if entry.kind == "document" else "::"
        entry_id = f"{stored}{separator}{entry.key}"
        if entry_id in ids:  # a name defined twice in one file
            entry_id = f"{entry_id}@{entry.line}"
        ids.add(entry_id)
        store.execute(
            "INSERT INTO entries (id, kind, path, line, title, text, metadata)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                entry_id,
                entry.kind,
                stored,
                entry.line,
                entry.title,
                entry.text,
                json.dumps({**metadata, **entry.metadata}),
            ],
        )


def _drop(store: MemoryStore, stored: str) -> None:
    store.execute("DELETE FROM entries WHERE path = ?", [stored])
    store.execute("DELETE FROM documents WHERE path = ?", [stored])


def _stored(path: Path, home: Path) -> str:
    """`path` as the store names it: relative to the database's directory if it is
    under it, else absolute."""
    return path.relative_to(home).as_posix() if path.is_relative_to(home) else path.as_posix()


def _not_utf8(name: str) -> bool:
    """Does `name` hold bytes the file system gave that are not UTF-8 (which a store,
    being text, cannot name)?"""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _shown(name: str) -> str:
    """`name` with its non-UTF-8 bytes shown as the replacement character."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _is_under(stored: str, root: str) -> bool:
    if root == ".":
        return not stored.startswith("/")
    return stored == root or stored.startswith(root.rstrip("/") + "/")
