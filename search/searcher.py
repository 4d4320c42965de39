"""The one search function (and its companions) behind the CLI, the page and the JSON API.

Callers get plain dataclasses back. ``total`` and the facets are exact while that is cheap and
estimated beyond (``total_exact`` / ``facets_exact`` say which; see search/collecting.py). Results
are cached per worker and per build, keyed on the normalised request.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime
import re
import threading
import time
from collections import OrderedDict
from typing import Any

from whoosh import query as wq
from whoosh import sorting
from whoosh.util.times import long_to_datetime

from search import accumulate, collecting
from search import suggest as spelling
from search.duplicates import group_near_duplicates
from search.errors import ArticleNotFoundError, QueryError
from search.metadata import canonical_filter_value
from search.query import Compiled, compile_query, parse
from search.ranking import DEFAULT, TEXT_FIELD, RankingParams, ranked_searcher, rerank
from search.results import (
    ArticleRef,
    ArticleView,
    FacetValue,
    Hit,
    IndexStats,
    SearchResult,
    _as_date,
)
from search.schema import unpack_signature
from search.snippets import Highlight, highlight_text, lead, make_snippets
from search.store import IndexHandle, OpenIndex

MAX_SIZE = 50
MAX_PAGE = 1000
SORTS = ("relevance", "date", "-date")  # date: oldest first; -date: newest first
FACETS = {"source": "source_facet", "author": "author_facet", "year": "year"}
MAX_FACET_VALUES = 30
# Work budget of one search: past it every pass keeps the best it has found (and the result says
# the count is approximate). Well under gunicorn's timeout, so no query stalls a worker.
WORK_BUDGET_S = 0.5
# Spelling suggestions look at the index's vocabulary word by word: not for pasted paragraphs.
MAX_SPELLING_WORDS = 8
RESULT_CACHE_SIZE = 256  # recent results per worker and build (news queries repeat)
# Facets are counted over every match up to this many; beyond, over the best-ranked candidates,
# scaled to the total (and marked approximate).
EXACT_FACETS_UP_TO = 10000


def parse_day(value: str | datetime.date | None, name: str) -> datetime.date | None:
    """A ``YYYY-MM-DD`` (or ``YYYY``, ``YYYY-MM``) filter value; a clear error otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}", text):
            return datetime.date(
                int(text), 1 if name == "from" else 12, 1 if name == "from" else 31
            )
        if re.fullmatch(r"\d{4}-\d{2}", text):
            year, month = map(int, text.split("-"))
            if name == "from":
                return datetime.date(year, month, 1)
            # monthrange, not "first of next month - 1": 9999-12 has no next month.
            return datetime.date(year, month, calendar.monthrange(year, month)[1])
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise QueryError(
            f"`{name}` must be a date like 2024-02-16 (or 2024, 2024-02); got {text!r}."
        ) from None


def _filter_query(compiled: Compiled, source, author, year, date_from, date_to) -> wq.Query | None:
    parts = [compiled.filter] if compiled.filter is not None else []
    if source:
        parts.append(wq.Term("source_facet", canonical_filter_value("source", source)))
    if author:
        parts.append(wq.Term("author_facet", canonical_filter_value("author", author)))
    if year:
        parts.append(wq.Term("year", str(year)))
    if date_from or date_to:
        start = datetime.datetime.combine(date_from, datetime.time()) if date_from else None
        end = datetime.datetime.combine(date_to, datetime.time.max) if date_to else None
        parts.append(wq.DateRange("date", start, end))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _facet_groups() -> dict[str, sorting.FieldFacet]:
    return {
        name: sorting.FieldFacet(fieldname, maptype=sorting.Count)
        for name, fieldname in FACETS.items()
    }


def _facets(results) -> dict[str, list[FacetValue]]:
    """Facet values from a Whoosh grouped result (index statistics)."""
    return _facet_lists(
        {
            name: {
                (k.decode() if isinstance(k, bytes) else str(k)): n
                for k, n in results.groups(name).items()
                if k is not None
            }
            for name in FACETS
        }
    )


