"""One command: build every system's index from each corpus, run the queries, write RESULTS.md.

    python -m eval.run --dataset ../shared/corpora/dice --dataset ../shared/corpora/p1va \
        [--sample 3000] [--levers] [--quality]

Each corpus is indexed the way a user gives it for known-item search: its records without their
``title`` (the queries are the headlines), through the real indexer, so whatever title it derives
is in play; queries go through ``search()`` with the API's defaults (every copy a hit: folding
near-duplicates is a request option, off by default). A corpus with same-event pairs also gets a
story-coverage table: a headline as the query, the other article on the same event as the target.

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
import random
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from eval import report
from eval.data import Query, file_digest, keyword_form, read_articles, read_queries
from eval.metrics import Scores, score_runs
from eval.systems import QueryFailed, Rassegna, System, TantivyBaseline, WhooshBaseline
from search.ranking import DEFAULT, FIELD_WEIGHTS, FieldWeights, RankingParams

STYLES = ("headline", "keywords")
SEED = 20240216
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


@dataclass
class Dataset:
    """One development corpus: its articles, its known-item queries, optional same-event pairs."""

    name: str
    corpus: Path
    queries: Path
    pairs: Path | None = None

    @classmethod
    def from_dir(cls, directory: str | Path) -> Dataset:
        """``articles.jsonl``, ``queries_known_item.jsonl`` and ``same_event_pairs.jsonl``."""
        root = Path(directory).resolve()
        pairs = root / "same_event_pairs.jsonl"
        return cls(
            root.name,
            root / "articles.jsonl",
            root / "queries_known_item.jsonl",
            pairs if pairs.exists() else None,
        )


def sample_queries(queries: list[Query], size: int | None, seed: int) -> list[Query]:
    """A fixed-seed sample of ``size`` queries in file order (all of them when fewer)."""
    if not size or size >= len(queries):
        return queries
    keep = set(random.Random(seed).sample(range(len(queries)), size))
    return [q for i, q in enumerate(queries) if i in keep]


def untitled_copy(corpus: Path, digest: str, cache_root: Path) -> Path:
    """The corpus with every record's ``title`` removed: the way a known item arrives.

    The queries are the items' headlines, so the headline must not be indexed; an item without a
    title gets whatever title the indexer derives (as a scraped article without one would), and
    an item left with neither title nor body is skipped by the reader, as in a real build.
    """
    path = cache_root / f"{corpus.parent.name}-{digest[:16]}-untitled.jsonl"
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    with open(corpus, encoding="utf-8") as src, open(tmp, "w", encoding="utf-8") as out:
        for line in src:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                out.write(line)  # the reader reports it, as it would in the original
                continue
            if isinstance(record, dict):
                record.pop("title", None)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    os.replace(tmp, path)
    return path


def cache_key(corpus_digest: str, kind: str, weights: FieldWeights = FIELD_WEIGHTS) -> str:
    digest = hashlib.sha256(f"{corpus_digest}:{kind}".encode())
    if kind == "rassegna":
        digest.update(repr(weights).encode())
        for name in INDEX_CODE:
            digest.update((ROOT / name).read_bytes())
    elif kind == "whoosh":
        import whoosh

        digest.update(str(whoosh.versionstring()).encode())
    elif kind == "tantivy":
        import tantivy

        digest.update(str(getattr(tantivy, "__version__", "")).encode())
    return digest.hexdigest()[:20]


def make_system(kind: str, procs: int, weights: FieldWeights = FIELD_WEIGHTS) -> System:
    if kind == "rassegna":
        return Rassegna(procs=procs, field_weights=weights)
    if kind == "whoosh":
        return WhooshBaseline(conjunctive=False, procs=procs)
    if kind == "tantivy":
        return TantivyBaseline()
    raise ValueError(kind)


def prepare(
    kind, articles, corpus, cache_root, digest, fresh, procs, log, weights=FIELD_WEIGHTS
) -> tuple[System, Path, float | None]:
    """Build (or reuse from the cache) one system's index; returns the build seconds if built."""
    directory = cache_root / f"{kind}-{cache_key(digest, kind, weights)}"
    marker = directory / "eval-build.json"
    system = make_system(kind, procs, weights)
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


