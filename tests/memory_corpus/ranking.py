"""Ranking quality of long-term memory on a fixed corpus with known relevant entries.

`docs/` holds short documents and a file of procedures; `queries.json` gives, for each
query, the entries a reader would want (a document by its file name, a procedure as
`FILE::NAME`). MRR is the mean of 1/rank of the first relevant entry among the top 10;
recall@5 the mean share of the relevant entries found among the top 5.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from interpreter.memory.indexer import index_paths
from interpreter.memory.store import MemoryRecord, MemoryStore

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "docs"
QUERIES = json.loads((HERE / "queries.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Ranking:
    mrr: float
    recall_at_5: float
    misses: list[str]  # queries whose first relevant entry is not first

    def line(self) -> str:
        return f"{len(QUERIES)} queries: MRR {self.mrr:.3f}, recall@5 {self.recall_at_5:.3f}"


def build(db: Path) -> MemoryStore:
    """The corpus indexed into `db`, opened read-only."""
    index_paths(db, [CORPUS])
    return MemoryStore(db)


def _key(record: MemoryRecord) -> str:
    """A result as queries.json names it: the file name, or FILE::NAME for a procedure."""
    name = record.id.rsplit("/", 1)[-1]
    return name if record.kind == "procedure" else name.split("#", 1)[0]


def evaluate(store: MemoryStore) -> Ranking:
    reciprocal, recall, misses = 0.0, 0.0, []
    for case in QUERIES:
        found = store.search(case["query"], limit=10, kind=case.get("kind"))
        keys = list(dict.fromkeys(_key(record) for record in found))
        relevant = set(case["relevant"])
        rank = next((i for i, key in enumerate(keys, 1) if key in relevant), None)
        reciprocal += 1 / rank if rank else 0.0
        recall += len(relevant & set(keys[:5])) / len(relevant)
        if rank != 1:
            misses.append(f"{case['query']!r}: first relevant at {rank}, got {keys[:3]}")
    return Ranking(reciprocal / len(QUERIES), recall / len(QUERIES), misses)
