"""Collecting a query's results within a budget: the top candidates, the count, facets, date order.

Counting every match was the largest cost of a search (each posting is several Python calls in
Whoosh). So, as Elasticsearch does past 10,000 hits, the total is exact only while it is cheap and
estimated beyond that; the top candidates come from Whoosh's block-quality skipping; facets are
counted over the matches when they were all seen, otherwise over the top candidates and scaled to
the estimate. Whatever is estimated is marked so (``exact=False``) all the way to the API.

Every pass stops at the query's deadline and keeps what it found: a query can be slow to answer
well, never slow to answer.
"""

from __future__ import annotations

import heapq
import math
import time
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from whoosh import collectors
from whoosh import query as wq
from whoosh.util.times import long_to_datetime

from search import accumulate

# Matches are counted one by one (exactly) only while the query's postings add up to at most
# this many; beyond it the total is estimated from document frequencies.
EXACT_COUNT_POSTINGS = 2000
# How often (in matches) the passes look at the clock.
CLOCK_EVERY = 64
_MISSING_DATE = 2**64 - 1  # the raw "date" column's value for articles without a date


class Deadline:
    """The end of a query's work budget."""

    def __init__(self, seconds: float, started: float | None = None):
        self.at = (time.perf_counter() if started is None else started) + seconds
        self.hit = False  # set when a pass stopped early
        # Complete passes of this query that a later pass repeats with other filters (a filtered
        # facet is counted as if its filter were not set): they are filtered afterwards anyway.
        self.memo: dict = {}

    def passed(self) -> bool:
        if time.perf_counter() > self.at:
            self.hit = True
        return self.hit


class DeadlineCollector(collectors.WrappingCollector):
    """Stops feeding matches to ``child`` once the deadline has passed (best so far is kept)."""

    def __init__(self, child, deadline: Deadline):
        super().__init__(child)
        self.deadline = deadline

    def matches(self) -> Iterator[int]:
        for n, docnum in enumerate(self.child.matches(), 1):
            yield docnum
            if not n % CLOCK_EVERY and self.deadline.passed():
                return

    def collect_matches(self) -> None:
        for docnum in self.matches():
            self.collect(docnum)


@dataclass
class Count:
    """How many documents match; ``seen``: all of them when known (for exact facets)."""

    total: int
    exact: bool
    seen: list[int] | None = None
    everything: bool = False  # every live document (minus exclusions) matches: browsing


FILTER_CACHE_SIZE = 64


def doc_sets(searcher, allow_q: wq.Query | None, restrict_q: wq.Query | None, cache=None):
    """The docnums a filter allows and the ones an exclusion removes (None: no constraint).

    ``cache`` (a dict kept per build) remembers recent filters: the same few sources, authors
    and years are clicked again and again, and each costs a walk over its postings.
    """
    return _doc_set(searcher, allow_q, cache), _doc_set(searcher, restrict_q, cache)


def _doc_set(searcher, q: wq.Query | None, cache) -> set[int] | None:
    if q is None:
        return None
    key = repr(q)
    found = cache.get(key) if cache is not None else None
    if found is None:
        found = set(searcher.docs_for_query(q))  # shared: never changed in place
        if cache is not None:
            if len(cache) >= FILTER_CACHE_SIZE:
                cache.pop(next(iter(cache)))
            cache[key] = found
    return found


def top_candidates(
    searcher, q: wq.Query, limit: int, allow, restrict, deadline: Deadline
) -> list[tuple[int, float]]:
    """The best ``limit`` ``(docnum, score)`` for ``q``, with block-quality skipping."""
    collector = DeadlineCollector(collectors.TopCollector(limit, usequality=True), deadline)
    if allow is not None or restrict is not None:
        collector = collectors.FilterCollector(collector, allow, restrict)
    searcher.search_with_collector(q, collector)
    return [(hit.docnum, hit.score) for hit in collector.results()]


