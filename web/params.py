"""Turning query-string arguments into keyword arguments for ``search.searcher.search``.

Shared by the page, the feed and the API so all three accept the same URLs. Bad values raise
``QueryError`` with a message a person can act on (a 400, never a 500).
"""

from __future__ import annotations

import re
from typing import Any

from werkzeug.datastructures import MultiDict

from search.errors import QueryError
from search.query import MAX_QUERY_CHARS
from search.searcher import MAX_PAGE, MAX_SIZE, SORTS, parse_day

_WHOLE = re.compile(r"[0-9]{1,9}")
# The OpenAPI document publishes these patterns; the values are checked against them as given
# (an empty value means "no filter"), so the document and the behaviour agree.
YEAR_PATTERN = "^([0-9]{4})?$"
# YYYY, YYYY-MM or YYYY-MM-DD (a real day: the calendar is checked too); year 0 does not exist.
DAY_PATTERN = "^((?!0000)[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?)?$"

# URL argument -> searcher keyword; the page, feed and API use the same names.
FILTERS = ("source", "author", "year", "from", "to")


def _whole(args: MultiDict, name: str, default: int, maximum: int) -> int:
    if name not in args:
        return default
    raw = args.get(name, "")  # as given: the OpenAPI document says integer, so '' is refused
    if not _WHOLE.fullmatch(raw) or not 1 <= int(raw) <= maximum:
        raise QueryError(f"`{name}` must be a whole number from 1 to {maximum}; got {raw[:40]!r}.")
    return int(raw)


def _text(args: MultiDict, name: str) -> str | None:
    value = " ".join(args.get(name, "").split())
    return value or None


def _day(args: MultiDict, name: str) -> str | None:
    """A date filter as given, checked against DAY_PATTERN and the calendar (name in messages)."""
    value = args.get(name, "")
    if not re.fullmatch(DAY_PATTERN, value):
        raise QueryError(
            f"`{name}` must be a date like 2024-02-16 (or 2024, 2024-02); got {value[:40]!r}."
        )
    parse_day(value, name)
    return value or None


def search_kwargs(args: MultiDict, *, size: int | None = None, sort: str | None = None) -> dict:
    """Validated keyword arguments for ``search()`` from request args (q, page, size, sort, …)."""
    chosen_sort = sort or args.get("sort", "relevance")
    if chosen_sort not in SORTS:
        raise QueryError(f"`sort` must be one of {', '.join(SORTS)}; got {chosen_sort[:40]!r}.")
    year = args.get("year", "")
    if not re.fullmatch(YEAR_PATTERN, year):
        raise QueryError(f"`year` must be a year like 2024; got {year[:40]!r}.")
    date_from, date_to = _day(args, "from"), _day(args, "to")
    query = args.get("q", "")
    if len(query) > MAX_QUERY_CHARS:  # as given, like the document's maxLength (the engine
        raise QueryError(  # counts after dropping control characters and outer spaces)
            f"The query is {len(query):,} characters long; the limit is {MAX_QUERY_CHARS}. "
            "Shorten it to the words that matter."
        )
    return {
        "query": query,
        "page": _whole(args, "page", 1, MAX_PAGE),
        "size": size if size is not None else _whole(args, "size", 10, MAX_SIZE),
        "sort": chosen_sort,
        "source": _text(args, "source"),
        "author": _text(args, "author"),
        "year": year or None,
        "date_from": date_from,
        "date_to": date_to,
    }


def has_filters(kwargs: dict[str, Any]) -> bool:
    return any(kwargs[k] for k in ("source", "author", "year", "date_from", "date_to"))
