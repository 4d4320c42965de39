"""What a search asks for, declared once: query, filters, sort, page and size.

The page, the API, the export, the feed and the CLI all build a :class:`SearchRequest` and hand it
to ``search.searcher.search``. URL and API parameters come in through :func:`from_params` and go
back out through :meth:`SearchRequest.to_params`; CLI options map one to one onto the fields.
Validation happens once, when a request is made, and raises ``QueryError`` with a stable
``reason`` (and the values it mentions) so each interface can word it in its own language.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from search.errors import QueryError
from search.metadata import canonical_filter_value

MAX_SIZE = 50
MAX_PAGE = 1000
PAGE_SIZES = (10, 20, 50)  # the choices the page offers; the API takes any size up to MAX_SIZE
DEFAULT_SIZE = 10
SORTS = ("relevance", "date", "-date")  # date: oldest first; -date: newest first
DEFAULT_SORT = "relevance"
# A yes/no parameter (``collapse``): what a URL, a form checkbox or a script may send.
TRUE_VALUES = ("1", "true", "on", "yes")
FALSE_VALUES = ("", "0", "false", "off", "no")

_WHOLE = re.compile(r"[0-9]{1,9}")
_YEAR = re.compile(r"[0-9]{4}")
# What the OpenAPI document publishes for the filters (empty means no filter); parse_day and the
# year check accept exactly these (parse_day also checks the calendar; year 0 does not exist).
YEAR_PATTERN = "^([0-9]{4})?$"
DAY_PATTERN = "^((?!0000)[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?)?$"


@dataclass(frozen=True)
class Filter:
    """One filter: its URL/API parameter (also the CLI option), the request field and the help."""

    name: str
    attr: str
    multi: bool
    help: str
    metavar: str = "VALUE"


# The filters of a search, in display order. Multi-valued ones match any of their values (OR);
# different filters must all match (AND).
FILTERS = (
    Filter(
        "source",
        "sources",
        True,
        "Only articles from this source (any spelling of its name); repeat for several.",
        "NAME",
    ),
    Filter(
        "author",
        "authors",
        True,
        "Only articles by this author (any spelling of the name); repeat for several.",
        "NAME",
    ),
    Filter(
        "year",
        "years",
        True,
        "Only articles of this year (empty: any); repeat for several.",
        "YYYY",
    ),
    Filter(
        "from", "date_from", False, "On or after this day (YYYY-MM-DD, YYYY-MM or YYYY).", "DATE"
    ),
    Filter("to", "date_to", False, "On or before this day (YYYY-MM-DD, YYYY-MM or YYYY).", "DATE"),
)
FILTER_BY_NAME = {f.name: f for f in FILTERS}


def parse_day(value: str | datetime.date | None, name: str) -> datetime.date | None:
    """A ``YYYY-MM-DD`` (or ``YYYY``, ``YYYY-MM``) filter value; a clear error otherwise.

    A year or a month stands for its first day in ``from`` and for its last day in ``to``.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    start = name != "to"
    try:
        if re.fullmatch(r"[0-9]{4}", text):
            return datetime.date(int(text), 1 if start else 12, 1 if start else 31)
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}", text):
            year, month = map(int, text.split("-"))
            if start:
                return datetime.date(year, month, 1)
            if month == 12:  # (9999-12 has no following month to step back from)
                return datetime.date(year, 12, 31)
            return datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            raise ValueError(text)
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise QueryError(
            f"`{name}` must be a date like 2024-02-16 (or 2024, 2024-02); got {text[:40]!r}.",
            reason="bad_date",
            name=name,
            value=text[:40],
        ) from None


def _values(value: str | int | Iterable[str | int] | None) -> tuple[str, ...]:
    """A filter's values: whitespace collapsed, empty ones dropped, repeats removed."""
    if value is None:
        return ()
    items = [value] if isinstance(value, (str, int)) else list(value)
    out: list[str] = []
    for item in items:
        text = " ".join(str(item).split())
        if text and text not in out:
            out.append(text)
    return tuple(out)


def _canonical(kind: str, values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(canonical_filter_value(kind, value) for value in values))


def _whole(name: str, value: Any, maximum: int) -> int:
    text = str(value).strip() if not isinstance(value, int) else str(value)
    if isinstance(value, bool) or not _WHOLE.fullmatch(text) or not 1 <= int(text) <= maximum:
        raise QueryError(
            f"`{name}` must be a whole number from 1 to {maximum}; got {text[:40]!r}.",
            reason="number_range",
            name=name,
            maximum=maximum,
            value=text[:40],
        )
    return int(text)


def _flag(name: str, value: Any) -> bool:
    """A yes/no value: a bool, or one of TRUE_VALUES / FALSE_VALUES as text."""
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip()
    if text in TRUE_VALUES:
        return True
    if text in FALSE_VALUES:
        return False
    raise QueryError(
        f"`{name}` must be 1 or 0 (true or false); got {text[:40]!r}.",
        reason="bad_flag",
        name=name,
        value=text[:40],
    )


