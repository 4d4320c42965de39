"""Headless Chromium (Playwright, the system browser) against a real gunicorn over a real index.

Saves screenshots of the results page to artifacts/screenshots/ (desktop 1280 px, phone 375 px).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from webfixtures import ARTICLES, PROJECT_ROOT, LiveServer, build_corpus_index

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("RASSEGNA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
TIMEOUT_MS = 15_000

TOPICS = [
    ("sanità", "ospedali e medici di base", "le regioni chiedono più personale"),
    ("scuola", "edilizia scolastica e nuove aule", "i presidi accolgono la misura"),
    ("pensioni", "quota 103 e uscite anticipate", "i sindacati restano critici"),
    ("casa", "bonus edilizi e mutui giovani", "i costruttori chiedono stabilità"),
    ("imprese", "cuneo fiscale e assunzioni", "Confindustria apprezza il taglio"),
    ("famiglie", "assegno unico e asili nido", "le associazioni parlano di primo passo"),
    ("trasporti", "treni regionali e autobus elettrici", "i pendolari attendono i fondi"),
    ("energia", "bollette e rinnovabili", "le associazioni dei consumatori vigilano"),
    ("cultura", "musei e biblioteche", "gli operatori del settore protestano"),
    ("sud", "zona economica speciale e infrastrutture", "i governatori del Mezzogiorno"),
    ("difesa", "spese militari e missioni", "il dibattito divide la maggioranza"),
    ("ambiente", "dissesto idrogeologico e bonifiche", "gli ambientalisti chiedono di più"),
]
LONG_WORD = "Precipitevolissimevolmente" * 4


def extra_articles() -> list[dict]:
    """Enough distinct "manovra" articles for two pages, and one with very long unbroken text."""
    articles = []
    for n, (topic, detail, reaction) in enumerate(TOPICS):
        articles.append(
            {
                "id": f"m{n:02d}",
                "title": f"Manovra e {topic}: cosa cambia per {detail}",
                "body": f"Il capitolo della manovra dedicato a {topic} riguarda {detail}. "
                f"Secondo le prime reazioni {reaction}.\n\nIl testo arriverà in aula a "
                f"{['gennaio', 'marzo', 'maggio', 'luglio'][n % 4]} dopo l'esame in commissione.",
                "source": ["Ansa", "Corriere", "Repubblica"][n % 3],
                "author": ["Redazione", "Mario Rossi", "Giulia Bianchi", "Anna Galli"][n % 4],
                "date": f"2024-{n % 12 + 1:02d}-{n + 3:02d}",
                "url": f"https://example.org/manovra/{topic}",
            }
        )
    articles.append(
        {
            "id": "long",
            "title": f"Manovra {LONG_WORD}",
            "body": f"Un testo con una parola lunghissima {LONG_WORD} e un indirizzo "
            "https://example.org/" + "percorso/" * 30 + " nella manovra.",
            "source": "Blog",
            "author": None,
            "date": "2022-01-01",
            "url": "https://example.org/" + "molto-lungo-" * 20,
        }
    )
    return articles


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    index_dir = build_corpus_index(root, ARTICLES + extra_articles())
    server = LiveServer(index_dir, root / "gunicorn.log", workers=2)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: the browser tests need it. Install it "
            "(`apt-get install chromium`, as CI does) or run `make test`; set RASSEGNA_CHROMIUM "
            "to use another binary.",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is missing: `pip install -e '.[test]'`.", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="it-IT")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 375, "height": 812},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def hit_ids(page) -> list[str]:
    hrefs = page.locator(".hit-title a").evaluate_all("links => links.map(a => a.pathname)")
    return [href.rsplit("/", 1)[1] for href in hrefs]


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_search_facet_sort_paginate_open_and_go_back(page, live):
    page.goto(live.url + "/")
    assert page.evaluate("document.activeElement.id") == "q"  # autofocus
    page.keyboard.type("manovra")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=manovra$"))
    assert page.locator("#q").input_value() == "manovra"
    assert page.locator(".summary strong").inner_text() == "18 risultati"
    assert page.locator(".hits mark").count() > 10
    assert page.locator(".hits .hit").count() == 10

    # Facet: source ANSA (the corpus spells it "Ansa"; facets show the canonical name).
    page.locator(".facet a", has_text="ANSA").first.click()
    page.wait_for_url(re.compile(r"source=ANSA"))
    assert set(page.locator(".hit .meta-source").all_inner_texts()) == {"ANSA"}
    assert " ".join(page.locator(".chip").text_content().split()) == "Fonte: ANSA ×"

    # Sort: newest first.
    page.get_by_role("link", name="Più recenti").click()
    page.wait_for_url(re.compile(r"sort=-date"))
    dates = page.locator(".hit time").evaluate_all("ts => ts.map(t => t.dateTime)")
    assert dates == sorted(dates, reverse=True) and len(dates) > 2

    # Remove the filter (keyboard), then go to page 2.
    page.locator(".chip").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=manovra&sort=-date$"))
    first_page = hit_ids(page)
    page.get_by_role("link", name="Successiva →").click()
    page.wait_for_url(re.compile(r"page=2"))
    second_page = hit_ids(page)
    assert second_page and not set(second_page) & set(first_page)
    assert page.locator('.pagination a[aria-current="page"]').inner_text() == "2"
    results_url = page.url

    # Open an article: query words highlighted, original link safe.
    page.locator(".hit-title a").first.click()
    page.wait_for_url(re.compile(r"/articles/" + second_page[0] + r"\?q=manovra"))
    assert page.locator(".article-body mark").count() >= 1
    original = page.locator("a.original")
    if original.count():
        assert original.get_attribute("rel") == "noopener noreferrer"

    # Back: the same results page, same hits, query in the box.
    page.go_back()
    page.wait_for_url(results_url)
    assert hit_ids(page) == second_page
    assert page.locator("#q").input_value() == "manovra"
    page.go_back()
    page.wait_for_url(re.compile(r"/search\?q=manovra&sort=-date$"))
    assert hit_ids(page) == first_page


def test_similar_articles_expand_without_javascript(page, live):
    page.goto(live.url + "/search?q=manovra+finanziaria")
    details = page.locator("details.similar").first
    assert details.get_attribute("open") is None
    details.locator("summary").click()
    assert details.get_attribute("open") == ""
    assert details.locator("li a").first.is_visible()


def test_keyboard_focus_is_visible(page, live):
    page.goto(live.url + "/search?q=manovra")
    page.keyboard.press("Tab")  # skip link
    assert page.evaluate("document.activeElement.className") == "skip-link"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_phone_layout_has_no_horizontal_scroll_and_screenshots(page, phone, live):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    url = live.url + "/search?q=manovra"
    page.goto(url)
    page.screenshot(path=str(SCREENSHOTS / "results-desktop-1280.png"), full_page=True)
    assert no_horizontal_scroll(page)

    for path in (
        "/",
        "/search?q=manovra",
        "/search?q=" + LONG_WORD,
        "/articles/long?q=manovra",
        "/articles/a04",
        "/search?q=zzzqqq",
        "/search?q=manovra&page=abc",
    ):
        phone.goto(live.url + path)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375, path
    phone.goto(url)
    phone.screenshot(path=str(SCREENSHOTS / "results-phone-375.png"), full_page=True)
    phone.goto(live.url + "/articles/long?q=manovra")
    phone.screenshot(path=str(SCREENSHOTS / "article-phone-375.png"), full_page=True)
    page.goto(live.url + "/")
    page.screenshot(path=str(SCREENSHOTS / "home-desktop-1280.png"))
    for name in ("results-desktop-1280.png", "results-phone-375.png"):
        assert (SCREENSHOTS / name).stat().st_size > 10_000


def test_content_security_policy_holds_in_the_browser(page, live):
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if msg.type == "error" else None)
    page.goto(live.url + "/search?q=attacco")
    assert page.locator(".snippet").first.inner_text().count("<script>alert(1)</script>") == 1
    assert page.evaluate("document.scripts.length") == 0
    assert violations == []
