"""What the engine hands back: plain dataclasses with ``to_dict()`` for JSON.

The search core (``search.searcher``), the CLI, the pages and the API all speak these types.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FacetValue:
    value: str
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "count": self.count}


@dataclass
class ArticleRef:
    """A short reference to an article (near-duplicates, related articles)."""

    id: str
    title: str
    source: str | None
    date: datetime.date | None
    score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {"id": self.id, "title": self.title, "source": self.source, "date": _iso(self.date)}
        if self.score is not None:
            out["score"] = round(self.score, 4)
        return out


@dataclass
class Hit:
    id: str
    title: str
    title_html: str  # escaped, query words in <mark>
    title_derived: bool
    url: str | None
    source: str | None
    author: str | None
    date: datetime.date | None
    score: float
    snippets: list[str]  # escaped HTML with <mark>; the lead when only the title matched
    word_count: int
    similar: list[ArticleRef] = field(default_factory=list)  # collapsed near-duplicates

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "source": self.source,
            "author": self.author,
            "date": _iso(self.date),
            "score": round(self.score, 4),
            "snippets": self.snippets,
            "similar": [ref.to_dict() for ref in self.similar],
        }


@dataclass
class Correction:
    """A query word that was also searched in its closest indexed spellings (typo tolerance)."""

    typed: str
    searched: list[str]  # as the person would write them ("Witkof" -> ["Witkoff"])

    def to_dict(self) -> dict[str, Any]:
        return {"typed": self.typed, "searched": self.searched}


# Why only the beginning of a query was searched: "words" (over 64) or "characters" (over 500).
TRUNCATIONS = ("words", "characters")


@dataclass
class DateHistogram:
    """How many matches fall in each month (``YYYY-MM``, oldest first), and how many are undated."""

    months: list[FacetValue]
    undated: int

    def years(self) -> list[FacetValue]:
        """The same counts summed per year."""
        totals: dict[str, int] = {}
        for month in self.months:
            totals[month.value[:4]] = totals.get(month.value[:4], 0) + month.count
        return [FacetValue(year, n) for year, n in sorted(totals.items())]

    def to_dict(self) -> dict[str, Any]:
        return {"months": [m.to_dict() for m in self.months], "undated": self.undated}


@dataclass
class SearchResult:
    query: str
    total: int
    page: int
    size: int
    took_ms: float
    suggestion: str | None
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    sort: str = "relevance"
    total_exact: bool = True  # False: ``total`` is an estimate ("circa")
    facets_exact: bool = True  # False: facet counts come from a sample, scaled to ``total``
    corrections: list[Correction] = field(default_factory=list)  # typo tolerance applied
    truncated: str | None = None  # one of TRUNCATIONS when only the beginning was searched

    @property
    def also_searched(self) -> list[str]:
        """Every correction searched, in query order (the page's "Risultati anche per")."""
        return [word for c in self.corrections for word in c.searched]

    histogram: DateHistogram | None = None  # None when facets were not asked for

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size)) if self.total else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "total_exact": self.total_exact,
            "page": self.page,
            "size": self.size,
            "took_ms": round(self.took_ms, 1),
            "suggestion": self.suggestion,
            "corrections": [c.to_dict() for c in self.corrections],
            "truncated": self.truncated,
            "hits": [hit.to_dict() for hit in self.hits],
            "facets": {k: [v.to_dict() for v in vals] for k, vals in self.facets.items()},
            "facets_exact": self.facets_exact,
            "histogram": self.histogram.to_dict() if self.histogram else None,
        }


def _iso(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _as_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


@dataclass
class ArticleView:
    id: str
    title: str
    title_html: str
    title_derived: bool
    body: str
    paragraphs_html: list[str]  # escaped, query words in <mark> when a query was given
    url: str | None
    source: str | None
    author: str | None
    date: datetime.date | None
    word_count: int
    related: list[ArticleRef]
    headings: list[int] = field(default_factory=list)  # paragraphs that are subheadings

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "title_derived": self.title_derived,
            "url": self.url,
            "source": self.source,
            "author": self.author,
            "date": _iso(self.date),
            "word_count": self.word_count,
            "body": self.body,
            "headings": self.headings,
            "related": [ref.to_dict() for ref in self.related],
        }


@dataclass
class IndexStats:
    index_dir: str
    build_id: str
    built_at: str
    build_seconds: float
    doc_count: int
    size_bytes: int
    date_min: datetime.date | None
    date_max: datetime.date | None
    sources: list[FacetValue]

    def to_dict(self) -> dict[str, Any]:
        return {
            "index_dir": self.index_dir,
            "build_id": self.build_id,
            "built_at": self.built_at,
            "build_seconds": self.build_seconds,
            "doc_count": self.doc_count,
            "size_bytes": self.size_bytes,
            "date_min": _iso(self.date_min),
            "date_max": _iso(self.date_max),
            "sources": [v.to_dict() for v in self.sources],
        }


@dataclass
class Export:
    """A search's matches for export: how many there are, how many will come, and the hits."""

    request: Any  # the SearchRequest exported
    total: int
    limit: int
    hits: Iterator[Hit]
    # False: the matching pass ran out of its work budget; ``total`` is then an estimate and the
    # rows are the best of the matches it found (``found`` of them).
    total_exact: bool = True
    found: int | None = None

    @property
    def count(self) -> int:
        """Rows the export holds: every match, up to the limit (or every match found)."""
        return min(self.total if self.found is None else self.found, self.limit)

    @property
    def truncated(self) -> bool:
        return self.total > self.count
