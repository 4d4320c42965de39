"""Ranking parameters, in one place so the evaluation harness can measure each lever.

Values are chosen to make sense for any Italian outlet; they are not learned on a test set.
"""

from __future__ import annotations

from dataclasses import dataclass

from whoosh import query as wq
from whoosh import scoring
from whoosh.searching import Searcher


@dataclass(frozen=True)
class RankingParams:
    title_boost: float = 2.0  # a word in the headline counts this much more than in the body
    lead_boost: float = 1.0  # first paragraph (extra weight on top of its body occurrence)
    k1: float = 1.2
    b: float = 0.75
    rerank_depth: int = 200  # candidates re-ordered by how many query words they contain
    coordination: bool = True  # all-words matches before partial ones
    proximity_boost: float = 0.0  # bonus for consecutive query words found as a phrase


DEFAULT = RankingParams()


def word_query(stem: str, params: RankingParams = DEFAULT) -> wq.Query:
    """One stemmed query word, searched in title, lead and body with their weights."""
    return wq.Or(
        [
            wq.Term("title", stem, boost=params.title_boost),
            wq.Term("lead", stem, boost=params.lead_boost),
            wq.Term("body", stem),
        ]
    )


def matched_clauses(searcher, clauses: list[wq.Query], docnums: list[int]) -> dict[int, int]:
    """How many of the query's clauses each candidate document matches."""
    counts = dict.fromkeys(docnums, 0)
    ordered = sorted(docnums)
    for clause in clauses:
        matcher = clause.matcher(searcher)
        for doc in ordered:
            if not matcher.is_active():
                break
            if matcher.id() < doc:
                matcher.skip_to(doc)
                if not matcher.is_active():
                    break
            if matcher.id() == doc:
                counts[doc] += 1
    return counts


def rerank(
    searcher,
    clauses: list[wq.Query],
    ranked: list[tuple[int, float]],
    params: RankingParams = DEFAULT,
) -> list[tuple[int, float]]:
    """Re-order BM25F candidates ``(docnum, score)``: documents with more query words first."""
    if not params.coordination or len(clauses) < 2:
        return ranked
    matched = matched_clauses(searcher, clauses, [d for d, _ in ranked])
    return sorted(ranked, key=lambda pair: (-matched[pair[0]], -pair[1]))


def ranked_searcher(base: Searcher, params: RankingParams = DEFAULT) -> Searcher:
    """A searcher over ``base``'s reader that scores with BM25F and ``params``' K1 and B."""
    return Searcher(
        base.reader(), weighting=scoring.BM25F(B=params.b, K1=params.k1), closereader=False
    )