def score_all(
    searcher, q: wq.Query, allow, restrict, lengths: accumulate.Lengths, deadline: Deadline
) -> tuple[accumulate.Scored, list] | None:
    """Every match of ``q`` within the filters with its score, term at a time (None: not an OR
    of terms and phrases: Whoosh's own collector takes over). Past the deadline, the matches
    scored so far (``deadline.hit`` tells)."""
    terms = accumulate.flat_terms(q, searcher)
    if terms is None:
        return None
    key = ("accumulate", repr(terms))
    found = deadline.memo.get(key)
    if found is None:
        found = accumulate.accumulate(searcher, terms, lengths, deadline)
        if found is None:
            return None
        if not deadline.hit:
            deadline.memo[key] = found
    scores, matched = found
    if allow is not None or restrict is not None:
        scores = scores.within(allow, restrict)
    return scores, matched


def phrase_alone(
    searcher,
    q: wq.Query,
    depth: int,
    allow,
    restrict,
    lengths: accumulate.Lengths,
    deadline,
    enough: int | None = None,
) -> accumulate.PhraseMatches | None:
    """A query that is one phrase (``"la guerra in ucraina"``): its best ``depth`` matches (at
    least ``enough`` of them), verified best first (see :func:`accumulate.phrase_matches`); None
    for any other query."""
    terms = accumulate.flat_terms(q, searcher)
    if terms is None or len(terms) != 1 or not isinstance(terms[0][1], tuple):
        return None
    fieldname, words, boost = terms[0]
    return accumulate.phrase_matches(
        searcher, fieldname, words, boost, lengths, depth, allow, restrict, deadline, enough=enough
    )


def clause_docs(searcher, clauses: list[wq.Query], matched: list) -> list | None:
    """The documents each clause matched (containers: ``docnum in out[i]``), from the per-term
    ones of :func:`score_all` (the clauses' terms come first in the scored query, clause by
    clause); None if not all flat."""
    out: list = []
    start = 0
    for clause in clauses:
        terms = accumulate.flat_terms(clause, searcher)
        if terms is None:
            return None
        parts = matched[start : start + len(terms)]
        out.append(parts[0] if len(parts) == 1 else accumulate.AnyOf(parts))
        start += len(terms)
    return out if start <= len(matched) else None


