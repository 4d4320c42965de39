"""The one search function (and its companions) behind the CLI, the page and the JSON API.

Callers get plain dataclasses back. ``total`` and the facets are exact while that is cheap and
estimated beyond (``total_exact`` / ``facets_exact`` say which; see search/collecting.py). Results
are cached per worker and per build, keyed on the normalised request.
"""

from __future__ import annotations

import dataclasses
import datetime
import heapq
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Iterator
from typing import Any

from whoosh import collectors, sorting
from whoosh import query as wq
from whoosh.util.times import long_to_datetime

from search import accumulate, collecting
from search import suggest as spelling
from search.duplicates import group_near_duplicates
from search.errors import ArticleNotFoundError, QueryError
from search.export import EXPORT_LIMIT
from search.query import Compiled, compile_query, parse
from search.ranking import DEFAULT, TEXT_FIELD, RankingParams, ranked_searcher, rerank
from search.request import (  # noqa: F401 (re-exported: callers that predate search.request)
    FILTER_BY_NAME,
    MAX_PAGE,
    MAX_SIZE,
    SORTS,
    SearchRequest,
    parse_day,
)
from search.results import (
    ArticleRef,
    ArticleView,
    Correction,
    DateHistogram,
    Export,
    FacetValue,
    Hit,
    IndexStats,
    SearchResult,
    _as_date,
)
from search.schema import unpack_signature
from search.snippets import Highlight, highlight_text, lead, make_snippets
from search.store import IndexHandle, OpenIndex
from search.synonyms import load_synonyms

# Facet (and filter parameter) -> its field; several values of one filter match any of them.
FACETS = {"source": "source_facet", "author": "author_facet", "year": "year"}
MAX_FACET_VALUES = 30
MISSING_DATE = 2**64 - 1  # what the date column holds for an article without a date
# Work budget of one search: past it every pass keeps the best it has found (and the result says
# the count is approximate). Well under gunicorn's timeout, so no query stalls a worker.
WORK_BUDGET_S = 0.5
# An export's matching pass (every match up to the export limit, Whoosh's collector) stops here
# and exports the best it found, the total then estimated and said so.
EXPORT_BUDGET_S = 3.0
RESULT_CACHE_SIZE = 256  # recent results per worker and build (news queries repeat)
# The fewest best matches of a phrase alone found before its candidates' verification may stop
# (short of the rerank depth, which a phrase alone does not use: it is one clause).
PHRASE_ENOUGH = 60
# Facets are counted over every match up to this many; beyond, over the best-ranked candidates,
# scaled to the total (and marked approximate).
EXACT_FACETS_UP_TO = 10000


