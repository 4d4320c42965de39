"""Every page a person reads is Italian: each template and each error path, scanned for English.

The text a person sees (and what screen readers say: title, aria-label, placeholder) is taken from
every page the app can render — home, results in all their states, the article, every engine
error reason, HTTP errors, no index, an index of another version — and must hold no English word
from the list below. The API keeps its English messages (tested in test_api.py).
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from search.store import live_target
from web import create_app
from web.messages import ENGINE_MESSAGES

# Words that are English and never Italian ("date", "no", "in", "a" are left out: Italian too).
ENGLISH = set(
    """the and of must is are was be not with from to after before got only please found whole
    number page search results result run first error invalid internal server method allowed swap
    limit shorten matter words letters supported characters wildcards query index article
    articles previous next back home filter filters sort newest oldest relevance export suggest
    suggestions loading close""".split()
)
SEEN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")


class VisibleText(HTMLParser):
    """The words a person reads or hears: text outside <code>/<kbd>/<script>/<style>, plus the
    spoken attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("code", "kbd", "script", "style"):
            self.hidden += 1
        for name, value in attrs:
            if name in SEEN_ATTRIBUTES and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("code", "kbd", "script", "style"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def english_words(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    text = " ".join(parser.parts)
    text = text.replace("JSON Lines", "").replace("Feed Atom", "").replace("API", "")
    return sorted({w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in ENGLISH})


# Every URL below renders a different template or error path.
PAGES = [
    ("/", 200),
    ("/search?q=manovra", 200),
    ("/search?q=manovra&source=Ansa&source=Corriere&year=2025&from=2025-01&to=2025-12", 200),
    ("/search?q=manovr", 200),  # spelling suggestion
    ("/search?q=zzzqqq&source=Ansa", 200),  # nothing found, with a filter
    ("/search?q=manovra&page=50", 200),  # past the last page
    ("/search?sort=-date&size=2&page=2", 200),  # browsing, paginated
    ("/articles/a01?q=manovra", 200),
    ("/articles/a09?q=zzzqqq", 200),  # no match in the text, no url
    ("/articles/nope", 404),
    ("/nowhere", 404),
    ("/search?q=manovra&page=abc", 400),
    ("/search?q=manovra&size=0", 400),
    ("/search?q=manovra&sort=best", 400),
    ("/search?q=manovra&from=ieri", 400),
    ("/search?q=manovra&to=domani", 400),
    ("/search?q=manovra&from=2025-02-01&to=2025-01-01", 400),
    ("/search?q=manovra&year=duemila", 400),
    ("/search?q=" + "parola+" * 100, 400),
    ("/search?q=" + "+".join(f"w{n}" for n in range(70)), 400),
    ('/search?q="negoz*"', 400),
    ("/search?q=negoz*io", 400),
    ("/search?q=ab*", 400),
]


def test_every_engine_reason_has_an_italian_message():
    """Each reason the engine raises (found in its source) and each error code has a message."""
    from search import errors, export, query, request, searcher

    raised = set()
    for module in (errors, export, query, request, searcher):
        source = Path(module.__file__).read_text("utf-8")
        raised |= set(re.findall(r'reason="([a-z_]+)"', source))
    assert raised and raised <= set(ENGINE_MESSAGES), raised - set(ENGINE_MESSAGES)
    classes = [c for c in vars(errors).values() if isinstance(c, type) and hasattr(c, "code")]
    codes = {cls.code for cls in classes} - {"error"}
    # Locks and failed builds only happen to the CLI's `index`/`update`, never on a page.
    # (and a bad setting stops `rassegna serve` before the app starts).
    assert codes - {"index_locked", "build_failed", "bad_config"} <= set(ENGINE_MESSAGES)


@pytest.mark.parametrize(("url", "status"), PAGES)
def test_no_english_on_pages(client, url, status):
    response = client.get(url)
    assert response.status_code == status, url
    html = response.get_data(as_text=True)
    assert english_words(html) == [], url
    assert "`" not in html.split("<main", 1)[1], "no literal backticks on the page"


def test_no_english_on_http_errors_and_500(app, client, monkeypatch):
    assert english_words(client.post("/search").get_data(as_text=True)) == []  # 405

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("web.pages.index_stats", broken)
    app.logger.disabled = True
    response = client.get("/")
    assert response.status_code == 500
    assert english_words(response.get_data(as_text=True)) == []


def test_no_english_without_an_index_or_with_an_old_one(index_dir, tmp_path):
    missing = create_app({"INDEX_DIR": str(tmp_path / "missing")}).test_client()
    for url in ("/", "/search?q=manovra", "/articles/a01"):
        response = missing.get(url)
        assert response.status_code == 503
        assert english_words(response.get_data(as_text=True)) == []

    copy = tmp_path / "old"
    shutil.copytree(index_dir, copy, symlinks=True)
    manifest_path = live_target(copy) / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    manifest["schema_version"] = -1
    manifest_path.write_text(json.dumps(manifest), "utf-8")
    old = create_app({"INDEX_DIR": str(copy)})
    response = old.test_client().get("/search?q=manovra")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert english_words(html) == []
    assert "va ricostruito" in html and "Per ricostruire l'indice" in html
    old.extensions["rassegna"].close()


def test_the_scanner_catches_english(client):
    assert english_words("<p>The query must be shorter</p>") == ["The", "be", "must", "query"]
    assert english_words('<a aria-label="Next page">→</a>') == ["Next", "page"]
    assert english_words("<p>Usa <code>a OR b</code></p>") == []


def test_the_scanned_pages_render_every_template(app, client):
    from flask import template_rendered

    rendered: set[str] = set()

    def record(sender, template, context, **extra):
        rendered.add(template.name)

    template_rendered.connect(record, app)
    try:
        for url, _ in PAGES:
            client.get(url)
    finally:
        template_rendered.disconnect(record, app)
    templates = Path(app.root_path, "templates")
    # base.html and _macros.html are not rendered alone: every page extends or imports them.
    pages = {p.name for p in templates.glob("*.html")} - {"base.html", "_macros.html"}
    assert rendered == pages
