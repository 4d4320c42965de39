"""Search results as CSV or JSON Lines rows, for spreadsheets and scripts (web and CLI alike).

CSV choices, for LibreOffice and Excel: UTF-8 with a byte-order mark (Excel reads the encoding
from it; without it accented letters come out garbled), comma-separated with double-quote quoting
as in RFC 4180, CRLF line ends. A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return gets a leading apostrophe, so a spreadsheet shows it as text instead of running
it as a formula ("formula injection"). JSON Lines rows hold the values unchanged.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterable, Iterator

from search.errors import QueryError
from search.results import Hit

EXPORT_LIMIT = 10_000  # rows, for the API and the CLI alike
COLUMNS = ("id", "title", "date", "source", "author", "url", "score", "snippet")
FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TAG = re.compile(r"<[^>]*>")


def plain_snippet(fragment: str) -> str:
    """A snippet's escaped HTML (with ``<mark>``) as plain text."""
    return " ".join(html.unescape(_TAG.sub("", fragment)).split())


def row(hit: Hit) -> dict[str, object]:
    """One hit as an export row (the values, in :data:`COLUMNS` order)."""
    return {
        "id": hit.id,
        "title": hit.title,
        "date": hit.date.isoformat() if hit.date else None,
        "source": hit.source,
        "author": hit.author,
        "url": hit.url,
        "score": round(hit.score, 4),
        "snippet": " … ".join(plain_snippet(s) for s in hit.snippets),
    }


def safe_cell(value: object) -> str:
    """A CSV cell: empty for None, and text a spreadsheet would run as a formula defused."""
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_lines(hits: Iterable[Hit], *, bom: bool = True) -> Iterator[str]:
    """The CSV export, a header line then one line per hit (streamable)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(COLUMNS)
    yield (BOM if bom else "") + take()
    for hit in hits:
        values = row(hit)
        writer.writerow([safe_cell(values[name]) for name in COLUMNS])
        yield take()


def jsonl_lines(hits: Iterable[Hit]) -> Iterator[str]:
    """The JSON Lines export, one object per hit with the :data:`COLUMNS` keys."""
    for hit in hits:
        yield json.dumps(row(hit), ensure_ascii=False) + "\n"


def lines(hits: Iterable[Hit], fmt: str) -> Iterator[str]:
    """The export in ``fmt`` (``csv`` or ``jsonl``)."""
    return csv_lines(hits) if fmt == "csv" else jsonl_lines(hits)


def check_format(fmt: str) -> str:
    """``fmt`` when it is an export format; a QueryError naming the choices otherwise."""
    fmt = (fmt or "csv").strip().lower()
    if fmt not in FORMATS:
        raise QueryError(
            f"`format` must be one of {', '.join(FORMATS)}; got {fmt[:40]!r}.",
            reason="bad_format",
            value=fmt[:40],
        )
    return fmt
