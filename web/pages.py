"""The pages people use: home, results, article, and the Atom feed of a search."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from search.request import DEFAULT_SIZE, PAGE_SIZES, from_params
from search.searcher import get_article, index_stats, search
from web import get_handle
from web.formatting import numbered_matches, search_url
from web.histogram import histogram_bars

bp = Blueprint("pages", __name__)

SORT_LABELS = {"relevance": "Rilevanza", "-date": "Più recenti", "date": "Meno recenti"}
# Filter parameter -> (facet heading, label on an active-filter chip).
FILTER_LABELS = {
    "source": ("Fonte", "Fonte"),
    "author": ("Autore", "Autore"),
    "year": ("Anno", "Anno"),
    "from": ("Dal", "Dal"),
    "to": ("Al", "Al"),
}


@bp.get("/")
def home():
    if request.args.get("q", "").strip():  # repeated filters survive the redirect
        return redirect(url_for("pages.results") + "?" + request.query_string.decode("latin-1"))
    stats = index_stats(get_handle())
    return render_template("home.html", stats=stats)


@bp.get("/search")
def results():
    req = from_params(request.args)
    browsing = "sort" in request.args  # no words, just the latest (or oldest) articles
    if not req.query.strip() and not req.has_filters and not browsing:
        return redirect(url_for("pages.home"))
    result = search(get_handle(), req)
    return render_template(
        "results.html",
        result=result,
        req=req,
        bars=histogram_bars(result.histogram, req),
        sort_labels=SORT_LABELS,
        filter_labels=FILTER_LABELS,
        page_sizes=PAGE_SIZES,
    )


@bp.get("/articles/<article_id:article_id>")
def article(article_id: str):
    query = request.args.get("q", "").strip()
    view = get_article(get_handle(), article_id, query=query or None)
    paragraphs, matches = numbered_matches(view.paragraphs_html)
    return render_template(
        "article.html",
        article=view,
        query=query,
        paragraphs=paragraphs,
        matches=matches,
        headings=set(view.headings),
    )


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
    req = from_params(request.args, size=current_app.config["FEED_SIZE"], sort="-date", page=1)
    handle = get_handle()
    result = search(handle, req)
    # The feed's own URLs say what was asked (not the sort and size it fixes).
    asked = from_params(request.args, page=1, size=DEFAULT_SIZE)
    shown = req.replace(sort=asked.sort, size=DEFAULT_SIZE)
    dated = [hit.date for hit in result.hits if hit.date]
    # The feed changed when its newest dated article appeared; undated ones carry no date at all.
    built_at = (handle.manifest.get("built_at") or "1970-01-01T00:00:00Z").replace("+00:00", "Z")
    updated = f"{max(dated).isoformat()}T00:00:00Z" if dated else built_at
    body = render_template(
        "feed.xml",
        result=result,
        req=req,
        updated=updated,
        feed_path=search_url(shown, "pages.feed"),
        self_url=_absolute(search_url(shown, "pages.feed")),
        page_url=_absolute(search_url(shown)),
        article_url=lambda article_id, **args: _absolute(
            url_for("pages.article", article_id=article_id, **args)
        ),
        atom_id=_atom_id,
    )
    return Response(body, mimetype="application/atom+xml")
