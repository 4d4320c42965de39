"""Italian formatting and search links for the templates: 10.372 articoli, 0,02 s, dall'11 aprile.

Links to searches are made from a ``SearchRequest`` (``search_url``), so repeated filters
(``source=Ansa&source=Corriere``) survive every link the page builds.
"""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlencode

from flask import Flask, request, url_for

from search.articles import safe_url
from search.export import EXPORT_LIMIT
from search.request import FILTER_BY_NAME, SearchRequest, from_params

MONTHS = (
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre"
).split()
SHORT_MONTHS = "gen feb mar apr mag giu lug ago set ott nov dic".split()


def number(value: int | float, decimals: int = 0) -> str:
    """``10372`` -> ``10.372``; ``0.0213, 2`` -> ``0,02``."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def italian_date(value: datetime.date | None) -> str:
    """``11 aprile 2025``; the first of the month is ``1º aprile 2025``, as Italian writes it."""
    if value is None:
        return ""
    day = "1º" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def month_label(value: str) -> str:
    """``2024-03`` -> ``marzo 2024``; ``2024`` -> ``2024``."""
    if len(value) == 7:
        return f"{MONTHS[int(value[5:]) - 1]} {value[:4]}"
    return value


def _elides(text: str) -> bool:
    """Whether a word or number starting ``text`` begins with a vowel sound (dall'11, all'8)."""
    if text[:1].isdigit():
        digits = text.split()[0].split("º")[0]
        # 8 (otto), 11 (undici), 80-89 (ottanta…), 800…: the numbers read with a vowel first.
        return digits in ("8", "11") or digits.startswith("8") and len(digits) in (2, 3, 4)
    return text[:1].lower() in "aeiouàèéìòù"


def preposition(prep: str, text: str) -> str:
    """``dal``/``al`` before ``text`` with elision: ``dall'11 aprile``, ``al 3 maggio``."""
    if _elides(text):
        return f"{prep[:-1]}ll'{text}"
    return f"{prep} {text}"


def date_with(prep: str, value: datetime.date | None) -> str:
    """``dall'11 aprile 2025`` / ``al 1º maggio 2025``."""
    return preposition(prep, italian_date(value)) if value else ""


def seconds(milliseconds: float) -> str:
    return number(milliseconds / 1000, 2) + " s"


def plural(count: int, one: str, many: str) -> str:
    return f"{number(count)} {one if count == 1 else many}"


def search_url(req: SearchRequest, endpoint: str = "pages.results", **changes) -> str:
    """The URL of ``req`` with some fields changed; the page goes back to 1 unless given."""
    changes.setdefault("page", 1)
    changed = req.replace(**changes)
    params = changed.to_params()
    return url_for(endpoint) + ("?" + urlencode(params) if params else "")


# URL parameter -> (SearchRequest field, its value when the parameter is removed).
_URL_FIELDS = {
    "q": ("query", ""),
    "sort": ("sort", "relevance"),
    "page": ("page", 1),
    "size": ("size", 10),
    "collapse": ("collapse", False),
    **{f.name: (f.attr, () if f.multi else None) for f in FILTER_BY_NAME.values()},
}


def url_with(**changes) -> str:
    """This search's URL with some URL parameters changed (None removes one; page resets).

    The older spelling of :func:`search_url`, by URL names (``q=``, ``source=``, ``from=``).
    """
    fields = {}
    for name, value in changes.items():
        attr, removed = _URL_FIELDS[name]
        fields[attr] = removed if value is None else value
    endpoint = request.endpoint or "pages.results"
    return search_url(from_params(request.args), endpoint=endpoint, **fields)


def toggle_url(req: SearchRequest, name: str, value: str) -> str:
    """The search with one filter value added, or taken out when already in (dates: cleared)."""
    flt = FILTER_BY_NAME[name]
    if not flt.multi:
        return search_url(req, **{flt.attr: None})
    values = getattr(req, flt.attr)
    toggled = tuple(v for v in values if v != value) if value in values else (*values, value)
    return search_url(req, **{flt.attr: toggled})


def export_url(req: SearchRequest, fmt: str) -> str:
    """The API export of this search (every filter and the sort; not the page)."""
    params = [(k, v) for k, v in req.to_params(page=False) if k != "size"]
    return url_for("api.api_export") + "?" + urlencode([*params, ("format", fmt)])


def day_label(iso: str) -> str:
    """``2025-04-11`` -> ``11 aprile 2025``."""
    return italian_date(datetime.date.fromisoformat(iso))


_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
MATCHES_ANCHOR = "corrispondenze"


def numbered_matches(paragraphs_html: list[str]) -> tuple[list[str], int]:
    """Each highlighted match as a link to the next one (``#m1`` → ``#m2`` …, the last back to
    the list of matches): jumping between matches needs no script. Returns the HTML and the count.
    """
    count = sum(len(_MARK.findall(p)) for p in paragraphs_html)
    seen = 0

    def link(match: re.Match[str]) -> str:
        nonlocal seen
        seen += 1
        target = f"m{seen + 1}" if seen < count else MATCHES_ANCHOR
        label = "corrispondenza successiva" if seen < count else "torna all'elenco"
        return (
            f'<a class="match" id="m{seen}" href="#{target}" title="{seen} di {count}: {label}">'
            f"<mark>{match.group(1)}</mark></a>"
        )

    return [_MARK.sub(link, p) for p in paragraphs_html], count


def http_url(value: str | None) -> str | None:
    """The URL when it may be a link (http or https), else None: ingestion already drops the
    others, this keeps an index built by an older version from producing one."""
    return safe_url(value)[0]


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        number=number,
        italian_date=italian_date,
        month_label=month_label,
        day_label=day_label,
        http_url=http_url,
        seconds=seconds,
    )
    app.jinja_env.globals.update(
        plural=plural,
        date_with=date_with,
        search_url=search_url,
        toggle_url=toggle_url,
        url_with=url_with,
        export_url=export_url,
        export_limit=EXPORT_LIMIT,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
