"""Measure search-as-you-type latency (``/api/suggest``) on a 100,000-article index; prints numbers.

Usage: python -m bench.bench_suggest [--articles N] [--index DIR] [--prefixes N] [--corpora DIR]

The index holds the real DICE (10,372 long articles) and p1va (the 13,479 RSS items with a
teaser; the others have no body and are not indexed) corpora, topped
up to ``--articles`` with copies of their articles under new ids, each cut to its first 600
characters (keeps the build to minutes; copies add no new words but make every word appear at
least twice, which is the worst case for the completion table: nothing is dropped as a one-off).
With ``--index`` an existing index is reused (built there first if it has none).

It reports the one-off cost of the completion table (first call after a build), then the
latency of ``complete()`` and of a full ``GET /api/suggest`` through Flask (JSON included) for
every prefix a person types on the way to the first words of the DICE headlines (2 letters up).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from search.completions import complete
from search.indexer import build_index
from search.store import IndexHandle, live_target

# ../shared/corpora beside the checkout (never committed); --corpora points elsewhere.
CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
COPY_CHARS = 600


def write_corpus(corpora: Path, target: Path, articles: int) -> int:
    """The real corpora, then shortened copies up to ``articles``; returns how many written."""
    originals = []
    for path in (corpora / "dice" / "articles.jsonl", corpora / "p1va" / "articles.jsonl"):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                # Items without a body are skipped by the indexer: they would not count.
                if isinstance(record, dict) and str(record.get("body") or "").strip():
                    originals.append(record)
    written = 0
    with target.open("w", encoding="utf-8") as out:
        for record in originals[:articles]:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
        copy = 0
        while written < articles:
            record = dict(originals[copy % len(originals)])
            record["id"] = f"copy-{copy}-{record.get('id')}"
            record["body"] = record["body"][:COPY_CHARS]
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
            copy += 1
    return written


def typed_prefixes(corpora: Path, limit: int) -> list[str]:
    """What the box holds keystroke by keystroke while typing the headlines' first words."""
    out = []
    with (corpora / "dice" / "queries_known_item.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            words = json.loads(line)["query"].split()[:3]
            text = ""
            for word in words:
                for end in range(2, len(word) + 1):
                    out.append(text + word[:end])
                text += word + " "
            if len(out) >= limit:
                break
    return out[:limit]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(name: str, values: list[float]) -> None:
    print(
        f"{name:22} n={len(values):5}  p50 {percentile(values, 50):6.2f} ms  "
        f"p95 {percentile(values, 95):6.2f} ms  p99 {percentile(values, 99):6.2f} ms  "
        f"max {max(values):6.2f} ms  mean {statistics.fmean(values):6.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000, help="articles in the index")
    parser.add_argument("--index", type=Path, help="reuse (or build once into) this index dir")
    parser.add_argument("--prefixes", type=int, default=3000, help="typed prefixes to time")
    parser.add_argument("--corpora", type=Path, default=CORPORA, help="holds dice/ and p1va/")
    args = parser.parse_args()

    index_dir = args.index or Path(tempfile.mkdtemp(prefix="rassegna-suggest-")) / "index"
    if live_target(index_dir) is None:
        corpus = index_dir.parent / "suggest-corpus.jsonl"
        index_dir.parent.mkdir(parents=True, exist_ok=True)
        count = write_corpus(args.corpora, corpus, args.articles)
        started = time.perf_counter()
        built = build_index([corpus], index_dir)
        print(f"build: {built.indexed:,} articles ({count:,} written) in "
              f"{time.perf_counter() - started:.0f} s")  # fmt: skip
        corpus.unlink()
    else:
        print(f"build: reusing {index_dir}")

    handle = IndexHandle(index_dir)
    print(f"index: {handle.manifest.get('doc_count'):,} articles")
    started = time.perf_counter()
    first = complete(handle, "ma")
    table = handle.current().cache["completions"]
    print(
        f"table: built on first call in {(time.perf_counter() - started):.2f} s "
        f"({len(table.words):,} words, {len(table.names):,} names, "
        f"{len(table.display):,} written forms); 'ma' -> {first[:4]}"
    )
    prefixes = typed_prefixes(args.corpora, args.prefixes)
    timings = []
    for prefix in prefixes:
        began = time.perf_counter()
        complete(handle, prefix)
        timings.append((time.perf_counter() - began) * 1000)
    report("complete()", timings)
    short = [t for p, t in zip(prefixes, timings, strict=True) if len(p.split()[-1]) <= 3]
    report("  last word 2-3 letters", short)

    from web import create_app

    app = create_app({"INDEX_DIR": str(index_dir)})
    client = app.test_client()
    client.get("/api/suggest?q=ma")
    http = []
    for prefix in prefixes:
        began = time.perf_counter()
        response = client.get("/api/suggest", query_string={"q": prefix})
        response.get_json()
        http.append((time.perf_counter() - began) * 1000)
    report("GET /api/suggest", http)
    for sample in ("co", "gov", "governo mel", "sindaco di mod", "carabinier", "l'ita"):
        print(f"  {sample!r:18} -> {complete(handle, sample)[:5]}")
    app.extensions["rassegna"].close()
    handle.close()


if __name__ == "__main__":
    sys.exit(main())
