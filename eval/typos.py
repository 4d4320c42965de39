"""Typo tolerance measured on misspelled real queries, and every query file run through search().

    python -m eval.typos --corpus /work/shared/corpora/dice --corpus /work/shared/corpora/p1va \
        [--sample 600] [--seed 20240216]

For each corpus (a directory with ``articles.jsonl`` and ``queries_known_item.jsonl``) the index
is built the way the known-item harness builds it (the records without their headline, which is
the query; cached under the temp dir by the corpus's hash and the indexing code), then:

* **every query** of the query file is parsed and searched with the API's defaults: the counts of
  queries answered, refused (an exception) and shortened to their first 64 words / 500 characters;
* with ``--vocabulary N``, the spelling pass's work on a synthetic term dictionary of N words
  (the real vocabulary of the first corpus plus seeded misspellings and compounds of it, the way an
  archive of 100k-1M articles accumulates rare words): milliseconds and steps per word, and how
  often the work cap cut a walk short;
* a seeded sample of queries, in both styles (the pasted headline and its three longest words),
  gets **one typo** in one word of 5+ letters (a letter dropped, doubled, replaced or inserted, or
  two neighbours swapped; never the first letter). *Restored*: the misspelled query's top result
  is the correctly spelled query's top result (both as shipped). The same without typo tolerance
  is the baseline. *Changed*: correctly spelled queries whose top result differs with typo
  tolerance on and off (its cost).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
import time
from pathlib import Path

from eval.data import Query, file_digest, keyword_form, read_queries
from eval.run import untitled_copy
from search.indexer import build_index
from search.searcher import search
from search.store import IndexHandle
from search.suggest import MIN_WORD, Budget, corrections, typo_distance

SEED = 20240216
ROOT = Path(__file__).resolve().parent.parent
INDEX_CODE = ["analysis.py", "schema.py", "indexer.py", "articles.py", "cleaning.py"]
LETTERS = "abcdefghilmnoprstuvz"  # the Italian alphabet's common letters


def index_for(corpus: Path, log) -> IndexHandle:
    """The corpus's index as the known-item harness builds it (an untitled copy of the records, so
    the headline-queries are not indexed), built once per corpus and indexing code."""
    corpus_digest = file_digest(corpus / "articles.jsonl")
    digest = hashlib.sha256(corpus_digest.encode())
    for name in INDEX_CODE:
        path = ROOT / "search" / name
        if path.exists():
            digest.update(path.read_bytes())
    cache = Path(tempfile.gettempdir()) / "rassegna-typos"
    directory = cache / digest.hexdigest()[:20]
    if not (directory / "current").exists():
        cache.mkdir(parents=True, exist_ok=True)
        untitled = untitled_copy(corpus / "articles.jsonl", corpus_digest, cache)
        started = time.perf_counter()
        build_index([untitled], directory)
        log(f"{corpus.name}: built in {time.perf_counter() - started:.0f} s: {directory}")
    return IndexHandle(directory)


def top(handle: IndexHandle, query: str, typos: bool = True) -> tuple[str | None, list[str]]:
    result = search(
        handle,
        query,
        size=10,
        collapse=False,
        with_facets=False,
        with_snippets=False,
        typos=typos,
    )
    ids = [hit.id for hit in result.hits]
    return (ids[0] if ids else None), ids


def misspell(word: str, rng: random.Random) -> str:
    """One typo in ``word``, never in its first letter."""
    i = rng.randrange(1, len(word))
    kind = rng.choice(("drop", "double", "replace", "insert", "swap"))
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "replace":
        return word[:i] + rng.choice([c for c in LETTERS if c != word[i].lower()]) + word[i + 1 :]
    if kind == "insert":
        return word[:i] + rng.choice(LETTERS) + word[i:]
    if i + 1 < len(word) and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i + 1 :]  # nothing to swap at the end: drop instead


def typo_case(text: str, rng: random.Random) -> str | None:
    """``text`` with one typo in one of its words of 5+ letters (None when it has none)."""
    words = text.split(" ")
    positions = [
        i for i, w in enumerate(words) if len(w) >= MIN_WORD and w.isalpha() and w.isascii()
    ]
    if not positions:
        return None
    i = rng.choice(positions)
    wrong = misspell(words[i], rng)
    if typo_distance(wrong.lower(), words[i].lower()) != 1:
        return None
    return " ".join(words[:i] + [wrong] + words[i + 1 :])


def rank_of(relevant: list[str], ids: list[str]) -> float:
    return next((1 / (r + 1) for r, doc in enumerate(ids) if doc in relevant), 0.0)


def every_query(handle: IndexHandle, queries: list[Query], log) -> dict[str, int]:
    counts = {"queries": len(queries), "answered": 0, "refused": 0, "words": 0, "characters": 0}
    for n, q in enumerate(queries, 1):
        try:
            result = search(handle, q.text, size=10, collapse=False, with_facets=False)
        except Exception as exc:  # noqa: BLE001 - counted and shown: this is what we measure
            counts["refused"] += 1
            log(f"  refused {q.qid}: {exc.__class__.__name__}: {exc}")
            continue
        counts["answered"] += 1
        if result.truncated:
            counts[result.truncated] += 1
        if n % 2000 == 0:
            log(f"  {n:,} queries run")
    return counts


def typo_measure(handle, queries: list[Query], style: str, rng: random.Random) -> dict[str, float]:
    n = restored = restored_off = changed = 0
    mrr = {"correct": 0.0, "typo": 0.0, "typo_off": 0.0}
    for q in queries:
        text = q.text if style == "headline" else keyword_form(q.text)
        wrong = typo_case(text, rng)
        if wrong is None:
            continue
        n += 1
        right_top, right_ids = top(handle, text)
        off_top, _ = top(handle, text, typos=False)
        wrong_top, wrong_ids = top(handle, wrong)
        wrong_off_top, wrong_off_ids = top(handle, wrong, typos=False)
        restored += wrong_top == right_top
        restored_off += wrong_off_top == right_top
        changed += right_top != off_top
        mrr["correct"] += rank_of(q.relevant, right_ids)
        mrr["typo"] += rank_of(q.relevant, wrong_ids)
        mrr["typo_off"] += rank_of(q.relevant, wrong_off_ids)
    return {
        "cases": n,
        "restored": restored / n,
        "restored_without": restored_off / n,
        "changed": changed / n,
        **{f"mrr_{k}": v / n for k, v in mrr.items()},
    }


def synthetic_vocabulary(handle: IndexHandle, size: int, directory: Path, log) -> IndexHandle:
    """An index whose ``exact`` field holds ``size`` distinct words grown from the real ones."""
    from whoosh import fields, index

    marker = directory / f"vocabulary-{size}"
    if not marker.exists():
        with handle.searcher() as searcher:
            real = [t.decode() for t in searcher.reader().lexicon("exact")]
        rng = random.Random(SEED)
        words = set(real)
        while len(words) < size:
            base = rng.choice(real)
            if rng.random() < 0.7 and len(base) > 2:
                words.add(misspell(base, rng).lower())
            else:
                words.add(base + rng.choice(real)[: rng.randrange(2, 6)])
        directory.mkdir(parents=True, exist_ok=True)
        ix = index.create_in(str(directory), fields.Schema(exact=fields.KEYWORD(lowercase=False)))
        writer = ix.writer(limitmb=256)
        ordered = sorted(words)
        # Real words in two documents, grown ones in one: as in an archive, real words are seen
        # more than once and most rare spellings once (corrections need 2 articles).
        grown = sorted(words.difference(real))
        for group in (grown, sorted(real), sorted(real)):
            for i in range(0, len(group), 5000):
                writer.add_document(exact=" ".join(group[i : i + 5000]))
        writer.commit()
        marker.write_text(str(len(ordered)))
        log(f"synthetic vocabulary: {len(ordered):,} words in {directory}")
    return index.open_dir(str(directory))


def spelling_work(ix, handle: IndexHandle, cases: int) -> dict[str, float]:
    """Per misspelled word: the whole correction pass (one typo, then two for long words)."""
    with handle.searcher() as searcher:
        real = [t.decode() for t in searcher.reader().lexicon("exact")]
    rng = random.Random(SEED)
    pool = [w for w in real if len(w) >= MIN_WORD and w.isalpha()]
    times, works, capped = [], [], 0
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for _ in range(cases):
            word = misspell(rng.choice(pool), rng)
            started = time.perf_counter()
            budget = Budget()
            corrections(reader, word, budget)
            times.append((time.perf_counter() - started) * 1000)
            works.append(Budget().left - budget.left)
            capped += budget.cut
    times.sort()
    works.sort()
    return {
        "words": cases,
        "p50_ms": times[len(times) // 2],
        "p95_ms": times[int(len(times) * 0.95)],
        "max_ms": times[-1],
        "p50_work": works[len(works) // 2],
        "max_work": works[-1],
        "capped": capped / cases,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, action="append", required=True)
    parser.add_argument("--sample", type=int, default=600, help="queries per corpus for typos")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--skip-all", action="store_true", help="skip running every query")
    parser.add_argument("--skip-typos", action="store_true", help="skip the typo measurement")
    parser.add_argument(
        "--vocabulary", type=int, default=0, help="also time the spelling pass on N words"
    )
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    rows_all, rows_typo = [], []
    if args.vocabulary:
        handle = index_for(args.corpus[0], log)
        directory = Path(tempfile.gettempdir()) / "rassegna-typos" / f"vocabulary-{args.vocabulary}"
        ix = synthetic_vocabulary(handle, args.vocabulary, directory, log)
        work = spelling_work(ix, handle, 300)
        handle.close()
        print(
            f"Spelling pass on a dictionary of {args.vocabulary:,} words ({work['words']} "
            "misspelled words; the whole pass: one typo, then two for long words):"
        )
        print()
        print("| p50 ms | p95 ms | max ms | p50 steps | max steps | passes cut short by the cap |")
        print("|---|---|---|---|---|---|")
        print(
            f"| {work['p50_ms']:.1f} | {work['p95_ms']:.1f} | {work['max_ms']:.1f} "
            f"| {work['p50_work']} | {work['max_work']} | {work['capped']:.1%} |"
        )
        print()
    for corpus in args.corpus:
        handle = index_for(corpus, log)
        queries = read_queries(corpus / "queries_known_item.jsonl")
        if not args.skip_all:
            started = time.perf_counter()
            counts = every_query(handle, queries, log)
            log(f"{corpus.name}: {counts} in {time.perf_counter() - started:.0f} s")
            rows_all.append((corpus.name, counts))
        rng = random.Random(args.seed)
        sample = rng.sample(queries, min(args.sample, len(queries)))
        for style in () if args.skip_typos else ("keywords", "headline"):
            started = time.perf_counter()
            scores = typo_measure(handle, sample, style, random.Random(f"{args.seed}:{style}"))
            log(f"{corpus.name} {style}: {scores} in {time.perf_counter() - started:.0f} s")
            rows_typo.append((corpus.name, style, scores))
        handle.close()

    if rows_all:
        print("| corpus | queries | answered | refused | cut to 64 words | cut to 500 chars |")
        print("|---|---|---|---|---|---|")
        for name, c in rows_all:
            print(
                f"| {name} | {c['queries']:,} | {c['answered']:,} | {c['refused']} "
                f"| {c['words']} | {c['characters']} |"
            )
        print()
    if not rows_typo:
        return 0
    print(
        "| corpus | style | single-typo queries | top result restored | without tolerance "
        "| correct queries whose top changes | MRR@10 correct | typo | typo, no tolerance |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, style, s in rows_typo:
        print(
            f"| {name} | {style} | {s['cases']} | {s['restored']:.1%} "
            f"| {s['restored_without']:.1%} | {s['changed']:.1%} | {s['mrr_correct']:.3f} "
            f"| {s['mrr_typo']:.3f} | {s['mrr_typo_off']:.3f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
