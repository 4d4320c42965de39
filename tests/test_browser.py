"""Headless Chromium (Playwright, the system browser) against a real gunicorn over a real index.

Saves screenshots of the results page to artifacts/screenshots/ (desktop 1280 px, phone 375 px).
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest
from webfixtures import ARTICLES, PROJECT_ROOT, LiveServer, write_jsonl

from search.indexer import build_index

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


SUBHEADED = """# Manovra, il testo arriva in aula

Il governo ha trasmesso alle Camere il testo della manovra, atteso da settimane.

## Le misure principali

La manovra conferma il taglio del cuneo fiscale e rinvia la riforma delle pensioni.

## Le reazioni

Le opposizioni annunciano battaglia: per loro la manovra non aiuta i redditi bassi.

## I prossimi passi

Il voto finale sulla manovra è atteso entro Natale.
"""


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    undated = {**ARTICLES[1], "id": "nodate", "title": "Manovra, un commento senza data"}
    undated["date"] = None
    write_jsonl(root / "corpus" / "articles.jsonl", [*ARTICLES, *extra_articles(), undated])
    (root / "corpus" / "aula.md").write_text(SUBHEADED, "utf-8")
    index_dir = root / "index"
    build_index([root / "corpus"], index_dir)
    with LiveServer(index_dir, root / "gunicorn.log", workers=2) as server:
        yield server


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
    assert page.locator(".summary strong").inner_text() == "20 risultati"
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
    assert page.locator("details.similar").count() == 0  # every copy is a hit by default
    page.get_by_role("link", name="Raggruppa le versioni quasi identiche").click()
    page.wait_for_url(re.compile(r"collapse=1"))
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
    # One script, from /static: the CSP (script-src 'self') lets it run, nothing inline.
    assert page.evaluate("[...document.scripts].map(s => new URL(s.src).pathname)") == [
        "/static/suggest.js"
    ]
    page.locator("#q").fill("")
    page.locator("#q").type("manov")
    page.locator("#q-suggestions li").first.wait_for()  # the script ran and fetched
    assert violations == []


# ----------------------------------------------------------------------------- newsroom tools


def suggestion_texts(page) -> list[str]:
    return page.locator("#q-suggestions li").all_inner_texts()


def test_suggestions_with_the_keyboard(page, live):
    page.goto(live.url + "/")
    box = page.locator("#q")
    box.type("manov")
    page.locator("#q-suggestions li").first.wait_for()
    assert suggestion_texts(page)[0] == "manovra"
    assert box.get_attribute("aria-expanded") == "true"
    # Down: the first suggestion is chosen and shown in the box; down again, the next.
    page.keyboard.press("ArrowDown")
    assert box.input_value() == "manovra"
    first = page.locator("#q-suggestions li").first
    assert first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    # Escape: the list closes and what was typed comes back.
    page.keyboard.press("Escape")
    assert page.locator("#q-suggestions").is_hidden()
    assert box.input_value() == "manov"
    assert box.get_attribute("aria-expanded") == "false"
    # Type on, pick with arrows (up wraps to the last), Enter searches for it.
    box.type("ra fin")
    # (No wait_for_function: the page's CSP forbids evaluating strings, rightly.)
    exact = re.compile(r"^manovra finanziaria$")
    page.locator("#q-suggestions li", has_text=exact).wait_for()
    options = suggestion_texts(page)
    page.keyboard.press("ArrowUp")
    assert box.input_value() == options[-1]
    page.keyboard.press("ArrowDown")  # past the last: back to what was typed
    assert box.input_value() == "manovra fin"
    for _ in range(options.index("manovra finanziaria") + 1):
        page.keyboard.press("ArrowDown")
    assert box.input_value() == "manovra finanziaria"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=manovra\+finanziaria$"))
    assert page.locator("#q").input_value() == "manovra finanziaria"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#q").fill("")
    page.locator("#q").type("gov")
    page.locator("#q-suggestions li").first.wait_for()
    page.screenshot(path=str(SCREENSHOTS / "suggest-desktop-1280.png"))


def test_slash_focuses_the_search_box(page, live):
    page.goto(live.url + "/search?q=manovra")
    page.locator(".summary").click()
    assert page.evaluate("document.activeElement.id") != "q"
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    assert page.locator("#q").input_value() == "manovra"  # "/" is not typed into the box


def test_suggestions_on_the_phone(phone, live):
    phone.goto(live.url + "/search?q=manovra")
    phone.locator("#q").fill("")
    phone.locator("#q").type("sind")
    phone.locator("#q-suggestions li").first.wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "suggest-phone-375.png"))


def test_multi_value_filters(page, live):
    page.goto(live.url + "/search?q=manovra")
    page.locator(".facet a", has_text="Ansa").first.click()
    page.wait_for_url(re.compile(r"source=ANSA$"))
    ansa = page.locator(".summary strong").inner_text()
    # Add a second source from the same facet: both, not one in place of the other.
    added = page.locator('.facet a[title="Aggiungi al filtro"]', has_text="Corriere")
    added.click()
    page.wait_for_url(re.compile(r"source=ANSA&source=Corriere\+della\+Sera$"))
    sources = set(page.locator(".hit .meta-source").all_inner_texts())
    assert sources == {"ANSA", "Corriere della Sera"}  # the canonical names
    both = int(page.locator(".summary strong").inner_text().split()[0])
    assert both > int(ansa.split()[0])
    chips = [" ".join(t.split()) for t in page.locator(".chip").all_inner_texts()]
    assert chips == ["Fonte: ANSA ×", "Fonte: Corriere della Sera ×"]
    # And a year on top (AND across facets).
    page.locator(".facet a", has_text="2024").first.click()
    page.wait_for_url(re.compile(r"source=ANSA&source=Corriere\+della\+Sera&year=2024$"))
    dates = page.locator(".hit time").evaluate_all("ts => ts.map(t => t.dateTime)")
    assert dates and all(d.startswith("2024-") for d in dates)
    # Results per page: 20.
    page.get_by_role("link", name="20", exact=True).click()
    page.wait_for_url(re.compile(r"size=20$"))
    assert page.locator('.page-size a[aria-current="true"]').inner_text() == "20"
    # Taking one source out keeps the other.
    page.locator(".chip", has_text="Ansa").click()
    page.wait_for_url(re.compile(r"\?q=manovra&source=Corriere\+della\+Sera&year=2024&size=20$"))
    assert set(page.locator(".hit .meta-source").all_inner_texts()) == {"Corriere della Sera"}


def test_histogram_bar_filters_to_its_period(page, live):
    page.goto(live.url + "/search?q=manovra")
    # The undated JSONL article and the .md file without a date.
    assert page.locator(".undated").inner_text() == "Senza data: 2 articoli"
    # Dates from January 2022 to May 2025: more than two years, so one bar per year.
    assert page.locator(".histogram a").count() == 4
    bar = page.locator('.histogram a[aria-label^="2024:"]')
    label = bar.get_attribute("aria-label")
    count = int(label.split(": ")[1].split()[0])
    bar.click()
    page.wait_for_url(re.compile(r"from=2024-01-01&to=2024-12-31$"))
    assert page.locator(".summary strong").inner_text() == (
        f"{count} risultat{'o' if count == 1 else 'i'}"
    )
    dates = page.locator(".hit time").evaluate_all("ts => ts.map(t => t.dateTime)")
    assert len(dates) == min(count, 10) and all(d.startswith("2024-") for d in dates)
    chips = [" ".join(t.split()) for t in page.locator(".chip").all_inner_texts()]
    assert chips == ["Dal: 1º gennaio 2024 ×", "Al: 31 dicembre 2024 ×"]
    # Within one year, bars per month; a month's bar narrows again.
    march = page.locator('.histogram a[aria-label^="marzo 2024"]')
    in_march = int(march.get_attribute("aria-label").split(": ")[1].split()[0])
    march.click()
    page.wait_for_url(re.compile(r"from=2024-03-01&to=2024-03-31$"))
    dates = page.locator(".hit time").evaluate_all("ts => ts.map(t => t.dateTime)")
    assert len(dates) == in_march and all(d.startswith("2024-03-") for d in dates)


def test_export_link_downloads_the_search_as_csv(page, live, tmp_path):
    page.goto(live.url + "/search?q=manovra&source=Ansa&source=Repubblica&sort=-date")
    total = int(page.locator(".summary strong").inner_text().split()[0])
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Esporta CSV").click()
    download = download_info.value
    assert download.suggested_filename == "rassegna.csv"
    target = tmp_path / "rassegna.csv"
    download.save_as(target)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["source"] for row in rows} == {"ANSA", "la Repubblica"}
    dates = [row["date"] for row in rows if row["date"]]
    assert dates == sorted(dates, reverse=True)
    # Every match is a row (near-duplicates too, also when the page folds them).
    assert len(rows) >= total


def test_article_match_navigation_and_subheadings(page, phone, live):
    page.goto(live.url + "/search?q=manovra+aula")
    page.locator(".hit-title a", has_text="il testo arriva in aula").click()
    page.wait_for_url(re.compile(r"/articles/aula\?q=manovra"))
    assert page.locator(".article-body h2.subheading").all_inner_texts() == [
        "Le misure principali",
        "Le reazioni",
        "I prossimi passi",
    ]
    matches = page.locator(".article-body a.match")
    count = matches.count()
    assert count == 4  # in the text; the title's match is highlighted but not a stop
    assert page.locator(".matches strong").inner_text() == "4 corrispondenze"
    # From the list to the third match, then from each match to the next, then back to the list.
    page.locator(".match-list a", has_text="2").click()
    page.wait_for_url(re.compile(r"#m2$"))
    assert page.evaluate("document.querySelector(':target').id") == "m2"
    page.locator("#m2").click()
    page.wait_for_url(re.compile(r"#m3$"))
    page.locator("#m3").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#m4$"))
    page.locator("#m4").click()
    page.wait_for_url(re.compile(r"#corrispondenze$"))
    assert page.locator(".article-header .meta-source").count() == 0  # the .md has no source
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(live.url + "/articles/aula?q=manovra")
    page.screenshot(path=str(SCREENSHOTS / "article-desktop-1280.png"), full_page=True)
    phone.goto(live.url + "/articles/aula?q=manovra#m2")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.goto(live.url + "/articles/aula?q=manovra")
    phone.screenshot(path=str(SCREENSHOTS / "article-subheadings-phone-375.png"), full_page=True)
    phone.screenshot(path=str(SCREENSHOTS / "article-subheadings-phone-375-top.png"))


def test_the_page_works_without_javascript(browser, live):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(live.url + "/")
        page.locator("#q").fill("manovra")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/search\?q=manovra$"))
        assert page.locator("#q-suggestions").is_hidden()
        page.locator(".facet a", has_text="Ansa").first.click()
        page.wait_for_url(re.compile(r"source=ANSA$"))
        page.locator(".histogram a").first.click()
        page.wait_for_url(re.compile(r"from=\d{4}-\d\d-01&to="))
        assert page.locator(".hit").count() >= 1
    finally:
        context.close()


def test_results_screenshots_with_histogram_and_filters(page, phone, live):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    url = live.url + "/search?q=manovra&source=Ansa&source=Corriere"
    page.goto(url)
    page.screenshot(path=str(SCREENSHOTS / "results-filters-desktop-1280.png"), full_page=True)
    assert no_horizontal_scroll(page)
    phone.goto(url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=str(SCREENSHOTS / "results-filters-phone-375.png"), full_page=True)
    phone.screenshot(path=str(SCREENSHOTS / "results-filters-phone-375-top.png"))
    phone.goto(live.url + "/search?q=manovra&page=abc")
    phone.screenshot(path=str(SCREENSHOTS / "error-phone-375.png"))
