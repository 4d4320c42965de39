"""Ranking parameters and the rerank step, in one place so the evaluation harness can measure each.

Values are chosen to make sense for any Italian outlet; they are not learned on a test set. The
measurements behind them are in eval/RESULTS.md (``python -m eval.run … --levers``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh import scoring
from whoosh.searching import Searcher

from search.accumulate import holds
from search.analysis import ITALIAN_STOP_WORDS, IndexWords

COORDINATION_MODES = ("soft", "soft-idf", "count", "idf")

# The one ranked field: title, body and byline words, stemmed, each weighted (BM25F).
TEXT_FIELD = "text"


@dataclass(frozen=True)
class FieldWeights:
    """Index-time weights of the sections of the ranked ``text`` field.

    A word's term frequency is the sum of its occurrences' weights, saturated once by BM25F (K1):
    a word found in the title and in the body is one piece of evidence, stronger than either
    alone, never two matches scored separately. A title the indexer derived from the first
    sentence is display text already in the body, so it is not indexed again.
    """

    title: float = 2.0  # a real headline's words count twice a body occurrence
    lead: float = 2.0  # the first paragraph: a news story puts its facts first
    byline: float = 0.5  # author and source names: findable, never outweighing the text


FIELD_WEIGHTS = FieldWeights()


@dataclass(frozen=True)
class RankingParams:
    k1: float = 1.2
    b: float = 0.75
    rerank_depth: int = 200  # BM25F candidates re-ordered by coordination
    coordination: bool = True  # reward documents that contain more of the query's words
    # How: "soft-idf" multiplies the score by the share of the query's idf the document holds
    # (Lucene's classic coord, weighted so that missing a rare, telling word costs more than
    # missing a common one): a long pasted headline is not ruled by the one word the article
    # lacks, and a short query still puts articles with all its words first in practice.
    # "soft" uses the plain fraction of words; "count" puts all-words matches strictly first, then
    # by number of words; "idf" sorts strictly by the idf sum of the words matched.
    coordination_mode: str = "soft-idf"
    coordination_power: float = 1.0  # "soft": score x (matched fraction) ** power
    # Bonus for a query word found in its exact (unstemmed, accent-folded) form: "comunali" over
    # "comune"/"comunicazione" which share a Snowball stem. Score only; never required.
    exact_boost: float = 1.0
    # Bonus for consecutive query words found near each other, in order, in the body (0 = off:
    # measured no better than noise on pasted headlines and keywords, and it costs latency).
    proximity_boost: float = 0.0
    proximity_slop: int = 3  # "near": at most this many positions apart
    # The story step: the candidates below the best hit that share its most telling words (its
    # ``story_terms`` words of highest tf x idf, the query's own words aside) move up, score x
    # (1 + story_weight x the share of those words' weight they hold). Another outlet's article
    # on the same event shares names and places the query may not hold; the best hit holds all
    # its words, so it stays first. 0 = off.
    story_weight: float = 2.0
    story_terms: int = 20
    # The feedback step (pseudo-relevance feedback, for long queries only): the most telling
    # words of the ``feedback_docs`` best hits (after coordination; the query's own words
    # aside), ``feedback_terms`` of them, are scored like query words at ``feedback_weight``
    # (the best of them; the others in proportion) for the candidates already found. A pasted
    # headline's best hits are usually its story, told in words the headline does not use; a
    # query of fewer than ``feedback_min_words`` words is too thin to trust its best hits.
    # 0 = off.
    feedback_weight: float = 0.3
    feedback_docs: int = 3
    feedback_terms: int = 10
    feedback_min_words: int = 5


DEFAULT = RankingParams()


def word_query(stem: str, params: RankingParams = DEFAULT, boost: float = 1.0) -> wq.Query:
    """The query for one stemmed word: the single place that builds it (expansions use it too).

    One term of the weighted ``text`` field: title, body and byline occurrences already count
    together in its frequency (see FieldWeights).
    """
    return wq.Term(TEXT_FIELD, stem, boost=boost)


def exact_queries(words: list[str], params: RankingParams = DEFAULT) -> list[wq.Query]:
    """Score-only boosts for a query word's exact forms (``exact`` field), stop words skipped."""
    if params.exact_boost <= 0:
        return []
    return [
        wq.Term("exact", w, boost=params.exact_boost) for w in words if w not in ITALIAN_STOP_WORDS
    ]


