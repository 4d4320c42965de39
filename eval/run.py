"""One command: build every system's index from the corpus, run the queries, write RESULTS.md.

    python -m eval.run --corpus /work/shared/corpora/dice/articles.jsonl \
        --queries /work/shared/corpora/dice/queries_known_item.jsonl [--levers] [--quality PAIRS]

Indexes are cached under the temp dir, keyed by the corpus's hash and the code that shapes each
index, so repeated runs while tuning only search; ``--fresh`` rebuilds everything (for the
reported numbers).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import multiprocessing
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from eval import report
from eval.data import Query, file_digest, keyword_form, read_articles, read_queries
from eval.metrics import Scores, score_runs
from eval.systems import QueryFailed, Rassegna, System, TantivyBaseline, WhooshBaseline
from search.ranking import DEFAULT, RankingParams

STYLES = ("headline", "keywords")
ROOT = Path(__file__).resolve().parent.parent
# Code whose change alters what a Rassegna index holds: a change gives a new cache key.
INDEX_CODE = [
    "search/analysis.py",
    "search/schema.py",
    "search/indexer.py",
    "search/duplicates.py",
    "search/articles.py",
    "search/cleaning.py",
]


def styled(queries: list[Query]) -> dict[str, list[tuple[str, list[str]]]]:
    """Each query in both styles: the pasted headline and its keyword form."""
    return {
        "headline": [(q.text, q.relevant) for q in queries],
        "keywords": [(keyword_form(q.text), q.relevant) for q in queries],
    }


def cache_key(corpus_digest: str, kind: str) -> str:
    digest = hashlib.sha256(f"{corpus_digest}:{kind}".encode())
    if kind == "rassegna":
        for name in INDEX_CODE:
            digest.update((ROOT / name).read_bytes())
    elif kind == "whoosh":
        import whoosh

        digest.update(str(whoosh.versionstring()).encode())
    elif kind == "tantivy":
        import tantivy

        digest.update(str(getattr(tantivy, "__version__", "")).encode())
    return digest.hexdigest()[:20]


def make_system(kind: str, procs: int) -> System:
    if kind == "rassegna":
        return Rassegna(procs=procs)
    if kind == "whoosh":
        return WhooshBaseline(conjunctive=False, procs=procs)
    if kind == "tantivy":
        return TantivyBaseline()
    raise ValueError(kind)


def prepare(
    kind, articles, corpus, cache_root, digest, fresh, procs, log
) -> tuple[System, Path, float | None]:
    """Build (or reuse from the cache) one system's index; returns the build seconds if built."""
    directory = cache_root / f"{kind}-{cache_key(digest, kind)}"
    marker = directory / "eval-build.json"
    system = make_system(kind, procs)
    if marker.exists() and not fresh:
        system.open(directory)
        info = json.loads(marker.read_text())
        log(f"{kind}: reusing the index in {directory} (built in {info['seconds']:.1f} s)")
        return system, directory, None
    if directory.exists():
        shutil.rmtree(directory)
    seconds = system.build(articles, corpus, directory)
    marker.write_text(json.dumps({"seconds": seconds, "articles": len(articles)}))
    log(f"{kind}: built in {seconds:.1f} s ({len(articles) / seconds:,.0f} articles/s)")
    return system, directory, seconds


# --------------------------------------------------------------------------- running queries

_worker: System | None = None


def _open_worker(kind: str, directory: str, params: dict | None, collapse: bool, conj: bool):
    global _worker
    if kind == "rassegna":
        _worker = Rassegna(RankingParams(**params), collapse=collapse)
    elif kind == "whoosh":
        _worker = WhooshBaseline(conjunctive=conj)
    else:
        _worker = TantivyBaseline()
    _worker.open(Path(directory))


def _answer(item: tuple[str, int]) -> tuple[list[str], bool]:
    query, k = item
    try:
        return _worker.search(query, k), False
    except QueryFailed:
        return [], True


