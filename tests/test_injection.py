"""Injection: HTML, scripts and javascript:/data: URLs in every field never run or become links.

Headless Chromium over a real gunicorn (no dialog, no script, no injected element, no link but
http(s) or the site's own), and the Atom feed (well-formed, parsed here, no dangerous link).
"""

from __future__ import annotations

import urllib.parse
import xml.etree.ElementTree as ET

import pytest
from webfixtures import LiveServer, build_corpus_index

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WORD = "pizzica"
SCRIPT = '<script>alert("x")</script>'
IMG = "<img src=x onerror=alert(1)>"
SVG = "\"'><svg onload=alert(1)>"
ATOM = "{http://www.w3.org/2005/Atom}"
DANGEROUS_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.domain)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "//evil.example/x",
]
TOPICS = [
    "il porto di Genova riapre dopo la tempesta",
    "la vendemmia in Toscana finisce in anticipo",
    "un nuovo museo apre a Napoli con una mostra sul mare",
    "i treni regionali del Piemonte restano fermi per lo sciopero",
    "la neve cade abbondante sulle Dolomiti a ottobre",
    "il consiglio comunale di Bari approva il bilancio",
    "una startup di Torino inventa un robot per la raccolta",
]
ARTICLES = [
    {
        "id": f"inj{n}",
        "title": f"Titolo {n} {WORD} {SCRIPT}",
        "author": f"Autore {IMG}",
        "source": f"Fonte {SVG}",
        "url": url,
        "body": f"Oggi {TOPICS[n]}. Il corpo {WORD} {SCRIPT} {IMG} "
        f"<a href=\"javascript:alert(1)\">clic</a> [link](javascript:alert(1)) {SVG}.",
        "date": f"2024-01-{n + 1:02d}",
    }
    for n, url in enumerate(DANGEROUS_URLS)
] + [
    {
        "id": IMG,
        "title": f"Id pericoloso {WORD}",
        "body": f"Un id che è HTML {WORD}.",
        "url": 'https://example.org/"onmouseover="alert(1)',
    },
    {"id": "../../admin", "title": f"Id con percorso {WORD}", "body": f"Percorso {WORD}."},
]

# Every element, attribute and link on the page that injected content could have produced.
AUDIT = """() => {
  const bad = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (attr.name.startsWith("on")) bad.push(el.tagName + " " + attr.name);
    }
    // The page's own: its one script from /static and the server-drawn date histogram.
    const ownScript = el.tagName === "SCRIPT" && !el.textContent
      && new URL(el.src, location.href).pathname === "/static/suggest.js";
    const histogram = el.tagName === "svg" && el.classList.contains("histogram");
    if (!ownScript && !histogram
        && ["IMG", "SVG", "IFRAME", "OBJECT", "EMBED", "SCRIPT", "svg"].includes(el.tagName)) {
      bad.push("element " + el.tagName);
    }
  }
  for (const a of document.querySelectorAll("a[href], link[href], form[action]")) {
    const href = a.href && a.href.baseVal !== undefined ? a.href.baseVal : a.href;  // SVG <a>
    const url = new URL(href || a.action, location.href);
    const ours = url.origin === location.origin;
    if (!ours && !["http:", "https:"].includes(url.protocol)) bad.push("link " + url.href);
    if (!ours && a.closest(".article-facts") === null) bad.push("foreign link " + url.href);
  }
  return bad;
}"""


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    root = tmp_path_factory.mktemp("injection")
    with LiveServer(build_corpus_index(root, ARTICLES), root / "gunicorn.log", workers=1) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    from test_browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def test_nothing_injected_runs_or_links_in_the_browser(browser, live):
    context = browser.new_context()
    context.set_default_timeout(15_000)
    page = context.new_page()
    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    visited = []

    def audit(url: str) -> None:
        response = page.goto(url)
        assert response.status == 200, url
        visited.append(url)
        # The one script is the page's own, from /static (search-as-you-type); nothing injected.
        scripts = page.evaluate("[...document.scripts].map(s => new URL(s.src).pathname)")
        assert scripts == ["/static/suggest.js"], url
        assert page.evaluate(AUDIT) == [], url

    audit(f"{live.url}/search?q={WORD}")
    results = page.url
    # Hits and the near-duplicates folded under them: every article once.
    article_links = page.locator(".hits a[href*='/articles/']").evaluate_all(
        "as => [...new Set(as.map(a => a.href.split('?')[0]))]"
    )
    assert len(article_links) == len(ARTICLES)
    facet_links = page.locator(".facet a").evaluate_all("as => as.map(a => a.href)")
    for url in article_links + facet_links:
        audit(url)
    # Every article page opened (odd ids included) and no original link but https.
    titles = []
    for url in article_links:
        page.goto(url)
        titles.append(page.locator("h1").inner_text())
        originals = page.locator("a.original").evaluate_all("as => as.map(a => a.href)")
        assert all(href.startswith("https://example.org/") for href in originals), originals
    assert sorted(titles) == sorted(a["title"] for a in ARTICLES)
    # Reflected input: the query, the filters.
    for hostile in (SCRIPT, IMG, SVG, "javascript:alert(1)"):
        quoted = urllib.parse.quote(hostile)
        audit(f"{live.url}/search?q={quoted}")
        audit(f"{live.url}/search?q={WORD}&source={quoted}&author={quoted}")
    page.goto(results)
    assert dialogs == [] and errors == [], (dialogs, errors)
    context.close()
    print(f"\ninjection: {len(visited)} pages audited in Chromium, 0 dialogs, 0 injected elements")


# One word only each article holds, so every article is an entry of some feed (near-duplicates
# fold into one entry).
KEYS = ["Genova", "vendemmia", "museo", "Piemonte", "Dolomiti", "Bari", "robot", "pericoloso"]
KEYS.append("Percorso")


def test_atom_feed_is_well_formed_and_links_only_to_http(live):
    entries = {}
    for key in [WORD, *KEYS]:
        status, body = live.get(f"/search.atom?q={key}")
        assert status == 200
        root = ET.fromstring(body)  # well-formed despite everything in the fields
        for entry in root.findall(f"{ATOM}entry"):
            entries[entry.find(f"{ATOM}title").text] = entry
    assert set(entries) == {a["title"] for a in ARTICLES}  # text, not markup
    related = []
    for entry in entries.values():
        for link in entry.findall(f"{ATOM}link"):
            href = link.get("href")
            assert urllib.parse.urlsplit(href).scheme in ("", "http", "https"), href
            if link.get("rel") == "related":
                related.append(href)
        summary = entry.find(f"{ATOM}summary").text
        assert "<script" not in summary and "<img" not in summary and "<svg" not in summary
    assert related == ['https://example.org/"onmouseover="alert(1)']