def proximity_queries(words: list[str], params: RankingParams = DEFAULT) -> list[wq.Query]:
    """Score-only boosts for consecutive query words (exact forms) found near each other."""
    words = [w for w in words if w not in ITALIAN_STOP_WORDS]
    if params.proximity_boost <= 0 or len(words) < 2:
        return []
    pairs = list(dict.fromkeys((a, b) for a, b in zip(words, words[1:], strict=False) if a != b))
    return [
        wq.Phrase("exact", [a, b], slop=params.proximity_slop, boost=params.proximity_boost)
        for a, b in pairs
    ]


def _clause_hits(searcher, clauses: list[wq.Query], docnums: list[int]) -> list[set[int]]:
    """For each clause, which of ``docnums`` it matches (one skip-list walk per clause)."""
    ordered = sorted(docnums)
    return [{doc for _, doc, _ in _walk(clause.matcher(searcher), ordered)} for clause in clauses]


def _walk(matcher, ordered):
    """``(i, doc, matcher)`` for each of the ascending docnums ``ordered`` the matcher holds
    (the matcher on it), by one skip-list walk."""
    for i, doc in enumerate(ordered):
        if not matcher.is_active():
            return
        if matcher.id() < doc:
            matcher.skip_to(doc)
            if not matcher.is_active():
                return
        if matcher.id() == doc:
            yield i, doc, matcher


def clause_idf(searcher, clause: wq.Query) -> float:
    """The BM25 idf of a clause's rarest ranked term (0 when it has none)."""
    n = searcher.doc_count_all()
    terms = [t for t in clause.iter_all_terms() if t[0] == TEXT_FIELD] or list(
        clause.iter_all_terms()
    )
    best = 0.0
    for fieldname, text in terms:
        best = max(best, bm25_idf(n, searcher.doc_frequency(fieldname, text)))
    return best


