"""The pages people use: home, results, article, and the Atom feed of a search."""

from __future__ import annotations

import datetime

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from search.searcher import get_article, index_stats, search
from web import get_handle
from web.params import has_filters, search_kwargs

bp = Blueprint("pages", __name__)

SORT_LABELS = {"relevance": "Rilevanza", "-date": "Più recenti", "date": "Meno recenti"}
FILTER_LABELS = {
    "source": "Fonte",
    "author": "Autore",
    "year": "Anno",
    "from": "Dal",
    "to": "Al",
}


@bp.get("/")
def home():
    if request.args.get("q", "").strip():
        return redirect(url_for("pages.results", **request.args.to_dict()))
    stats = index_stats(get_handle())
    return render_template("home.html", stats=stats)


def active_filters(kwargs: dict) -> list[tuple[str, str, str]]:
    """(argument, label, value) of each filter in use, in a fixed order."""
    values = {
        "source": kwargs["source"],
        "author": kwargs["author"],
        "year": kwargs["year"],
        "from": kwargs["date_from"],
        "to": kwargs["date_to"],
    }
    return [(name, FILTER_LABELS[name], value) for name, value in values.items() if value]


@bp.get("/search")
def results():
    kwargs = search_kwargs(request.args, size=current_app.config["PAGE_SIZE"])
    browsing = "sort" in request.args  # no words, just the latest (or oldest) articles
    if not kwargs["query"].strip() and not has_filters(kwargs) and not browsing:
        return redirect(url_for("pages.home"))
    result = search(get_handle(), **kwargs)
    return render_template(
        "results.html",
        result=result,
        args=kwargs,
        filters=active_filters(kwargs),
        sort_labels=SORT_LABELS,
    )


@bp.get("/articles/<article_id:article_id>")
def article(article_id: str):
    query = request.args.get("q", "").strip()
    view = get_article(get_handle(), article_id, query=query or None)
    return render_template("article.html", article=view, query=query)


def _rfc3339(day: datetime.date | None, fallback: str) -> str:
    if day is None:
        return fallback
    return f"{day.isoformat()}T00:00:00Z"


def _absolute(path: str) -> str:
    """``RASSEGNA_BASE_URL`` + path, or the path alone: never built from the Host header."""
    return current_app.config["BASE_URL"] + path


def _atom_id(path: str) -> str:
    """Atom ids must be absolute IRIs: the public URL when configured, else a URN of the path."""
    if current_app.config["BASE_URL"]:
        return _absolute(path)
    return "urn:rassegna:" + path.lstrip("/")


@bp.get("/search.atom")
def feed():
    kwargs = search_kwargs(request.args, size=current_app.config["FEED_SIZE"], sort="-date")
    kwargs["page"] = 1
    handle = get_handle()
    result = search(handle, **kwargs)
    built_at = handle.manifest.get("built_at") or "1970-01-01T00:00:00Z"
    built_at = built_at.replace("+00:00", "Z")
    updated = max((_rfc3339(hit.date, built_at) for hit in result.hits), default=built_at)
    body = render_template(
        "feed.xml",
        result=result,
        updated=updated,
        built_at=built_at,
        rfc3339=_rfc3339,
        self_url=_absolute(url_for("pages.feed", **request.args.to_dict())),
        page_url=_absolute(url_for("pages.results", **request.args.to_dict())),
        article_url=lambda article_id, **args: _absolute(
            url_for("pages.article", article_id=article_id, **args)
        ),
        atom_id=_atom_id,
    )
    return Response(body, mimetype="application/atom+xml")