def coverage_items(dataset: Dataset, queries: list[Query]) -> list[tuple[str, list[str]]]:
    """Story coverage: for each same-event pair (A, B), A's headline finds B (and B's finds A).

    Only pairs whose article has a headline among the known-item queries; A itself stays in the
    index (it takes a place in the ten, as it would for a reader).
    """
    headline = {q.relevant[0]: q.text for q in queries if len(q.relevant) == 1}
    items: list[tuple[str, list[str]]] = []
    with open(dataset.pairs, encoding="utf-8") as lines:
        for line in lines:
            pair = json.loads(line)
            a, b = pair["id1"], pair["id2"]
            if a in headline:
                items.append((headline[a], [b]))
            if b in headline:
                items.append((headline[b], [a]))
    return items


def evaluate_coverage(state: dict, all_queries: list[Query], args, log) -> list:
    """Story coverage on the same indexes: every system, both query styles."""
    items = coverage_items(state["dataset"], all_queries)
    styles = {"headline": items, "keywords": [(keyword_form(q), rel) for q, rel in items]}
    rows = []
    for label, kind in (
        ("rassegna (defaults)", "rassegna"),
        ("whoosh OR", "whoosh"),
        ("tantivy", "tantivy"),
    ):
        if kind not in state["built"]:
            continue
        for style, work in styles.items():
            scores = run_queries(kind, state["built"][kind][0], work, args.workers)
            log(f"coverage {label:22} {style:9} R@10 {scores.success10:.3f}")
            rows.append((label, style, scores))
    return rows