def bm25_idf(n: int, df: int) -> float:
    """BM25's idf of a word in ``df`` of ``n`` documents: ``log(1 + (n - df + 0.5) / (df + 0.5))``
    (the coordination weights and the story step use it; Whoosh's own scoring has its own)."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def rerank(
    searcher,
    clauses: list[wq.Query],
    ranked: list[tuple[int, float]],
    params: RankingParams = DEFAULT,
    clause_docs: list[set[int]] | None = None,
    lengths=None,
) -> list[tuple[int, float]]:
    """Re-order BM25F candidates ``(docnum, score)`` by how many of the query's words they hold.

    ``clause_docs``: the documents each clause matches, when the caller already knows them;
    ``lengths``: the build's posting cache (:class:`search.accumulate.Lengths`), which makes the
    story step cheap. Then the feedback step (``RankingParams.feedback_weight``) and the story
    step (``RankingParams.story_weight``), neither after a strict coordination mode.
    """
    if len(clauses) < 2 or not ranked:
        return ranked
    memo: dict[int, list[tuple[float, str]]] = {}  # a hit's telling words, read once
    shares = None
    if params.coordination:
        ranked, shares = _coordinated(searcher, clauses, ranked, params, clause_docs)
    strict = params.coordination and params.coordination_mode in ("count", "idf")
    if params.feedback_weight > 0 and len(ranked) > 1 and not strict:
        ranked = _feedback(searcher, clauses, ranked, params, shares, lengths, memo)
    if params.story_weight > 0 and len(ranked) > 2 and not strict:
        # (A strict mode orders by words held first: a score factor would undo that order.)
        ranked = _story(searcher, clauses, ranked, params, lengths, memo)
    return ranked


def _coordinated(searcher, clauses, ranked, params, clause_docs):
    """The candidates re-scored by the share of the query they hold (``coordination_mode``)."""
    mode = params.coordination_mode
    if mode not in COORDINATION_MODES:
        raise ValueError(f"coordination_mode must be one of {COORDINATION_MODES}; got {mode!r}")
    docnums = [d for d, _ in ranked]
    hits = clause_docs if clause_docs is not None else _clause_hits(searcher, clauses, docnums)
    # Each clause weighs its idf ("idf", "soft-idf") or 1 ("count", "soft").
    if mode in ("idf", "soft-idf"):
        weights = [clause_idf(searcher, c) for c in clauses]
    else:
        weights = [1.0] * len(clauses)
    have = {d: sum(w for w, h in zip(weights, hits, strict=True) if d in h) for d in docnums}
    if mode in ("count", "idf"):  # strict: more of the query first, then the BM25F score
        return sorted(ranked, key=lambda pair: (-round(have[pair[0]], 6), -pair[1])), None
    total = sum(weights) or 1.0
    power = params.coordination_power
    shares = {d: (have[d] / total) ** power for d in docnums}
    rescored = [(d, s * shares[d]) for d, s in ranked]
    return sorted(rescored, key=lambda pair: -pair[1]), shares


# A word of the best hit that no other document holds cannot move anything: not a story word.
STORY_MIN_DF = 2
# Nor does a word found in more than this share of the documents (1 in 20) tell one story from
# another (and in an index of fewer than 40 documents no word is a story word).
STORY_MAX_SHARE = 0.05
# The story words may be chosen in the best hit's opening only, up to this many characters of its
# body (None: all of it, the default). 800 saved 2-4 ms a keyword query at 20k articles, but with
# the feedback step (which chooses its words the same way) it cost DICE headlines 0.598 -> 0.592
# MRR@10 and story coverage 0.225 -> 0.221 (eval/RESULTS.md, fifth session): not shipped.
STORY_TEXT_CHARS: int | None = None


def story_terms(
    searcher, docnum: int, exclude: set[str], count: int, lengths=None
) -> list[tuple[float, str]]:
    """The ``count`` most telling stemmed words of one document, ``(weight, stem)`` best first:
    weight ``tf / (tf + 1.2) x idf`` over its title (a real one) and body, the words of
    ``exclude`` and those no other document holds left out."""
    fields = searcher.stored_fields(docnum)
    text = fields.get("body") or ""
    if STORY_TEXT_CHARS is not None and len(text) > STORY_TEXT_CHARS:
        text = text[: text.rfind(" ", 0, STORY_TEXT_CHARS) + 1 or STORY_TEXT_CHARS]
    if fields.get("title") and not fields.get("title_derived"):
        text = f"{fields['title']}\n{text}"
    words = lengths.words() if lengths is not None else IndexWords()
    counts, _ = words.frequencies(text, True)
    n = searcher.doc_count_all()
    reader = searcher.reader()
    scored = []
    for stem, tf in counts.items():
        if stem in exclude:
            continue
        if lengths is not None:
            df = lengths.doc_frequency(reader, TEXT_FIELD, stem)
        else:
            df = reader.doc_frequency(TEXT_FIELD, stem)
        if df < STORY_MIN_DF or df > STORY_MAX_SHARE * n:
            continue
        scored.append((tf / (tf + 1.2) * bm25_idf(n, df), stem))
    scored.sort(reverse=True)
    return scored[:count]


def _story(searcher, clauses, ranked, params, lengths=None, memo=None):
    """Re-score the candidates by the share of the best hit's story words they hold."""
    best = max(ranked, key=lambda pair: pair[1])[0]
    if memo and best in memo and params.story_terms <= FEEDBACK_PER_DOC:
        # The feedback step read this hit's words already (best first: the same top words).
        terms = memo[best][: params.story_terms]
    else:
        query = {t for c in clauses for field, t in c.iter_all_terms() if field == TEXT_FIELD}
        terms = story_terms(searcher, best, query, params.story_terms, lengths)
    total = sum(weight for weight, _ in terms)
    if not total:
        return ranked
    docnums = [d for d, _ in ranked]
    hits = None
    if lengths is not None:
        hits = lengths.holding(searcher, TEXT_FIELD, [stem for _, stem in terms], docnums)
    if hits is None:
        hits = _clause_hits(searcher, [wq.Term(TEXT_FIELD, stem) for _, stem in terms], docnums)
    held = dict.fromkeys(docnums, 0.0)
    for (w, _), docs in zip(terms, hits, strict=True):
        for d in docs:
            held[d] += w
    factor = params.story_weight / total
    rescored = [(d, s * (1 + factor * held[d])) for d, s in ranked]
    return sorted(rescored, key=lambda pair: -pair[1])