def _filter_query(compiled: Compiled, request: SearchRequest) -> wq.Query | None:
    parts = [compiled.filter] if compiled.filter is not None else []
    for name, fieldname in FACETS.items():
        values = request.filter_values(name)
        if values:
            terms = [wq.Term(fieldname, value) for value in values]
            parts.append(terms[0] if len(terms) == 1 else wq.Or(terms))
    if request.date_from or request.date_to:
        start, end = request.date_from, request.date_to
        start_at = datetime.datetime.combine(start, datetime.time()) if start else None
        end_at = datetime.datetime.combine(end, datetime.time.max) if end else None
        parts.append(wq.DateRange("date", start_at, end_at))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _matches(
    searcher, compiled: Compiled, sort, depth, allow, restrict, columns, lengths, deadline, enough=1
):
    """The top ``depth`` matches as ``(docnum, score)`` (by BM25F, or by date), their count, and
    the documents each clause matched when the term-at-a-time pass knows them (for the rerank).
    A phrase alone may settle for the top ``enough`` (its rare matches cost the most to find)."""
    if not compiled.clauses or sort != "relevance":
        newest_first = (sort if sort != "relevance" else "-date") == "-date"
        candidates = wq.And(compiled.clauses) if compiled.clauses else None
        docs, count = collecting.by_date(
            searcher, columns, candidates, depth, allow, restrict, newest_first, deadline, lengths
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
        return [(doc, 0.0) for doc in docs], count, None  # sorted: no relevance score
    phrase = collecting.phrase_alone(
        searcher, compiled.scored, depth, allow, restrict, lengths, deadline, enough
    )
    if phrase is not None:
        if phrase.complete and not deadline.hit:
            everyone = list(phrase.scores) if len(phrase.scores) <= EXACT_FACETS_UP_TO else None
            count = collecting.Count(len(phrase.scores), True, everyone)
        else:
            count = collecting.Count(phrase.estimate(), False)
        return collecting.best(phrase.scores, depth), count, [set(phrase.scores)]
    scored = collecting.score_all(searcher, compiled.scored, allow, restrict, lengths, deadline)
    if scored is None:
        ranked = collecting.top_candidates(
            searcher, compiled.scored, depth, allow, restrict, deadline
        )
        return ranked, collecting.count(searcher, compiled.scored, allow, restrict, deadline), None
    scores, matched = scored
    if deadline.hit:  # scored in part: estimate the rest
        total = collecting.estimate(searcher, compiled.scored, allow, restrict)
        count = collecting.Count(max(total, len(scores)), False)
    else:
        everyone = scores.docs.tolist() if len(scores) <= EXACT_FACETS_UP_TO else None
        count = collecting.Count(len(scores), True, everyone)
    clause_docs = collecting.clause_docs(searcher, compiled.clauses, matched)
    return scores.best(depth), count, clause_docs


def _facet_without_own_filter(
    searcher,
    compiled: Compiled,
    request: SearchRequest,
    name: str,
    filters: dict,
    columns: collecting.Columns,
    lengths: accumulate.Lengths,
    deadline: collecting.Deadline,
) -> tuple[list[FacetValue], bool]:
    """A filtered facet's values counted as if it were not set, so more can be added (OR); the
    same matching pass as the search, under its budget. Also says whether the counts are exact."""
    others = request.replace(**{FILTER_BY_NAME[name].attr: ()})
    allow, restrict = collecting.doc_sets(
        searcher, _filter_query(compiled, others), compiled.excluded, filters
    )
    ranked, count, _ = _matches(
        searcher, compiled, request.sort, 1, allow, restrict, columns, lengths, deadline
    )
    docs, scale, exact = _facet_docs(searcher, count, [doc for doc, _ in ranked], restrict)
    counts = collecting.facet_counts(columns, searcher.reader(), FACETS[name], docs, scale)
    return _facet_values(name, counts), exact


def _facet_values(name: str, counts: dict[str, int]) -> list[FacetValue]:
    """A facet's values as shown: years newest first, names most frequent first; the first 30."""
    if name == "year":
        shown = heapq.nlargest(MAX_FACET_VALUES, (k for k in counts if k))
        return [FacetValue(k, counts[k]) for k in shown]
    # The first 30 picked before any is made a FacetValue (an author facet has hundreds).
    shown = heapq.nsmallest(MAX_FACET_VALUES, ((-n, k) for k, n in counts.items() if k))
    return [FacetValue(k, -n) for n, k in shown]


def _facet_lists(counts: dict[str, dict[str, int]]) -> dict[str, list[FacetValue]]:
    return {name: _facet_values(name, counts.get(name, {})) for name in FACETS}


def _columns(opened: OpenIndex) -> collecting.Columns:
    """The build's column codes (per build: a swap starts afresh)."""
    return opened.cache.setdefault("columns", collecting.Columns())


def _facet_docs(searcher, count: collecting.Count, sample: list[int], restrict):
    """The documents to count facets over, the scale to apply, and whether that is exact."""
    if count.seen is not None:
        return count.seen, 1.0, True
    if count.everything:
        reader = searcher.reader()
        if restrict or reader.has_deletions():
            docs = [
                d
                for d in range(reader.doc_count_all())
                if not (restrict and d in restrict) and not reader.is_deleted(d)
            ]
            return docs, 1.0, True
        return None, 1.0, True
    return sample, (count.total / len(sample) if sample else 1.0), False


def _search_facets(searcher, columns, docs, scale) -> dict[str, list[FacetValue]]:
    """Facets over ``docs`` (None: every document), counts times ``scale``."""
    counts = {
        name: collecting.facet_counts(columns, searcher.reader(), fieldname, docs, scale)
        for name, fieldname in FACETS.items()
    }
    return _facet_lists(counts)


def _histogram_of(searcher, columns, docs, scale: float, total: int) -> DateHistogram:
    """Matches per month (oldest first) and how many have no date, from the date column."""
    codes, labels = columns.months(searcher.reader())
    counted = Counter(codes) if docs is None else Counter(map(codes.__getitem__, docs))
    months = {labels[code]: n for code, n in counted.items() if code}
    if scale != 1.0:
        months = {m: max(1, round(n * scale)) for m, n in months.items()}
    values = [FacetValue(month, n) for month, n in sorted(months.items())]
    return DateHistogram(months=values, undated=max(0, total - sum(months.values())))


def search(
    handle: IndexHandle,
    request: SearchRequest | str = "",
    *,
    page: int | None = None,
    size: int | None = None,
    sort: str | None = None,
    source: str | list[str] | None = None,
    author: str | list[str] | None = None,
    year: str | int | list[str] | None = None,
    date_from: str | datetime.date | None = None,
    date_to: str | datetime.date | None = None,
    collapse: bool | None = None,
    with_facets: bool = True,
    with_snippets: bool = True,
    params: RankingParams = DEFAULT,
    typos: bool = True,
) -> SearchResult:
    """Run a search request with filters, ranking, facets, snippets and a spelling suggestion.

    ``request`` is a :class:`SearchRequest`, or the query text with the request's fields as
    keywords (``search(handle, "manovra", page=2, source="Ansa")``).

    ``collapse`` (the request's field) folds near-identical copies under the best-ranked one,
    listed in its ``similar``; off by default, every copy is a hit of its own.

    ``typos`` turns typo tolerance on (unknown words also search their closest spellings).
    """
    started = time.perf_counter()
    request = _as_request(
        request,
        page=page,
        size=size,
        sort=sort,
        sources=source,
        authors=author,
        years=year,
        date_from=date_from,
        date_to=date_to,
        collapse=collapse,
    )
    query, page, size, sort = request.query, request.page, request.size, request.sort
    collapse = request.collapse
    parsed = parse(query)
    synonyms = load_synonyms()
    key = (parsed.text, repr(request.replace(query=parsed.text)), collapse, with_facets)
    key += (with_snippets, params, typos, synonyms.version)
    with handle.reading() as (opened, base):
        cached = _result_cache(opened).get(key)
        if cached is not None:
            return dataclasses.replace(cached, took_ms=(time.perf_counter() - started) * 1000)
        _warm(opened, base)
        # The work budget counts this query's own work, not what a build's first query loads.
        deadline = collecting.Deadline(WORK_BUDGET_S)
        searcher = ranked_searcher(base, params)
        reader = searcher.reader()
        compiled = compile_query(parsed, reader, params, synonyms=synonyms, typos=typos)
        filter_q = _filter_query(compiled, request)
        filters = opened.cache.setdefault("filters", {})
        allow, restrict = collecting.doc_sets(searcher, filter_q, compiled.excluded, filters)
        columns = _columns(opened)
        want = page * size
        depth = max(params.rerank_depth, want * 3 if collapse else want)
        lengths = opened.cache.setdefault("lengths", accumulate.Lengths())
        # What the page needs at least (a phrase alone may stop there: see _matches).
        enough = min(depth, max(PHRASE_ENOUGH, want * 3 if collapse else want))
        ranked, count, clause_docs = _matches(
            searcher, compiled, sort, depth, allow, restrict, columns, lengths, deadline, enough
        )
        if sort == "relevance" and compiled.clauses and not deadline.passed():
            # Past the budget: the BM25F order as it stands.
            ranked = rerank(searcher, compiled.clauses, ranked, params, clause_docs, lengths)
        total = max(count.total, len(ranked))
        facets: dict[str, list[FacetValue]] = {}
        facets_exact = True
        histogram = None
        if with_facets:
            docs_for, scale, facets_exact = _facet_docs(
                searcher, count, [doc for doc, _ in ranked], restrict
            )
            facets = _search_facets(searcher, columns, docs_for, scale)
            for name in FACETS:
                if request.filter_values(name):
                    facets[name], exact = _facet_without_own_filter(
                        searcher, compiled, request, name, filters, columns, lengths, deadline
                    )
                    facets_exact = facets_exact and exact
            histogram = _histogram_of(searcher, columns, docs_for, scale, total)
        if collapse:
            signatures = _signatures(opened, searcher)
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
        suggestion = spelling.suggest_query(parsed.text, compiled.fixes)
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
            corrections=[
                Correction(typed, [spelling.like_typed(typed, fix) for fix in fixes])
                for typed, fixes in compiled.corrections.items()
            ],
            truncated=parsed.truncated,
            histogram=histogram,
        )
        _result_cache(opened).put(key, result)
    return result