def run_queries(
    kind: str,
    directory: Path,
    items: list[tuple[str, list[str]]],
    workers: int,
    params: RankingParams = DEFAULT,
    collapse: bool = False,
    conjunctive: bool = False,
) -> Scores:
    """Score one system on one list of ``(query, relevant ids)``; parse failures are misses."""
    args = (kind, str(directory), asdict(params), collapse, conjunctive)
    work = [(q, 10) for q, _ in items]
    if workers > 1 and len(items) > 50:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(workers, initializer=_open_worker, initargs=args) as pool:
            answers = pool.map(_answer, work, chunksize=8)
    else:
        _open_worker(*args)
        answers = [_answer(w) for w in work]
    runs = [(ids, rel) for (ids, _), (_, rel) in zip(answers, items, strict=True)]
    return score_runs(runs, failures=sum(failed for _, failed in answers))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.run", description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", required=True, help="articles, JSON lines")
    parser.add_argument("--queries", required=True, help="{qid, query, relevant_ids} per line")
    parser.add_argument("--out", default=str(ROOT / "eval" / "RESULTS.md"), help="results file")
    parser.add_argument("--cache-dir", default=os.path.join(tempfile.gettempdir(), "rassegna-eval"))
    parser.add_argument("--fresh", action="store_true", help="rebuild every index (no cache)")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--procs", type=int, default=1, help="indexer processes (Whoosh)")
    parser.add_argument("--no-tantivy", action="store_true", help="skip the tantivy baseline")
    parser.add_argument("--levers", action="store_true", help="also measure each ranking lever")
    parser.add_argument("--quality", metavar="PAIRS", help="same-event pairs: duplicates, related")
    parser.add_argument("--limit", type=int, help="only the first N queries (quick checks)")
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    corpus = Path(args.corpus).resolve()
    cache_root = Path(args.cache_dir)
    if args.fresh:
        cache_root = Path(tempfile.mkdtemp(prefix="rassegna-eval-fresh-"))
    cache_root.mkdir(parents=True, exist_ok=True)
    digest = file_digest(corpus)
    articles = read_articles(corpus)
    queries = read_queries(args.queries)
    if args.limit:
        queries = queries[: args.limit]
    items = styled(queries)
    log(f"{len(articles):,} articles, {len(queries):,} queries")

    kinds = ["rassegna", "whoosh"] + ([] if args.no_tantivy else ["tantivy"])
    built: dict[str, tuple[Path, float | None]] = {}
    for kind in kinds:
        system, directory, seconds = prepare(
            kind, articles, corpus, cache_root, digest, args.fresh, args.procs, log
        )
        system.close()
        built[kind] = (directory, seconds)

    rows: list[tuple[str, str, Scores]] = []
    plan = [
        ("rassegna (no collapse)", "rassegna", {}),
        ("rassegna (defaults, collapse)", "rassegna", {"collapse": True}),
        ("whoosh OR", "whoosh", {}),
        ("whoosh AND", "whoosh", {"conjunctive": True}),
    ]
    if "tantivy" in built:
        plan.append(("tantivy", "tantivy", {}))
    for label, kind, options in plan:
        for style in STYLES:
            t0 = time.perf_counter()
            scores = run_queries(kind, built[kind][0], items[style], args.workers, **options)
            log(f"{label:32} {style:9} MRR@10 {scores.mrr:.3f}  ({time.perf_counter() - t0:.0f} s)")
            rows.append((label, style, scores))

    build_times = {kind: seconds for kind, (_, seconds) in built.items()}
    context = {
        "command": "python -m eval.run " + " ".join(argv if argv is not None else sys.argv[1:]),
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "corpus": f"{corpus} ({len(articles):,} articles, sha256 {digest[:12]})",
        "queries": f"{Path(args.queries).resolve()} ({len(queries):,} queries x 2 styles)",
        "python": platform.python_version(),
    }
    main_table = report.main_section(context, rows, build_times, len(articles))
    print(main_table)
    report.write_section(Path(args.out), "main", main_table)

    if args.levers:
        from eval import levers

        section = levers.run(built["rassegna"][0], items, args.workers, log, rows)
        print(section)
        report.write_section(Path(args.out), "levers", section)
    if args.quality:
        from eval import quality

        section = quality.run(built["rassegna"][0], Path(args.quality), queries, articles, log)
        print(section)
        report.write_section(Path(args.out), "quality", section)
    if args.fresh:
        shutil.rmtree(cache_root, ignore_errors=True)
    log(f"done in {time.perf_counter() - started:.0f} s; wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