def best(scores: dict[int, float], limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best ``(docnum, score)``, ties to the lower docnum (as Whoosh orders them)."""
    items: Iterable[tuple[int, float]] = scores.items()
    if limit > 0 and len(scores) > 4 * limit:
        # The limit-th best score first (plain floats: far cheaper than pairs with a key), then
        # only the pairs at or above it are ordered.
        threshold = heapq.nlargest(limit, scores.values())[-1]
        items = [item for item in items if item[1] >= threshold]
    return sorted(items, key=lambda item: (-item[1], item[0]))[: max(limit, 0)]


def _postings(q: wq.Query, reader) -> int:
    return sum(reader.doc_frequency(f, t) for f, t in q.iter_all_terms())


def _matching(searcher, q: wq.Query, allow, restrict, deadline: Deadline) -> Iterator[int]:
    """Docnums matching ``q`` and the filters, in order, unscored (stops at the deadline)."""
    matcher = q.matcher(searcher, searcher.boolean_context())
    if allow is not None and len(allow) < q.estimate_size(searcher.reader()):
        # A narrow filter: visit its documents and ask the matcher about each.
        for n, docnum in enumerate(sorted(allow), 1):
            if not matcher.is_active():
                return
            if matcher.id() < docnum:
                matcher.skip_to(docnum)
                if not matcher.is_active():
                    return
            if matcher.id() == docnum and (restrict is None or docnum not in restrict):
                yield docnum
            if not n % CLOCK_EVERY and deadline.passed():
                return
        return
    n = 0
    while matcher.is_active():
        docnum = matcher.id()
        if (allow is None or docnum in allow) and (restrict is None or docnum not in restrict):
            yield docnum
        matcher.next()
        n += 1
        if not n % CLOCK_EVERY and deadline.passed():
            return


def count(searcher, q: wq.Query, allow, restrict, deadline: Deadline) -> Count:
    """The number of matches: counted when the postings are few, estimated otherwise."""
    reader = searcher.reader()
    if _postings(q, reader) <= EXACT_COUNT_POSTINGS:
        seen = list(_matching(searcher, q, allow, restrict, deadline))
        if not deadline.hit:
            return Count(len(seen), True, seen)
    return Count(estimate(searcher, q, allow, restrict), False)


def estimate(searcher, q: wq.Query, allow, restrict) -> int:
    """How many documents ``q`` matches within the filters, from document frequencies alone.

    Words are taken as independent (news words co-occur, so this errs high), a word's fields as
    nested (a title word is nearly always a body word too), filters as independent of the words.
    """
    n = searcher.doc_count_all()
    if not n:
        return 0
    share = _share(q, searcher.reader(), n)
    if allow is not None:
        share *= len(allow) / n
    if restrict is not None:
        share *= 1 - len(restrict) / n
    return max(0, round(share * searcher.doc_count()))


def _share(q: wq.Query, reader, n: int) -> float:
    """Estimated fraction of the documents that ``q`` matches."""
    if isinstance(q, wq.Term):
        return reader.doc_frequency(q.fieldname, q.text) / n
    if isinstance(q, wq.Or):
        parts = [_share(sub, reader, n) for sub in q.subqueries]
        texts = {sub.text for sub in q.subqueries if isinstance(sub, wq.Term)}
        if len(texts) == 1 and all(isinstance(sub, wq.Term) for sub in q.subqueries):
            return max(parts, default=0.0)  # one word in several fields
        return 1 - math.prod(1 - p for p in parts)
    if isinstance(q, (wq.And, wq.Phrase)):
        subs = q.subqueries if isinstance(q, wq.And) else [wq.Term(q.fieldname, w) for w in q.words]
        return min((_share(sub, reader, n) for sub in subs), default=0.0)
    if isinstance(q, wq.Every):
        return 1.0
    return min(1.0, q.estimate_size(reader) / n)


# ----------------------------------------------------------------------------- columns


class Columns:
    """Whole columns of one build held as small integer codes (facets, date order), built lazily.

    A few hundred KB per 100,000 articles; kept per build in the handle's cache, so a new build
    never sees an old build's columns. Each call reads through the caller's own reader (Whoosh's
    files are not to be shared between threads).
    """

    def __init__(self):
        self._codes: dict[str, tuple[array, list[str]]] = {}
        self._dates: list[int] | None = None
        self._months: tuple[array, list[str]] | None = None
        self._date_order: dict[bool, list[int]] = {}

    def codes(self, reader, fieldname: str) -> tuple[array, list[str]]:
        """Per docnum, the index of its value in the returned value list ("" for none)."""
        cached = self._codes.get(fieldname)
        if cached is None:
            values: list[str] = [""]
            index = {"": 0}
            codes = array("I")
            for value in _column_values(reader, fieldname, "", translate=True):
                text = value.decode() if isinstance(value, bytes) else str(value or "")
                code = index.get(text)
                if code is None:
                    code = index[text] = len(values)
                    values.append(text)
                codes.append(code)
            cached = self._codes[fieldname] = (codes, values)
        return cached

    def months(self, reader) -> tuple[array, list[str]]:
        """Per docnum, the index of its month ("YYYY-MM") in the returned list ("" for none)."""
        if self._months is None:
            labels: list[str] = [""]
            by_day: dict[int, int] = {_MISSING_DATE: 0}
            index: dict[str, int] = {"": 0}
            codes = array("I")
            for day in self.dates(reader):
                code = by_day.get(day)
                if code is None:
                    moment = long_to_datetime(day)
                    label = f"{moment.year:04d}-{moment.month:02d}"
                    code = index.get(label)
                    if code is None:
                        code = index[label] = len(labels)
                        labels.append(label)
                    by_day[day] = code
                codes.append(code)
            self._months = (codes, labels)
        return self._months

    def dates(self, reader) -> list[int]:
        """Raw sortable date per docnum (``_MISSING_DATE`` for none)."""
        if self._dates is None:
            self._dates = list(_column_values(reader, "date", _MISSING_DATE, translate=False))
        return self._dates

    def date_key(self, reader, newest_first: bool):
        """Sort key over docnums: by date (undated last in both directions), then docnum."""
        dates = self.dates(reader)
        if newest_first:
            return lambda d: (dates[d] == _MISSING_DATE, -dates[d], d)
        return lambda d: (dates[d], d)

    def date_order(self, reader, newest_first: bool) -> list[int]:
        """Every docnum in date order (for browsing without words)."""
        order = self._date_order.get(newest_first)
        if order is None:
            key = self.date_key(reader, newest_first)
            order = sorted(range(len(self.dates(reader))), key=key)
            self._date_order[newest_first] = order
        return order


def _column_values(reader, fieldname: str, missing, translate: bool):
    """One value per document, segment by segment (a segment without the column, such as an
    update's when none of its articles has the field, gives ``missing`` for each document)."""
    for segreader, _ in reader.leaf_readers():
        if segreader.has_column(fieldname):
            yield from segreader.column_reader(fieldname, translate=translate)
        else:
            yield from [missing] * segreader.doc_count_all()


def by_date(
    searcher,
    columns: Columns,
    q: wq.Query | None,
    limit: int,
    allow,
    restrict,
    newest_first: bool,
    deadline: Deadline,
    lengths: accumulate.Lengths | None = None,
) -> tuple[list[int], Count]:
    """The first ``limit`` matches of ``q`` (None: every document) in date order, and the count."""
    reader = searcher.reader()
    if q is None or isinstance(q, wq.Every):
        key = columns.date_key(reader, newest_first)
        if allow is not None:  # filter sets hold live documents only
            wanted = allow - restrict if restrict else allow
            picked = heapq.nsmallest(limit, wanted, key=key)
            return picked, Count(len(wanted), True, list(wanted))
        deleted = reader.has_deletions()
        picked = []
        for d in columns.date_order(reader, newest_first):
            if (restrict is None or d not in restrict) and not (deleted and reader.is_deleted(d)):
                picked.append(d)
                if len(picked) == limit:
                    break
        total = searcher.doc_count() - (len(restrict) if restrict else 0)
        return picked, Count(total, True, None, everything=True)
    docs = None
    if lengths is not None:
        key = ("matching", repr(q))
        docs = deadline.memo.get(key)
        if docs is None:
            docs = deadline.memo[key] = accumulate.matching_docs(searcher, q, lengths)
    if docs is not None:  # from whole posting lists (set operations), else matcher by matcher
        if allow is not None:
            docs = docs & allow
        if restrict is not None:
            docs = docs - restrict
        seen = list(docs)
    else:
        seen = list(_matching(searcher, q, allow, restrict, deadline))
    top = heapq.nsmallest(limit, seen, key=columns.date_key(reader, newest_first))
    if deadline.hit:
        return top, Count(max(len(seen), estimate(searcher, q, allow, restrict)), False)
    return top, Count(len(seen), True, seen)


def facet_counts(
    columns: Columns,
    reader,
    fieldname: str,
    docnums: Iterable[int] | None,
    scale: float = 1.0,
) -> Counter[str]:
    """How many of ``docnums`` (None: all) hold each value of ``fieldname`` (times ``scale``)."""
    codes, values = columns.codes(reader, fieldname)
    if not codes:
        return Counter()
    counted = Counter(codes) if docnums is None else Counter(map(codes.__getitem__, docnums))
    out: Counter[str] = Counter()
    for code, n in counted.items():
        if code:
            out[values[code]] = max(1, round(n * scale)) if scale != 1.0 else n
    return out