def _warm(opened: OpenIndex, searcher) -> None:
    """Load what every search of a build reads, once per build and before a query's work budget
    starts: the spelling pass's terms and the facet columns (a second at 100k articles, which the
    first query's budget would otherwise pay, answering it in part)."""
    if opened.cache.get("warm"):
        return
    reader = searcher.reader()
    spelling.warm(reader)
    columns = _columns(opened)
    for fieldname in FACETS.values():
        columns.codes(reader, fieldname)
    opened.cache["warm"] = True


def _signatures(opened: OpenIndex, searcher):
    """The near-duplicate signature column, opened once per thread and build (opening it reads
    an offset per document: a large share of a fast query's time)."""
    local = opened.cache.get("thread")
    if local is None:
        local = opened.cache.setdefault("thread", threading.local())
    reader = searcher.reader()
    found = getattr(local, "signatures", None)
    if found is None or found[0] is not reader:
        found = local.signatures = (reader, reader.column_reader("dup_sig"))
    return found[1]


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


def _collect(searcher, q, limit, filter_q, mask, groupedby, sortedby=None, deadline=None):
    """Run ``q`` keeping only the top ``limit`` documents while counting (and faceting) all
    (until ``deadline``, if given).

    Whoosh's own ``search(groupedby=…)`` switches to an unlimited collector that scores and sorts
    every match; wrapping a top-N collector in the facet collector keeps facets exact and cheap.
    """
    if sortedby is not None:
        collector = collectors.SortingCollector(sortedby, limit=limit)
    else:
        # Block-quality skipping would make the count and the facets inexact.
        collector = collectors.TopCollector(limit, usequality=False, replace=0)
    if deadline is not None:
        collector = collecting.DeadlineCollector(collector, deadline)
    if groupedby:
        collector = collectors.FacetCollector(collector, groupedby, maptype=sorting.Count)
    if filter_q is not None or mask is not None:
        collector = collectors.FilterCollector(collector, filter_q, mask)
    searcher.search_with_collector(q, collector)
    return collector.results()


