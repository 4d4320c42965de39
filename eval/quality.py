"""Quality checks beyond ranking: near-duplicate grouping, related articles, "did you mean".

Inputs: the Rassegna index built by the harness, the same-event pairs file
(``{id1, id2, …}`` per line: two articles about the same event) and the queries.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from whoosh import classify

from eval.data import Query, keyword_form
from eval.report import table
from search.analysis import fold_accents
from search.articles import Article
from search.duplicates import (
    SHINGLE_WORDS,
    THRESHOLD,
    group_near_duplicates,
    signature,
    similarity,
)
from search.searcher import RELATED_TERMS, related_articles, search
from search.store import IndexHandle

SEED = 20240216
_WORD = re.compile(r"\w+", re.UNICODE)


def read_pairs(path: Path) -> list[tuple[str, str]]:
    with open(path, encoding="utf-8") as lines:
        return [(r["id1"], r["id2"]) for r in map(json.loads, lines) if r]


def shingle_jaccard(a: str, b: str, n: int = SHINGLE_WORDS) -> float:
    """The exact Jaccard similarity of two texts' word n-gram sets (what MinHash estimates)."""

    def grams(text: str) -> set[tuple[str, ...]]:
        words = _WORD.findall(text.lower())
        return {tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1))}

    x, y = grams(a), grams(b)
    return len(x & y) / len(x | y) if x | y else 0.0


# --------------------------------------------------------------------------- near-duplicates

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def duplicate_pairs(
    signatures: Sequence[tuple[int, ...]], threshold: float
) -> list[tuple[int, int]]:
    """Every pair the grouping puts together when all articles are candidates at once."""
    leaders = group_near_duplicates(signatures, threshold)
    return [(leader, i) for i, leader in enumerate(leaders) if leader != i]


def duplicates_section(
    articles: list[Article], pairs: list[tuple[str, str]], log: Callable[[str], None]
) -> tuple[str, list[tuple[str, str, float, float]]]:
    by_id = {a.id: a for a in articles}
    pairs = [(a, b) for a, b in pairs if a in by_id and b in by_id]
    sigs = {a.id: signature(a.body) for a in articles}
    rows = []
    true_j = [shingle_jaccard(by_id[a].body, by_id[b].body) for a, b in pairs]
    est_j = [similarity(sigs[a], sigs[b]) for a, b in pairs]
    grouped = [group_near_duplicates([sigs[a], sigs[b]])[1] == 0 for a, b in pairs]
    for t in THRESHOLDS:
        near = [j >= t for j in true_j]
        rows.append(
            [
                f"{t:.1f}",
                f"{sum(near) / len(pairs):.1%}",
                f"{sum(e >= t for e in est_j) / len(pairs):.1%}",
            ]
        )
    near_default = [j >= THRESHOLD for j in true_j]
    found = sum(g and n for g, n in zip(grouped, near_default, strict=True))
    recall = found / max(1, sum(near_default))
    precision_vs_truth = found / max(1, sum(grouped))
    # Pairs grouped over the whole corpus (all articles as candidates of one query).
    ids = [a.id for a in articles]
    all_pairs = duplicate_pairs([sigs[i] for i in ids], THRESHOLD)
    corpus_grouped = [(ids[x], ids[y]) for x, y in all_pairs]
    event = {frozenset(p) for p in pairs}
    in_event = sum(frozenset(p) in event for p in corpus_grouped)
    sample = random.Random(SEED).sample(corpus_grouped, min(20, len(corpus_grouped)))
    checks = [
        (a, b, similarity(sigs[a], sigs[b]), shingle_jaccard(by_id[a].body, by_id[b].body))
        for a, b in sample
    ]
    log(f"duplicates: {len(corpus_grouped)} grouped pairs in the corpus, recall {recall:.3f}")
    out = [
        "## Near-duplicate grouping (search/duplicates.py)",
        "",
        f"MinHash over {SHINGLE_WORDS}-word shingles of the body, threshold {THRESHOLD} "
        "(estimated Jaccard). Same-event pairs: "
        f"{len(pairs)}. `text near-duplicates`: exact shingle Jaccard at or above the threshold; "
        "`MinHash ≥ t`: the estimate at or above it.",
        "",
        table(
            ["threshold t", "same-event pairs that are text near-duplicates", "MinHash ≥ t"], rows
        ),
        "",
        f"At the default threshold {THRESHOLD}: the grouping (LSH bands + signature check) joins "
        f"{sum(grouped)} of the {len(pairs)} same-event pairs ({sum(grouped) / len(pairs):.1%}); "
        f"recall on the pairs whose text is near-identical (exact Jaccard ≥ {THRESHOLD}): "
        f"{recall:.1%} ({found}/{sum(near_default)}); of the pairs it joins, "
        f"{precision_vs_truth:.1%} really are ≥ the threshold by exact Jaccard.",
        "",
        f"Whole corpus as one candidate list: {len(corpus_grouped)} articles join an earlier one; "
        f"{in_event} of those pairs are listed as same-event pairs.",
    ]
    return "\n".join(out), checks


# --------------------------------------------------------------------------- related articles