def evaluate_dataset(dataset, args, cache_root, log) -> tuple[dict, list]:
    """Build every system on one corpus (titles removed) and score both query styles."""
    corpus = untitled_copy(dataset.corpus, file_digest(dataset.corpus), cache_root)
    digest = file_digest(corpus)
    articles = read_articles(corpus)
    all_queries = read_queries(dataset.queries)
    queries = sample_queries(all_queries, args.sample, args.seed)
    if args.limit:
        queries = queries[: args.limit]
    items = styled(queries)
    log(
        f"{dataset.name}: {len(articles):,} articles, {len(queries):,}/{len(all_queries):,} queries"
    )
    kinds = ["rassegna", "whoosh"] + ([] if args.no_tantivy else ["tantivy"])
    built: dict[str, tuple[Path, float | None]] = {}
    for kind in kinds:
        system, directory, seconds = prepare(
            kind, articles, corpus, cache_root, digest, args.fresh, args.procs, log
        )
        system.close()
        built[kind] = (directory, seconds)
    rows: list[tuple[str, str, Scores]] = []
    plan = [("rassegna (defaults)", "rassegna", {}), ("whoosh OR", "whoosh", {})]
    if "tantivy" in built:
        plan.append(("tantivy", "tantivy", {}))
    for label, kind, options in plan:
        for style in STYLES:
            t0 = time.perf_counter()
            scores = run_queries(kind, built[kind][0], items[style], args.workers, **options)
            log(
                f"{dataset.name:6} {label:22} {style:9} MRR@10 {scores.mrr:.3f}  "
                f"({time.perf_counter() - t0:.0f} s)"
            )
            rows.append((label, style, scores))
    sampled = "" if len(queries) == len(all_queries) else f", seed {args.seed}"
    context = {
        "corpus": f"{dataset.corpus} ({len(articles):,} articles indexed, titles removed; "
        f"sha256 {file_digest(dataset.corpus)[:12]})",
        "queries": f"{dataset.queries} ({len(queries):,} of {len(all_queries):,}{sampled}; "
        "x 2 styles)",
    }
    coverage = (
        evaluate_coverage({"dataset": dataset, "built": built}, all_queries, args, log)
        if dataset.pairs
        else []
    )
    state = {
        "dataset": dataset,
        "articles": articles,
        "queries": queries,
        "items": items,
        "built": built,
        "corpus": corpus,
        "digest": digest,
    }
    return {"context": context, "rows": rows, "coverage": coverage, "state": state}, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.run", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--dataset",
        action="append",
        default=[],
        metavar="DIR",
        help="a corpus directory (articles.jsonl, queries_known_item.jsonl and optionally "
        "same_event_pairs.jsonl); repeat it to evaluate several side by side",
    )
    parser.add_argument("--corpus", help="articles, JSON lines (a corpus outside a directory)")
    parser.add_argument("--queries", help="{qid, query, relevant_ids} per line (with --corpus)")
    parser.add_argument("--out", default=str(ROOT / "eval" / "RESULTS.md"), help="results file")
    parser.add_argument("--cache-dir", default=os.path.join(tempfile.gettempdir(), "rassegna-eval"))
    parser.add_argument("--fresh", action="store_true", help="rebuild every index (no cache)")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--procs", type=int, default=1, help="indexer processes (Whoosh)")
    parser.add_argument("--no-tantivy", action="store_true", help="skip the tantivy baseline")
    parser.add_argument("--levers", action="store_true", help="also measure each ranking lever")
    parser.add_argument(
        "--quality",
        action="store_true",
        help="near-duplicates, related articles, did-you-mean (corpora with same-event pairs)",
    )
    parser.add_argument("--sample", type=int, help="a fixed-seed sample of N queries per corpus")
    parser.add_argument(
        "--lever-sample",
        type=int,
        help="measure the levers on a fixed-seed sample of N of those queries per corpus",
    )
    parser.add_argument("--seed", type=int, default=SEED, help="the sample's seed")
    parser.add_argument("--limit", type=int, help="only the first N queries (quick checks)")
    args = parser.parse_args(argv)
    datasets = [Dataset.from_dir(d) for d in args.dataset]
    if args.corpus or args.queries:
        if not (args.corpus and args.queries):
            parser.error("--corpus and --queries go together")
        corpus = Path(args.corpus).resolve()
        datasets.append(Dataset(corpus.parent.name, corpus, Path(args.queries).resolve()))
    if not datasets:
        parser.error("give at least one --dataset DIR (or --corpus and --queries)")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    cache_root = Path(args.cache_dir)
    if args.fresh:
        cache_root = Path(tempfile.mkdtemp(prefix="rassegna-eval-fresh-"))
    cache_root.mkdir(parents=True, exist_ok=True)
    command = "python -m eval.run " + " ".join(argv if argv is not None else sys.argv[1:])
    runs = []
    for dataset in datasets:
        run, _ = evaluate_dataset(dataset, args, cache_root, log)
        runs.append(run)
        context = {
            "command": command,
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            **run["context"],
            "python": platform.python_version(),
        }
        built = run["state"]["built"]
        build_times = {kind: seconds for kind, (_, seconds) in built.items()}
        section = report.main_section(
            dataset.name, context, run["rows"], build_times, len(run["state"]["articles"])
        )
        print(section)
        report.write_section(Path(args.out), f"main-{dataset.name}", section)
        if run["coverage"]:
            section = report.coverage_section(dataset.name, command, run["coverage"])
            print(section)
            report.write_section(Path(args.out), f"coverage-{dataset.name}", section)

    if args.levers:
        from eval import levers

        section = levers.run([run["state"] for run in runs], args, cache_root, log)
        print(section)
        report.write_section(Path(args.out), "levers", section)
    if args.quality:
        from eval import quality

        for run in runs:
            state = run["state"]
            if state["dataset"].pairs is None:
                continue
            section = quality.run(
                state["built"]["rassegna"][0],
                state["dataset"].pairs,
                state["queries"],
                state["articles"],
                log,
            )
            print(section)
            report.write_section(Path(args.out), "quality", section)
    if args.fresh:
        shutil.rmtree(cache_root, ignore_errors=True)
    log(f"done in {time.perf_counter() - started:.0f} s; wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