def _facet_lists(counts: dict[str, dict[str, int]]) -> dict[str, list[FacetValue]]:
    out = {}
    for name in FACETS:
        values = [FacetValue(k, n) for k, n in counts.get(name, {}).items() if k]
        if name == "year":
            values.sort(key=lambda v: v.value, reverse=True)
        else:
            values.sort(key=lambda v: (-v.count, v.value))
        out[name] = values[:MAX_FACET_VALUES]
    return out


def _columns(opened: OpenIndex) -> collecting.Columns:
    """The build's column codes (per build: a swap starts afresh)."""
    return opened.cache.setdefault("columns", collecting.Columns())


def _search_facets(
    searcher, columns: collecting.Columns, count: collecting.Count, sample: list[int], restrict
) -> tuple[dict[str, list[FacetValue]], bool]:
    """Facets over every match when they were all seen, else over ``sample`` scaled to the total."""
    scale = 1.0
    exact = True
    docs: list[int] | None
    if count.seen is not None:
        docs = count.seen
    elif count.everything:
        reader = searcher.reader()
        if restrict or reader.has_deletions():
            docs = [
                d
                for d in range(reader.doc_count_all())
                if not (restrict and d in restrict) and not reader.is_deleted(d)
            ]
        else:
            docs = None
    else:
        docs = sample
        scale = count.total / len(sample) if sample else 1.0
        exact = False
    counts = {
        name: collecting.facet_counts(columns, searcher.reader(), fieldname, docs, scale)
        for name, fieldname in FACETS.items()
    }
    return _facet_lists(counts), exact


def validate_request(page: int, size: int, sort: str) -> None:
    if not isinstance(page, int) or page < 1 or page > MAX_PAGE:
        raise QueryError(f"`page` must be a whole number from 1 to {MAX_PAGE}.")
    if not isinstance(size, int) or size < 1 or size > MAX_SIZE:
        raise QueryError(f"`size` must be a whole number from 1 to {MAX_SIZE}.")
    if sort not in SORTS:
        raise QueryError(f"`sort` must be one of {', '.join(SORTS)}; got {sort!r}.")