def related_ids(
    searcher, docnum: int, limit: int, numterms: int, model=classify.Bo1Model
) -> list[str]:
    """A variant of ``searcher._related``: more_like on the body with other settings."""
    fields = searcher.stored_fields(docnum)
    text = f"{fields.get('title') or ''}\n{fields.get('body') or ''}"
    results = searcher.more_like(
        docnum, "body", text=text, top=limit, numterms=numterms, model=model
    )
    return [hit["id"] for hit in results]


RELATED_SAMPLE = 150  # pairs (300 lookups): more_like costs ~0.2 s a lookup in Whoosh


def related_section(handle: IndexHandle, pairs: list[tuple[str, str]], log) -> str:
    if len(pairs) > RELATED_SAMPLE:
        pairs = random.Random(SEED).sample(pairs, RELATED_SAMPLE)
    directions = [(a, b) for a, b in pairs] + [(b, a) for a, b in pairs]
    rows = []
    found = sum(
        b in {ref.id for ref in related_articles(handle, a, limit=5)} for a, b in directions
    )
    rows.append(
        [f"current `_related` (Bo1, {RELATED_TERMS} terms)", f"{found / len(directions):.1%}"]
    )
    log(f"related: current {found / len(directions):.3f}")
    variants = [
        ("Bo1, 30 terms", 30, classify.Bo1Model),
        ("KL, 15 terms", 15, classify.KLModel),
    ]
    with handle.searcher() as searcher:
        for label, numterms, model in variants:
            hits = 0
            for a, b in directions:
                docnum = searcher.document_number(id=a)
                hits += b in related_ids(searcher, docnum, 5, numterms, model)
            rows.append([label, f"{hits / len(directions):.1%}"])
            log(f"related: {label} {hits / len(directions):.3f}")
    return "\n".join(
        [
            "## Related articles (more like this)",
            "",
            f"A random sample of {len(pairs)} same-event pairs (seed {SEED}), both directions "
            f"({len(directions)} lookups): is the partner among the top 5 related articles?",
            "",
            table(["method", "partner in top 5"], rows),
        ]
    )


# --------------------------------------------------------------------------- did you mean


def misspell(word: str, rng: random.Random) -> str:
    """Drop, swap (two neighbours) or double one letter of ``word``; never the first letter."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("drop", "swap", "double"))
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "swap" and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i] + word[i:]


def spelling_cases(queries: list[Query]) -> list[tuple[str, str, str, str]]:
    """``(keyword query, misspelled query, original word, misspelled word)``, deterministic."""
    rng = random.Random(SEED)
    cases = []
    for q in queries:
        keywords = keyword_form(q.text)
        long_words = [w for w in keywords.split() if len(w) >= 5 and w.isalpha()]
        if not long_words:
            continue
        word = rng.choice(long_words)
        wrong = misspell(word, rng)
        if wrong == word:
            continue
        cases.append((keywords, keywords.replace(word, wrong, 1), word, wrong))
    return cases


def _norm(text: str | None) -> str:
    return fold_accents((text or "").lower())


def spelling_section(handle: IndexHandle, queries: list[Query], log) -> str:
    cases = spelling_cases(queries)
    restored = offered = unknown = 0
    false_alarms = 0
    for keywords, wrong_query, _word, _wrong in cases:
        with handle.searcher() as searcher:
            known = searcher.reader().doc_frequency("exact", _norm(_wrong)) > 0
        unknown += not known
        got = search(
            handle, wrong_query, size=1, collapse=False, with_facets=False, with_snippets=False
        )
        if got.suggestion is not None:
            offered += 1
            restored += _norm(got.suggestion) == _norm(keywords)
    for keywords, *_ in cases:
        got = search(
            handle, keywords, size=1, collapse=False, with_facets=False, with_snippets=False
        )
        false_alarms += got.suggestion is not None
    n = len(cases)
    log(f"spelling: restored {restored}/{n}, offered {offered}, false {false_alarms}")
    rows = [
        ["misspelled keyword queries", str(n)],
        ["… whose misspelling is not an indexed word", f"{unknown} ({unknown / n:.1%})"],
        ["suggestion offered", f"{offered} ({offered / n:.1%})"],
        ["suggestion restores the query exactly", f"{restored} ({restored / n:.1%})"],
        ["… of the suggestions offered", f"{restored / max(1, offered):.1%}"],
        [
            "unmodified keyword queries given a suggestion (false)",
            f"{false_alarms} ({false_alarms / n:.1%})",
        ],
    ]
    return "\n".join(
        [
            '## "Did you mean" (search/suggest.py)',
            "",
            "Each query's keyword form with one word of 5+ letters misspelled (a letter dropped, "
            f"two swapped or one doubled, never the first; seed {SEED}); the suggestion must equal "
            "the keyword form (case and accents ignored).",
            "",
            table(["measure", "value"], rows),
        ]
    )


def run(
    directory: Path, pairs_path: Path, queries: list[Query], articles: list[Article], log
) -> str:
    handle = IndexHandle(directory)
    pairs = read_pairs(pairs_path)
    dup_text, checks = duplicates_section(articles, pairs, log)
    sample_path = directory.parent / "duplicate-sample.json"
    sample_path.write_text(json.dumps(checks, indent=1))
    log(f"duplicates: the hand-check sample is in {sample_path}")
    parts = [dup_text, related_section(handle, pairs, log), spelling_section(handle, queries, log)]
    handle.close()
    return "\n\n".join(parts) + "\n"
