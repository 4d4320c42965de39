"""Measure index build speed and search latency on the DICE corpus; prints numbers, asserts none.

Usage: python -m bench.bench_search [--corpus ARTICLES_JSONL] [--queries QUERIES_JSONL]
                                    [--index DIR] [--procs N] [--queries-limit N]

Without ``--index`` it builds a fresh index (titles included, as `rassegna index` does) in a
temp dir and reports articles/s. With ``--index`` it reuses that index (building it there first
if it has none). Latency is for the real default ``search()`` call: ranking, near-duplicate
collapsing, facets, snippets and the spelling suggestion, over the headlines and their keyword
forms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from eval.data import keyword_form
from search.indexer import build_index
from search.searcher import search
from search.store import IndexHandle, live_target

# ../shared/corpora/dice beside the checkout (never committed: see its README for the licence).
DICE = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "dice"
DEFAULT_CORPUS = DICE / "articles.jsonl"
DEFAULT_QUERIES = DICE / "queries_known_item.jsonl"


def load_queries(path: Path, limit: int) -> list[str]:
    with path.open(encoding="utf-8") as lines:
        headlines = [json.loads(line)["query"] for line in lines if line.strip()][:limit]
    return headlines + [keyword_form(h) for h in headlines]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="articles, JSONL")
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES, help="{query} per line")
    parser.add_argument("--index", type=Path, help="reuse (or build once into) this index dir")
    parser.add_argument("--procs", type=int, default=1, help="indexer processes")
    parser.add_argument(
        "--queries-limit", type=int, default=200, help="headlines to use (each also as keywords)"
    )
    args = parser.parse_args()

    index_dir = args.index or Path(tempfile.mkdtemp(prefix="rassegna-bench-")) / "index"
    if live_target(index_dir) is None:
        started = time.perf_counter()
        report = build_index([args.corpus], index_dir, procs=args.procs)
        seconds = time.perf_counter() - started
        print(
            f"build: {report.indexed:,} articles in {seconds:.1f} s "
            f"= {report.indexed / seconds:,.0f} articles/s (procs={args.procs})"
        )
    else:
        print(f"build: reusing {index_dir}")

    handle = IndexHandle(index_dir)
    queries = load_queries(args.queries, args.queries_limit)
    search(handle, queries[0])  # open the index and warm the analyzers
    timings: dict[str, list[float]] = {"headline": [], "keywords": []}
    half = len(queries) // 2
    for i, query in enumerate(queries):
        started = time.perf_counter()
        search(handle, query)  # the real default call: collapse, facets, snippets, suggestion
        timings["headline" if i < half else "keywords"].append(
            (time.perf_counter() - started) * 1000
        )
    handle.close()
    for style, values in [*timings.items(), ("all", timings["headline"] + timings["keywords"])]:
        print(
            f"search {style:9} n={len(values):4}  p50 {percentile(values, 50):6.1f} ms  "
            f"p95 {percentile(values, 95):6.1f} ms  p99 {percentile(values, 99):6.1f} ms  "
            f"mean {statistics.fmean(values):6.1f} ms"
        )


if __name__ == "__main__":
    sys.exit(main())