def search(
    handle: IndexHandle,
    query: str,
    *,
    page: int = 1,
    size: int = 10,
    sort: str = "relevance",
    source: str | None = None,
    author: str | None = None,
    year: str | int | None = None,
    date_from: str | datetime.date | None = None,
    date_to: str | datetime.date | None = None,
    collapse: bool = True,
    with_facets: bool = True,
    with_snippets: bool = True,
    params: RankingParams = DEFAULT,
) -> SearchResult:
    """Run a search-box query with filters, ranking, facets, snippets and a spelling suggestion."""
    started = time.perf_counter()
    validate_request(page, size, sort)
    start_day, end_day = parse_day(date_from, "from"), parse_day(date_to, "to")
    if start_day and end_day and start_day > end_day:
        raise QueryError("`from` is after `to`; swap the two dates.")
    parsed = parse(query)
    request = (parsed.text, page, size, sort, source, author, str(year or ""), start_day, end_day)
    request += (collapse, with_facets, with_snippets, params)
    deadline = collecting.Deadline(WORK_BUDGET_S, started)
    with handle.reading() as (opened, base):
        cached = _result_cache(opened).get(request)
        if cached is not None:
            return dataclasses.replace(cached, took_ms=(time.perf_counter() - started) * 1000)
        searcher = ranked_searcher(base, params)
        reader = searcher.reader()
        compiled = compile_query(parsed, reader, params)
        filter_q = _filter_query(compiled, source, author, year, start_day, end_day)
        filters = opened.cache.setdefault("filters", {})
        allow, restrict = collecting.doc_sets(searcher, filter_q, compiled.excluded, filters)
        columns = _columns(opened)
        want = page * size
        depth = max(params.rerank_depth, want * 3 if collapse else want)
        browse = not compiled.clauses
        lengths = opened.cache.setdefault("lengths", accumulate.Lengths())
        if browse or sort != "relevance":
            newest_first = (sort if sort != "relevance" else "-date") == "-date"
            candidates = None if browse else wq.And(compiled.clauses)
            docs, count = collecting.by_date(
                searcher,
                columns,
                candidates,
                depth,
                allow,
                restrict,
                newest_first,
                deadline,
                lengths,
            )
            if not count.total and len(compiled.clauses) > 1:
                docs, count = collecting.by_date(
                    searcher,
                    columns,
                    compiled.scored,
                    depth,
                    allow,
                    restrict,
                    newest_first,
                    deadline,
                    lengths,
                )
            ranked = [(doc, 0.0) for doc in docs]  # sorted: no relevance score
        else:
            scored = collecting.score_all(
                searcher, compiled.scored, allow, restrict, lengths, deadline
            )
            clause_docs = None
            if scored is not None:
                scores, matched = scored
                ranked = collecting.best(scores, depth)
                if deadline.hit:  # scored in part: estimate the rest
                    total = collecting.estimate(searcher, compiled.scored, allow, restrict)
                    count = collecting.Count(max(total, len(scores)), False)
                else:
                    everyone = list(scores) if len(scores) <= EXACT_FACETS_UP_TO else None
                    count = collecting.Count(len(scores), True, everyone)
                clause_docs = collecting.clause_docs(searcher, compiled.clauses, matched)
            else:
                ranked = collecting.top_candidates(
                    searcher, compiled.scored, depth, allow, restrict, deadline
                )
                count = collecting.count(searcher, compiled.scored, allow, restrict, deadline)
            if not deadline.passed():  # past the budget: the BM25F order as it stands
                ranked = rerank(searcher, compiled.clauses, ranked, params, clause_docs)
        total = max(count.total, len(ranked))
        facets, facets_exact = {}, True
        if with_facets:
            facets, facets_exact = _search_facets(
                searcher, columns, count, [doc for doc, _ in ranked], restrict
            )
        if collapse:
            signatures = reader.column_reader("dup_sig")
            leaders = group_near_duplicates(
                [unpack_signature(signatures[doc]) for doc, _ in ranked]
            )
            groups: list[tuple[int, float, list[int]]] = []
            index_of: dict[int, int] = {}
            for i, (doc, score) in enumerate(ranked):
                if leaders[i] == i:
                    index_of[i] = len(groups)
                    groups.append((doc, score, []))
                else:
                    groups[index_of[leaders[i]]][2].append(doc)
        else:
            groups = [(doc, score, []) for doc, score in ranked]
        page_groups = groups[(page - 1) * size : page * size]
        terms = Highlight(compiled.stems, compiled.exact, compiled.phrases)
        hits = [
            _hit(
                searcher.stored_fields(doc),
                score,
                terms,
                with_snippets,
                [_ref(searcher.stored_fields(d)) for d in dups],
            )
            for doc, score, dups in page_groups
        ]
        suggestion = None
        if compiled.words and len(compiled.words) <= MAX_SPELLING_WORDS and not deadline.passed():
            suggestion = spelling.suggest_query(searcher, parsed.text, compiled.words)
    result = SearchResult(
        query=parsed.text,
        total=total,
        page=page,
        size=size,
        took_ms=(time.perf_counter() - started) * 1000,
        suggestion=suggestion,
        hits=hits,
        facets=facets,
        sort=sort,
        total_exact=count.exact and not deadline.hit,
        facets_exact=facets_exact and not deadline.hit,
    )
    _result_cache(opened).put(request, result)
    return result


def _result_cache(opened: OpenIndex) -> ResultCache:
    """This build's recent results (a swap to a new build starts with an empty cache)."""
    cache = opened.cache.get("results")
    if cache is None:
        cache = opened.cache.setdefault("results", ResultCache(RESULT_CACHE_SIZE))
    return cache


