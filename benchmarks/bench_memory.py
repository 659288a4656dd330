"""Long-term memory: lookup latency, indexing throughput, re-indexing one changed file,
and ranking quality on the fixed corpus of tests/memory_corpus.

    python benchmarks/bench_memory.py [--quick]

- lookup latency p50/p99 of `MemoryStore.search` (limit 10) at 10k and 100k chunks
  (goal: p50 <= 1 ms at 10k, <= 5 ms at 100k), with snippets (as memory-lookup) and
  without (as the memory-lookup tool). Queries are 1 to 4 words drawn from the corpus's
  own Zipf-distributed vocabulary, so some words are common and some rare.
- indexing throughput in MB/s (`taskscheme memory index` on a fresh store).
- re-index time when one file of 1,000 changes (goal: under 1 s).
- MRR and recall@5 of the ranking corpus.

--quick skips the 100k-chunk store (building it takes about a minute).
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from memory_corpus.ranking import build, evaluate
from table import Row

from interpreter.memory.indexer import index_paths
from interpreter.memory.store import MemoryStore, match_expressions

CHUNKS_PER_FILE = 10
PARAGRAPH_WORDS = 40  # about 320 characters: a chunk holds three and the overlap
QUERIES = 500
COMMON = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "for",
    "on",
    "with",
    "as",
    "by",
    "that",
    "this",
    "from",
    "it",
    "at",
    "be",
    "are",
    "was",
    "or",
    "an",
    "order",
    "customer",
    "payment",
    "refund",
    "service",
    "data",
    "user",
    "account",
    "request",
    "error",
    "time",
]


def vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    syllables = ["ka", "lo", "mi", "ren", "tas", "vo", "qui", "ber", "sun", "dal", "op", "ix"]
    words = {"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(size * 2)}
    return COMMON + sorted(words)[:size]


def zipf_words(rng: random.Random, words: list[str], count: int) -> list[str]:
    weights = [1 / (rank + 1) for rank in range(len(words))]
    return rng.choices(words, weights=weights, k=count)


def make_tree(root: Path, files: int, rng: random.Random, words: list[str]) -> int:
    """`files` Markdown files of CHUNKS_PER_FILE chunks each; returns the bytes written."""
    root.mkdir(parents=True)
    total = 0
    pool = zipf_words(rng, words, 200_000)
    for number in range(files):
        paragraphs = [f"# Document {number}"]
        for _ in range(CHUNKS_PER_FILE * 3):
            start = rng.randrange(len(pool) - PARAGRAPH_WORDS)
            paragraphs.append(" ".join(pool[start : start + PARAGRAPH_WORDS]) + ".")
        text = "\n\n".join(paragraphs) + "\n"
        (root / f"doc{number:06}.md").write_text(text, encoding="utf-8")
        total += len(text.encode("utf-8"))
    return total


def latency(store: MemoryStore, queries: list[str], snippets: bool) -> str:
    """p50 and p99 of a search in milliseconds, wall-clock and CPU time of this process
    (on a shared machine the wall clock also counts time spent waiting for a core)."""
    for query in queries[:20]:
        store.search(query)  # warm the page cache
    wall, cpu = [], []
    for query in queries:
        started, started_cpu = time.perf_counter(), time.process_time()
        store.search(query, limit=10, snippets=snippets)
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return f"wall {_percentiles(wall)}, cpu {_percentiles(cpu)}"


def _percentiles(times: list[float]) -> str:
    times = sorted(times)
    return f"p50 {statistics.median(times):.2f} ms p99 {times[int(len(times) * 0.99) - 1]:.2f} ms"


def store_of(work: Path, chunks: int, rng: random.Random, words: list[str]) -> None:
    files = chunks // CHUNKS_PER_FILE
    tree = work / f"tree{chunks}"
    size = make_tree(tree, files, rng, words)
    started = time.perf_counter()
    report = index_paths(work / f"m{chunks}.db", [tree])
    seconds = time.perf_counter() - started
    with MemoryStore(work / f"m{chunks}.db") as store:
        count = sum(store.stats().entries.values())
        queries = [" ".join(zipf_words(rng, words, rng.randint(1, 4))) for _ in range(QUERIES)]
        print(f"{count:>7,} chunks: lookup {latency(store, queries, snippets=True)}")
        print(
            f"{count:>7,} chunks: lookup without snippets {latency(store, queries, snippets=False)}"
        )
    print(
        f"indexed {size / 1e6:.1f} MB in {seconds:.1f} s = {size / 1e6 / seconds:.1f} MB/s "
        f"({report.indexed} files)"
    )


def reindex_one_of(work: Path, rng: random.Random, words: list[str]) -> None:
    tree = work / "tree10000"  # 1,000 files, made by store_of(10_000)
    db = work / "m10000.db"
    changed = tree / "doc000500.md"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nOne more paragraph.\n")
    started = time.perf_counter()
    report = index_paths(db, [tree])
    seconds = time.perf_counter() - started
    print(
        f"re-index after 1 of {report.indexed + report.unchanged} files changed: "
        f"{seconds * 1000:.0f} ms (goal < 1000 ms)"
    )


def lookup_row(quick: bool) -> Row:
    """For benchmarks/run.py: the median `memory-lookup` (search with snippets, limit 10)
    against the median bare FTS5 query, ranked by bm25, for the same match expressions
    on the same database: what the store adds to SQLite's own search."""
    chunks = 1_000 if quick else 10_000
    rng = random.Random(7)
    words = vocabulary(rng)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        make_tree(work / "tree", chunks // CHUNKS_PER_FILE, rng, words)
        index_paths(work / "m.db", [work / "tree"])
        queries = [" ".join(zipf_words(rng, words, rng.randint(1, 4))) for _ in range(QUERIES)]
        with MemoryStore(work / "m.db") as store:
            ours = _median_time(lambda query: store.search(query, limit=10), queries)
        with sqlite3.connect(work / "m.db") as db:
            bare = _median_time(lambda query: _bare_fts5(db, query), queries)
    return Row(
        f"memory lookup, {chunks:,} chunks (median)", ours, "bare FTS5 bm25 query", bare, unit="us"
    )


def _bare_fts5(db: sqlite3.Connection, query: str) -> None:
    for expression in match_expressions(query):
        rows = db.execute(
            "SELECT rowid FROM entries_fts WHERE entries_fts MATCH ? ORDER BY bm25(entries_fts)"
            " LIMIT 10",
            [expression],
        ).fetchall()
        if len(rows) >= 10:
            return


def _median_time(search: Callable[[str], object], queries: list[str]) -> float:
    for query in queries[:20]:
        search(query)  # warm the page cache
    times = []
    for query in queries:
        started = time.process_time()
        search(query)
        times.append(time.process_time() - started)
    return statistics.median(times)


def main() -> None:
    quick = "--quick" in sys.argv
    rng = random.Random(7)
    words = vocabulary(rng)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        store_of(work, 10_000, rng, words)
        reindex_one_of(work, rng, words)
        if not quick:
            store_of(work, 100_000, rng, words)
        with build(work / "corpus.db") as store:
            print(f"ranking corpus: {evaluate(store).line()}")


if __name__ == "__main__":
    main()