def _date_order(newest_first: bool) -> sorting.MultiFacet:
    """Sort by date, articles without a date last in both directions."""
    dated = wq.DateRange("date", datetime.datetime(1000, 1, 1), datetime.datetime(3000, 1, 1))
    return sorting.MultiFacet(
        [
            sorting.QueryFacet({"0": dated}, other="1"),
            sorting.FieldFacet("date", reverse=newest_first),
        ]
    )


def _ranked(
    searcher, compiled: Compiled, sort: str, depth: int, filter_q, groupedby, params, deadline=None
):
    """The collected results (counts, facets) and the top ``depth`` as (docnum, score), ordered
    (the matches found until ``deadline``, if given)."""
    browse = not compiled.clauses
    if browse or sort != "relevance":
        ordered = sort if sort != "relevance" else "-date"
        by_date = _date_order(newest_first=ordered == "-date")
        candidates = compiled.scored if browse else wq.And(compiled.clauses)
        results = _collect(
            searcher,
            candidates,
            depth,
            filter_q,
            compiled.excluded,
            groupedby,
            sortedby=by_date,
            deadline=deadline,
        )
        if not results.scored_length() and len(compiled.clauses) > 1:
            results = _collect(
                searcher,
                compiled.scored,
                depth,
                filter_q,
                compiled.excluded,
                groupedby,
                sortedby=by_date,
                deadline=deadline,
            )
        ranked = [(hit.docnum, 0.0) for hit in results]  # sorted: no relevance score
    else:
        results = _collect(
            searcher, compiled.scored, depth, filter_q, compiled.excluded, groupedby, None, deadline
        )
        ranked = rerank(
            searcher, compiled.clauses, [(hit.docnum, hit.score) for hit in results], params
        )
    return results, ranked


