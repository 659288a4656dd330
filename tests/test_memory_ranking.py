"""Ranking quality on the fixed corpus of tests/memory_corpus: MRR and recall@5 must stay
above their thresholds (benchmarks/bench_memory.py prints the figures)."""

from __future__ import annotations

from memory_corpus.ranking import QUERIES, build, evaluate

MIN_MRR = 0.85
MIN_RECALL_AT_5 = 0.9


def test_the_corpus_has_enough_queries():
    assert len(QUERIES) >= 15


def test_ranking_stays_above_its_thresholds(tmp_path):
    with build(tmp_path / "corpus.db") as store:
        ranking = evaluate(store)
    report = ranking.line() + "\n" + "\n".join(ranking.misses)
    assert ranking.mrr >= MIN_MRR, report
    assert ranking.recall_at_5 >= MIN_RECALL_AT_5, report