@dataclass(frozen=True)
class SearchRequest:
    """One search: the query text, its filters, the order and the page wanted.

    Made from plain values (a single string or several for a multi-valued filter, dates as
    ``date`` or text); everything is checked and normalised on creation.
    """

    query: str = ""
    sources: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    years: tuple[str, ...] = ()
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    sort: str = DEFAULT_SORT
    page: int = 1
    size: int = DEFAULT_SIZE
    # Fold near-identical versions of an article (syndicated copies) under the best-ranked one.
    # Off by default: "who carried this story" is a newsroom's question, and every copy answers it.
    collapse: bool = False

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: normalise in place once
        set_(self, "query", self.query or "")
        # Facet values are canonical (search.metadata): any spelling of a name finds its articles.
        set_(self, "sources", _canonical("source", _values(self.sources)))
        set_(self, "authors", _canonical("author", _values(self.authors)))
        years = _values(self.years)
        for year in years:
            if not _YEAR.fullmatch(year):
                raise QueryError(
                    f"`year` must be a year like 2024; got {year[:40]!r}.",
                    reason="bad_year",
                    value=year[:40],
                )
        set_(self, "years", years)
        start, end = parse_day(self.date_from, "from"), parse_day(self.date_to, "to")
        if start and end and start > end:
            raise QueryError("`from` is after `to`; swap the two dates.", reason="dates_reversed")
        set_(self, "date_from", start)
        set_(self, "date_to", end)
        sort = DEFAULT_SORT if self.sort is None else self.sort
        if sort not in SORTS:
            raise QueryError(
                f"`sort` must be one of {', '.join(SORTS)}; got {str(sort)[:40]!r}.",
                reason="bad_sort",
                value=str(sort)[:40],
            )
        set_(self, "sort", sort)
        set_(self, "page", _whole("page", self.page, MAX_PAGE))
        set_(self, "size", _whole("size", self.size, MAX_SIZE))
        set_(self, "collapse", _flag("collapse", self.collapse))

    def filter_values(self, name: str) -> tuple[str, ...]:
        """The values of one filter by its parameter name, as text (dates in ISO form)."""
        value = getattr(self, FILTER_BY_NAME[name].attr)
        if isinstance(value, tuple):
            return value
        return (value.isoformat(),) if value else ()

    @property
    def has_filters(self) -> bool:
        return any(self.filter_values(f.name) for f in FILTERS)

    def replace(self, **changes: Any) -> SearchRequest:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_params(self, *, page: bool = True) -> list[tuple[str, str]]:
        """URL parameters that :func:`from_params` reads back into an equal request.

        Defaults are left out, so the shortest URL names a search.
        """
        params: list[tuple[str, str]] = []
        if self.query:
            params.append(("q", self.query))
        for f in FILTERS:
            params.extend((f.name, value) for value in self.filter_values(f.name))
        if self.sort != DEFAULT_SORT:
            params.append(("sort", self.sort))
        if self.size != DEFAULT_SIZE:
            params.append(("size", str(self.size)))
        if page and self.page != 1:
            params.append(("page", str(self.page)))
        if self.collapse:
            params.append(("collapse", "1"))
        return params


def _getlist(params: Any, name: str) -> list[str]:
    if hasattr(params, "getlist"):  # werkzeug's MultiDict and friends
        return [str(v) for v in params.getlist(name)]
    value = params.get(name) if isinstance(params, Mapping) else None
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def _last(params: Any, name: str) -> str | None:
    """The parameter's last value as given, or None when it is absent."""
    values = _getlist(params, name)
    return values[-1] if values else None


def from_params(params: Any, **overrides: Any) -> SearchRequest:
    """A request from URL or API parameters (a MultiDict or a dict; filters may repeat).

    Filters left empty mean no filter (an HTML form sends ``from=`` for an empty date field);
    ``page``, ``size`` and ``sort`` are checked as given, so ``page=`` is refused like ``page=x``
    (the OpenAPI document declares them integers and an enum). ``overrides`` fix fields the
    caller decides (the feed's sort and size).
    """
    query = _last(params, "q") or ""  # any length: the engine answers on its beginning
    fields: dict[str, Any] = {"query": query.strip()}
    # Years and days as given, against the patterns the OpenAPI document publishes.
    for value in _getlist(params, "year"):
        if not re.fullmatch(YEAR_PATTERN, value):
            raise QueryError(
                f"`year` must be a year like 2024; got {value[:40]!r}.",
                reason="bad_year",
                value=value[:40],
            )
    for name in ("from", "to"):
        for value in _getlist(params, name):
            if not re.fullmatch(DAY_PATTERN, value):
                raise QueryError(
                    f"`{name}` must be a date like 2024-02-16 (or 2024, 2024-02); "
                    f"got {value[:40]!r}.",
                    reason="bad_date",
                    name=name,
                    value=value[:40],
                )
    for f in FILTERS:
        values = [v for v in _getlist(params, f.name) if v.strip()]
        if f.multi:
            fields[f.attr] = values
        else:
            fields[f.attr] = values[-1].strip() if values else None
    given = {"sort": _last(params, "sort"), "page": _last(params, "page")}
    given["size"] = _last(params, "size")
    given["collapse"] = _last(params, "collapse")
    fields.update({name: value for name, value in given.items() if value is not None})
    fields.update(overrides)
    return SearchRequest(**fields)