def export_hits(
    handle: IndexHandle,
    request: SearchRequest,
    *,
    limit: int = EXPORT_LIMIT,
    with_snippets: bool = True,
    params: RankingParams = DEFAULT,
) -> Export:
    """Every match of ``request`` in its order, up to ``limit``, near-duplicates included.

    ``page`` and ``size`` are ignored. The matches are found now (so ``total`` is known before
    the first row); their fields and snippets are read as ``hits`` is iterated. A search whose
    matches take longer than :data:`EXPORT_BUDGET_S` to find exports the best of those found,
    with the total estimated (``total_exact`` false).
    """
    started = time.perf_counter()
    parsed = parse(request.query)
    synonyms = load_synonyms()
    deadline = collecting.Deadline(EXPORT_BUDGET_S, started)
    with handle.searcher() as base:
        searcher = ranked_searcher(base, params)
        compiled = compile_query(parsed, searcher.reader(), params, synonyms=synonyms)
        filter_q = _filter_query(compiled, request)
        results, ranked = _ranked(
            searcher, compiled, request.sort, limit, filter_q, None, params, deadline
        )
        total = results.estimated_length() if not results.has_exact_length() else len(results)
        found = None
        if deadline.hit:
            allow, restrict = collecting.doc_sets(searcher, filter_q, compiled.excluded)
            guess = collecting.estimate(searcher, compiled.scored, allow, restrict)
            found, total = len(results), max(len(results), guess)
        terms = Highlight(compiled.stems, compiled.exact, compiled.phrases)

    def hits() -> Iterator[Hit]:
        # The searcher stays usable: the handle keeps it open for this thread (and this closure
        # keeps the handle alive: a dropped handle closes its searchers).
        assert handle is not None
        for doc, score in ranked[:limit]:
            yield _hit(searcher.stored_fields(doc), score, terms, with_snippets, [])

    return Export(
        request=request,
        total=total,
        limit=limit,
        hits=hits(),
        total_exact=not deadline.hit,
        found=found,
    )


def _as_request(request: SearchRequest | str, **fields: Any) -> SearchRequest:
    """The request itself, or one made from query text and keyword fields."""
    given = {name: value for name, value in fields.items() if value is not None}
    if isinstance(request, SearchRequest):
        return request.replace(**given) if given else request
    return SearchRequest(query=request or "", **given)


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
        raise ArticleNotFoundError(
            f"No article with id {article_id!r} in the index.", article_id=article_id
        )
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
            compiled = compile_query(parsed, searcher.reader(), synonyms=load_synonyms())
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
        headings=[int(i) for i in fields.get("headings") or []],
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
        reader = searcher.reader()
        everything = collecting.Count(searcher.doc_count(), True, everything=True)
        live, _, _ = _facet_docs(searcher, everything, [], None)
        sources = collecting.facet_counts(collecting.Columns(), reader, "source_facet", live)
        # Raw column values: articles without a date hold the column's "missing" sentinel.
        raw = reader.column_reader("date", translate=False) if reader.has_column("date") else []
        dates = [long_to_datetime(v) for v in sorted(set(raw)) if v != MISSING_DATE]
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
        sources=_facet_values("source", sources),
    )
    opened.cache["stats"] = stats
    return stats
