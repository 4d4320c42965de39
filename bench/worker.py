"""One benchmark step for one system, run in its own process so peak memory is that system's own.

Run by ``bench.run`` (never import it from the engine): it prints one JSON object on its last line.
A standalone script on purpose: with ``PYTHONPATH`` pointing at an older checkout it measures that
checkout's ``search`` package (the "before" of an optimisation) with the same code.

    python bench/worker.py build  SYSTEM CORPUS INDEX [--procs N]
    python bench/worker.py query  SYSTEM INDEX QUERIES_JSON
    python bench/worker.py update SYSTEM INDEX CORPUS
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

SYSTEMS = ("whoosh", "rassegna", "tantivy")


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def dir_size(path: Path) -> int:
    files = [p for p in Path(path).rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files)


def read_records(corpus: Path):
    with corpus.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def _date(record: dict) -> datetime.datetime | None:
    if not record.get("date"):
        return None
    try:
        return datetime.datetime.fromisoformat(str(record["date"])[:10])
    except ValueError:
        return None


# ----------------------------------------------------------------------------- textbook Whoosh


def whoosh_schema():
    from whoosh.analysis import LanguageAnalyzer
    from whoosh.fields import DATETIME, ID, TEXT, Schema

    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=LanguageAnalyzer("it"), stored=True),
        body=TEXT(analyzer=LanguageAnalyzer("it"), stored=True),
        source=ID(stored=True),
        date=DATETIME(stored=True, sortable=True),
    )


def whoosh_build(corpus: Path, index: Path, procs: int) -> int:
    import whoosh.index

    index.mkdir(parents=True, exist_ok=True)
    ix = whoosh.index.create_in(str(index), whoosh_schema())
    writer = ix.writer()  # the textbook writer: one process, default buffer
    n = 0
    for record in read_records(corpus):
        doc = {
            "id": str(record["id"]),
            "title": record.get("title") or "",
            "body": record.get("body") or record.get("text") or "",
        }
        if record.get("source"):
            doc["source"] = record["source"]
        if _date(record):
            doc["date"] = _date(record)
        writer.add_document(**doc)
        n += 1
    writer.commit()
    return n


class WhooshSearcher:
    def __init__(self, index: Path):
        import whoosh.index
        from whoosh.qparser import MultifieldParser

        self.ix = whoosh.index.open_dir(str(index))
        self.searcher = self.ix.searcher()
        self.parser = MultifieldParser(["title", "body"], self.ix.schema)  # AND by default

    def search(self, q: str, source: str | None = None, sort: str | None = None) -> int:
        from whoosh.query import Term

        query = self.parser.parse(q)
        kwargs = {}
        if source:
            kwargs["filter"] = Term("source", source)
        if sort:
            kwargs["sortedby"] = "date"
            kwargs["reverse"] = True
        results = self.searcher.search(query, limit=10, **kwargs)
        total = len(results)  # exact count
        for hit in results:
            hit["title"]
            hit.highlights("body")
        return total


# ----------------------------------------------------------------------------- tantivy


def tantivy_index(index: Path, create: bool):
    import tantivy

    schema = (
        tantivy.SchemaBuilder()
        .add_text_field("id", stored=True, tokenizer_name="raw")
        .add_text_field("title", stored=True, tokenizer_name="it")
        .add_text_field("body", stored=True, tokenizer_name="it")
        .add_text_field("source", stored=True, tokenizer_name="raw")
        .add_integer_field("ts", stored=True, fast=True, indexed=True)
        .build()
    )
    index.mkdir(parents=True, exist_ok=True)
    ix = tantivy.Index(schema, path=str(index), reuse=not create)
    analyzer = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stemmer("italian"))
        .build()
    )
    ix.register_tokenizer("it", analyzer)
    return ix, schema


def tantivy_build(corpus: Path, index: Path, procs: int) -> int:
    import tantivy

    ix, _ = tantivy_index(index, create=True)
    writer = ix.writer(heap_size=256 * 1024 * 1024, num_threads=procs)
    n = 0
    for record in read_records(corpus):
        date = _date(record)
        writer.add_document(
            tantivy.Document(
                id=str(record["id"]),
                title=record.get("title") or "",
                body=record.get("body") or record.get("text") or "",
                source=record.get("source") or "",
                ts=int(date.timestamp()) if date else 0,
            )
        )
        n += 1
    writer.commit()
    writer.wait_merging_threads()
    return n


class TantivySearcher:
    def __init__(self, index: Path):
        ix, self.schema = tantivy_index(index, create=False)
        ix.reload()
        self.ix = ix
        self.searcher = ix.searcher()

    def search(self, q: str, source: str | None = None, sort: str | None = None) -> int:
        import tantivy

        query, _errors = self.ix.parse_query_lenient(q, ["title", "body"])
        if source:
            query = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, query),
                    (tantivy.Occur.Must, tantivy.Query.term_query(self.schema, "source", source)),
                ]
            )
        kwargs = {"order_by_field": "ts", "order": tantivy.Order.Desc} if sort else {}
        result = self.searcher.search(query, 10, count=True, **kwargs)
        snippets = tantivy.SnippetGenerator.create(self.searcher, query, self.schema, "body")
        for _score, address in result.hits:
            doc = self.searcher.doc(address)
            snippets.snippet_from_doc(doc).to_html()
        return result.count


# ----------------------------------------------------------------------------- Rassegna


def rassegna_build(corpus: Path, index: Path, procs: int) -> int:
    from search.indexer import build_index

    return build_index([corpus], index).indexed  # its own defaults (writer processes too)


class RassegnaSearcher:
    def __init__(self, index: Path):
        from search.store import IndexHandle

        self.handle = IndexHandle(index)

    def search(self, q: str, source: str | None = None, sort: str | None = None) -> int:
        from search.errors import QueryError
        from search.searcher import search

        try:
            result = search(self.handle, q, source=source, sort=sort or "relevance")
        except QueryError:
            return -1
        return result.total


def open_searcher(system: str, index: Path):
    return {"whoosh": WhooshSearcher, "tantivy": TantivySearcher, "rassegna": RassegnaSearcher}[
        system
    ](index)


# ----------------------------------------------------------------------------- steps


def step_build(args) -> dict:
    build = {"whoosh": whoosh_build, "tantivy": tantivy_build, "rassegna": rassegna_build}
    started = time.perf_counter()
    n = build[args.system](args.corpus, args.index, args.procs)
    seconds = time.perf_counter() - started
    return {
        "articles": n,
        "seconds": seconds,
        "bytes": args.corpus.stat().st_size,
        "index_bytes": dir_size(args.index),
    }


def _timed(searcher, q) -> tuple[float, int]:
    text, source, sort = q if isinstance(q, list) else (q, None, None)
    started = time.perf_counter()
    total = searcher.search(text, source=source, sort=sort)
    return (time.perf_counter() - started) * 1000, total


def step_query(args) -> dict:
    queries = json.loads(args.queries.read_text("utf-8"))
    started = time.perf_counter()
    searcher = open_searcher(args.system, args.index)
    first_ms, _ = _timed(searcher, queries["keywords"][0])
    open_first_ms = (time.perf_counter() - started) * 1000
    rss_open = rss_mb()
    out: dict = {"open_first_ms": open_first_ms, "first_query_ms": first_ms, "types": {}}
    done = 0
    for kind in ("keywords", "headline", "phrase", "filtered", "date"):
        times, totals = [], []
        for q in queries[kind]:
            ms, total = _timed(searcher, q)
            times.append(ms)
            totals.append(total)
        done += len(times)
        out["types"][kind] = {"ms": times, "totals": totals}
    out["queries_run"] = done
    out["rss_after_open_mb"] = rss_open
    out["rss_after_queries_mb"] = rss_mb()
    if args.system == "rassegna":
        out["pathological"] = []
        for q in queries["pathological"]:
            ms, total = _timed(searcher, q)
            ms2, _ = _timed(searcher, q)  # again: what a repeating client costs
            out["pathological"].append({"query": q, "ms": ms, "again_ms": ms2, "total": total})
    return out


def step_update(args) -> dict:
    records = list(read_records(args.corpus))
    started = time.perf_counter()
    if args.system == "rassegna":
        from search.indexer import update_index
        from search.store import IndexHandle

        update_index([args.corpus], args.index)
        with IndexHandle(args.index).searcher() as searcher:  # what a worker sees next
            visible = searcher.document_number(id=str(records[0]["id"]))
    elif args.system == "whoosh":
        import whoosh.index

        ix = whoosh.index.open_dir(str(args.index))
        writer = ix.writer()
        for record in records:
            writer.update_document(
                id=str(record["id"]), title=record.get("title") or "", body=record["body"]
            )
        writer.commit()
        visible = (
            whoosh.index.open_dir(str(args.index))
            .searcher()
            .document_number(id=str(records[0]["id"]))
        )
    else:
        return {"skipped": True}
    return {
        "articles": len(records),
        "seconds": time.perf_counter() - started,
        "visible": visible is not None,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="step", required=True)
    b = sub.add_parser("build")
    b.add_argument("system", choices=SYSTEMS)
    b.add_argument("corpus", type=Path)
    b.add_argument("index", type=Path)
    b.add_argument("--procs", type=int, default=1)
    q = sub.add_parser("query")
    q.add_argument("system", choices=SYSTEMS)
    q.add_argument("index", type=Path)
    q.add_argument("queries", type=Path)
    u = sub.add_parser("update")
    u.add_argument("system", choices=SYSTEMS)
    u.add_argument("index", type=Path)
    u.add_argument("corpus", type=Path)
    args = parser.parse_args()
    step = {"build": step_build, "query": step_query, "update": step_update}[args.step]
    result = step(args)
    result["pid"] = os.getpid()
    print(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