class ResultCache:
    """A small LRU of search results, shared by a worker's threads."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[tuple, SearchResult] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> SearchResult | None:
        with self._lock:
            result = self._items.get(key)
            if result is not None:
                self._items.move_to_end(key)
            return result

    def put(self, key: tuple, result: SearchResult) -> None:
        with self._lock:
            self._items[key] = result
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def _ref(fields: dict[str, Any], score: float | None = None) -> ArticleRef:
    return ArticleRef(
        id=fields["id"],
        title=fields.get("title") or "",
        source=fields.get("source"),
        date=_as_date(fields.get("date")),
        score=score,
    )


def _hit(
    fields: dict[str, Any],
    score: float,
    terms: Highlight,
    with_snippets: bool,
    similar: list[ArticleRef],
) -> Hit:
    body = fields.get("body") or ""
    title = fields.get("title") or ""
    snippets: list[str] = []
    if with_snippets:
        text = body or title  # a headline-only item (a brief, an RSS item): its title
        snippets = make_snippets(text, terms) or [lead(text)]
    return Hit(
        id=fields["id"],
        title=title,
        title_html=highlight_text(title, terms),
        title_derived=bool(fields.get("title_derived")),
        url=fields.get("url"),
        source=fields.get("source"),
        author=fields.get("author"),
        date=_as_date(fields.get("date")),
        score=float(score or 0.0),
        snippets=snippets,
        word_count=int(fields.get("word_count") or 0),
        similar=similar,
    )


# ----------------------------------------------------------------------------- articles


def _docnum(searcher, article_id: str) -> int:
    docnum = searcher.document_number(id=article_id)
    if docnum is None:
        raise ArticleNotFoundError(f"No article with id {article_id!r} in the index.")
    return docnum


def get_article(
    handle: IndexHandle, article_id: str, *, query: str | None = None, related_limit: int = 5
) -> ArticleView:
    """One article with its paragraphs (highlighted for ``query``) and related articles."""
    terms = Highlight()
    parsed = None
    if query:
        try:
            parsed = parse(query)
        except QueryError:
            pass  # a query the search box refused highlights nothing here
    with handle.searcher() as searcher:
        docnum = _docnum(searcher, article_id)
        fields = searcher.stored_fields(docnum)
        if parsed is not None:
            compiled = compile_query(parsed, searcher.reader())
            terms = Highlight(compiled.stems, compiled.exact, compiled.phrases)
        related = _related(searcher, docnum, related_limit)
    body = fields.get("body") or ""
    title = fields.get("title") or ""
    return ArticleView(
        id=fields["id"],
        title=title,
        title_html=highlight_text(title, terms),
        title_derived=bool(fields.get("title_derived")),
        body=body,
        paragraphs_html=[highlight_text(p, terms) for p in body.split("\n\n") if p.strip()],
        url=fields.get("url"),
        source=fields.get("source"),
        author=fields.get("author"),
        date=_as_date(fields.get("date")),
        word_count=int(fields.get("word_count") or 0),
        related=related,
    )


RELATED_TERMS = 15


def _related(searcher, docnum: int, limit: int) -> list[ArticleRef]:
    if limit <= 0:
        return []
    fields = searcher.stored_fields(docnum)
    text = f"{fields.get('title') or ''}\n{fields.get('body') or ''}"
    results = searcher.more_like(docnum, TEXT_FIELD, text=text, top=limit, numterms=RELATED_TERMS)
    return [_ref(hit.fields(), hit.score) for hit in results]


def related_articles(handle: IndexHandle, article_id: str, limit: int = 5) -> list[ArticleRef]:
    """Articles most like the given one ("more like this")."""
    with handle.searcher() as searcher:
        return _related(searcher, _docnum(searcher, article_id), limit)


# ----------------------------------------------------------------------------- stats


def index_stats(handle: IndexHandle) -> IndexStats:
    """Document count, sources, date range, size on disk and build facts of the live index."""
    opened = handle.current()
    cached = opened.cache.get("stats")
    if cached is not None:
        return cached
    with handle.searcher() as searcher:
        results = searcher.search(wq.Every(), limit=None, groupedby=_facet_groups())
        facets = _facets(results)
        reader = searcher.reader()
        # Raw column values: articles without a date hold the column's "missing" sentinel.
        raw = reader.column_reader("date", translate=False) if reader.has_column("date") else []
        missing = 2**64 - 1
        dates = [long_to_datetime(v) for v in sorted(set(raw)) if v != missing]
        doc_count = searcher.doc_count()
    size = sum(p.stat().st_size for p in opened.target.iterdir() if p.is_file())
    real_dates = [d.date() for d in dates]
    stats = IndexStats(
        index_dir=str(handle.index_dir),
        build_id=opened.manifest.get("build_id", ""),
        built_at=opened.manifest.get("built_at", ""),
        build_seconds=float(opened.manifest.get("build_seconds", 0.0)),
        doc_count=doc_count,
        size_bytes=size,
        date_min=real_dates[0] if real_dates else None,
        date_max=real_dates[-1] if real_dates else None,
        sources=facets["source"],
    )
    opened.cache["stats"] = stats
    return stats
