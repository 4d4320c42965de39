"""Ranking metrics for known-item and graded-free relevance judgements (binary relevance)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

CUTOFF = 10


def reciprocal_rank(ranked: Sequence[str], relevant: Iterable[str], k: int = CUTOFF) -> float:
    """1/rank of the first relevant id in the top ``k``; 0 when none is there."""
    wanted = set(relevant)
    for i, doc in enumerate(ranked[:k], start=1):
        if doc in wanted:
            return 1.0 / i
    return 0.0


def success_at(ranked: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """1 when a relevant id is in the top ``k``, else 0."""
    wanted = set(relevant)
    return 1.0 if any(doc in wanted for doc in ranked[:k]) else 0.0


def ndcg_at(ranked: Sequence[str], relevant: Iterable[str], k: int = CUTOFF) -> float:
    """Binary-relevance nDCG@k: DCG of the ranking over DCG of an ideal one."""
    wanted = set(relevant)
    if not wanted:
        return 0.0
    dcg = sum(1.0 / math.log2(i + 1) for i, doc in enumerate(ranked[:k], start=1) if doc in wanted)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(wanted), k) + 1))
    return dcg / ideal


@dataclass
class Scores:
    """Mean metrics over a set of queries."""

    queries: int
    mrr: float
    success1: float
    success10: float
    ndcg: float
    failures: int = 0  # queries the system could not parse (counted as misses)

    def row(self) -> list[str]:
        return [
            f"{self.mrr:.3f}",
            f"{self.success1:.3f}",
            f"{self.success10:.3f}",
            f"{self.ndcg:.3f}",
        ]


def score_runs(runs: Sequence[tuple[Sequence[str], Sequence[str]]], failures: int = 0) -> Scores:
    """Average the metrics over ``(ranked ids, relevant ids)`` pairs, one per query."""
    n = len(runs)
    if not n:
        return Scores(0, 0.0, 0.0, 0.0, 0.0, failures)
    return Scores(
        queries=n,
        mrr=sum(reciprocal_rank(r, rel) for r, rel in runs) / n,
        success1=sum(success_at(r, rel, 1) for r, rel in runs) / n,
        success10=sum(success_at(r, rel, 10) for r, rel in runs) / n,
        ndcg=sum(ndcg_at(r, rel) for r, rel in runs) / n,
        failures=failures,
    )