def feedback_terms(
    searcher,
    docnums: list[tuple[int, float]],
    exclude: set[str],
    count: int,
    lengths=None,
    memo: dict | None = None,
) -> list[tuple[float, str]]:
    """The ``count`` most telling stemmed words of the best hits ``(docnum, score)``, best
    first: each hit's :func:`story_terms` weights, in proportion to its score (the best hit's
    count fully), added up. ``memo``: each hit's words are left there (for the story step)."""
    top = max((s for _, s in docnums), default=0.0)
    if top <= 0:
        return []
    summed: dict[str, float] = {}
    for docnum, score in docnums:
        share = score / top
        if share <= 0:
            continue
        words = story_terms(searcher, docnum, exclude, FEEDBACK_PER_DOC, lengths)
        if memo is not None:
            memo[docnum] = words
        for weight, stem in words:
            summed[stem] = summed.get(stem, 0.0) + share * weight
    best = sorted(((w, stem) for stem, w in summed.items()), key=lambda p: (-p[0], p[1]))
    return best[:count]


# The words of each best hit the feedback step weighs (its most telling ones).
FEEDBACK_PER_DOC = 60


def _feedback(searcher, clauses, ranked, params, shares, lengths=None, memo=None):
    """The candidates re-scored with the feedback words (see ``RankingParams.feedback_weight``):
    each adds its BM25F at its weight, times the candidate's coordination share."""
    query = {text for c in clauses for field, text in c.iter_all_terms() if field == TEXT_FIELD}
    if len(query) < params.feedback_min_words:
        return ranked
    terms = feedback_terms(
        searcher, ranked[: params.feedback_docs], query, params.feedback_terms, lengths, memo
    )
    if not terms:
        return ranked
    top = terms[0][0]
    wanted = np.array(sorted(d for d, _ in ranked), dtype=np.int64)
    added = np.zeros(len(wanted))
    for weight, stem in terms:
        added += (params.feedback_weight * weight / top) * _term_scores(
            searcher, stem, wanted, lengths
        )
    extra = dict(zip(wanted.tolist(), added.tolist(), strict=True))
    rescored = [(d, s + extra[d] * (shares[d] if shares is not None else 1.0)) for d, s in ranked]
    return sorted(rescored, key=lambda pair: -pair[1])


def _term_scores(searcher, stem: str, wanted: np.ndarray, lengths=None) -> np.ndarray:
    """One ``text`` word's BM25F (as a query word scores) at the sorted docnums ``wanted``, 0
    where it is not."""
    if lengths is not None:
        found = _cached_term_scores(searcher, stem, wanted, lengths)
        if found is not None:
            return found
    out = np.zeros(len(wanted))
    for i, _, matcher in _walk(wq.Term(TEXT_FIELD, stem).matcher(searcher), wanted.tolist()):
        out[i] = matcher.score()
    return out


def _cached_term_scores(searcher, stem, wanted, lengths) -> np.ndarray | None:
    """:func:`_term_scores` from the build's posting cache (None: not in a form read there)."""
    btext = searcher.schema[TEXT_FIELD].to_bytes(stem)
    weighting = searcher.weighting
    b = weighting._field_B.get(TEXT_FIELD, weighting.B)  # noqa: SLF001
    idf = searcher.idf(TEXT_FIELD, btext)
    avgfl = searcher.avg_field_length(TEXT_FIELD) or 1
    out = np.zeros(len(wanted))
    for segreader, offset in searcher.reader().leaf_readers():
        if lengths.info(segreader, TEXT_FIELD, btext) is None:
            continue
        found = lengths.term_scores(segreader, TEXT_FIELD, btext, idf, avgfl, b, weighting.K1)
        if found is None:
            return None
        docs = found[0].astype(np.int64) + offset
        held = holds(docs, wanted)
        out[held] = found[1][np.searchsorted(docs, wanted[held])]
    return out


def ranked_searcher(base: Searcher, params: RankingParams = DEFAULT) -> Searcher:
    """A searcher over ``base``'s reader that scores with BM25F and ``params``' K1 and B."""
    return Searcher(
        base.reader(), weighting=scoring.BM25F(B=params.b, K1=params.k1), closereader=False
    )
