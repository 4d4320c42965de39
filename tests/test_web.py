"""The pages through Flask's test client over a real on-disk index: HTML, escaping, errors."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from webfixtures import XSS

from web import create_app
from web.formatting import date_with, italian_date, number, plural, preposition, seconds

ATOM = "{http://www.w3.org/2005/Atom}"


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def hit_ids(html: str) -> list[str]:
    return re.findall(r'<h2 class="hit-title"><a href="/articles/([^"?]+)', html)


# ----------------------------------------------------------------------------- formatting


def test_italian_formatting():
    import datetime

    assert number(10372) == "10.372"
    assert number(1234567) == "1.234.567"
    assert number(0.0213, 2) == "0,02"
    assert seconds(1534.0) == "1,53 s"
    assert italian_date(datetime.date(2025, 4, 11)) == "11 aprile 2025"
    assert italian_date(datetime.date(2024, 1, 1)) == "1º gennaio 2024"
    assert date_with("dal", datetime.date(2025, 4, 11)) == "dall'11 aprile 2025"
    assert date_with("al", datetime.date(2025, 4, 11)) == "all'11 aprile 2025"
    assert date_with("al", datetime.date(2025, 4, 8)) == "all'8 aprile 2025"
    assert date_with("dal", datetime.date(2025, 4, 1)) == "dal 1º aprile 2025"
    assert date_with("dal", datetime.date(2025, 4, 18)) == "dal 18 aprile 2025"
    assert preposition("dal", "2024") == "dal 2024"
    assert plural(1, "risultato", "risultati") == "1 risultato"
    assert plural(1000, "articolo", "articoli") == "1.000 articoli"
    assert italian_date(None) == ""


# ----------------------------------------------------------------------------- home


def test_home_has_focused_search_box_hint_and_corpus_size(client):
    html = page(client, "/")
    assert '<input id="q" name="q" type="search" value="" autofocus' in html
    assert '<label class="visually-hidden" for="q">Cerca negli articoli</label>' in html
    assert "<code>&#34;frase esatta&#34;</code>" in html or '<code>"frase esatta"</code>' in html
    assert (
        "<strong>12 articoli</strong> da 8 fonti, dal 30 settembre 2023 al 2 maggio 2025." in html
    )
    assert '<html lang="it">' in html


def test_home_with_query_redirects_to_results(client):
    response = client.get("/?q=manovra")
    assert response.status_code == 302
    assert response.headers["Location"] == "/search?q=manovra"


def test_results_without_query_or_filters_redirect_home(client):
    response = client.get("/search?q=+")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# ----------------------------------------------------------------------------- results


def test_results_page_keeps_query_counts_and_highlights(client):
    html = page(client, "/search?q=manovra+governo")
    assert 'name="q" type="search" value="manovra governo"' in html
    assert re.search(r"<strong>5 risultati</strong> \(\d+,\d\d s\)", html)
    # a01 and a08 hold the same text: a08, with the shorter byline (byline words are indexed,
    # so they count in the length), ranks just above a01; both are shown (collapse is asked for).
    assert hit_ids(html) == ["a02", "a08", "a01", "a11", "a06"]
    # Title linked to the article with the query carried for highlighting.
    assert (
        '<h2 class="hit-title"><a href="/articles/a02?q=manovra+governo">'
        "<mark>Manovra</mark>, le opposizioni contro il <mark>governo</mark></a></h2>"
    ) in html
    assert (
        '<p class="snippet">Le opposizioni criticano la <mark>manovra</mark> del '
        "<mark>governo</mark> e annunciano emendamenti." in html
    )
    assert (
        '<span class="meta-source">la Repubblica</span><span class="sep" aria-hidden="true"> · '
        '</span><span class="meta-author">Giulia Bianchi</span><span class="sep" '
        'aria-hidden="true"> · </span><time datetime="2025-04-12">12 aprile 2025</time>'
    ) in html


def test_near_duplicates_are_collapsed_in_details(client):
    html = page(client, "/search?q=manovra+finanziaria")
    assert '<details class="similar">' not in html
    assert {"a01", "a08"} <= set(hit_ids(html))
    toggle = '<a href="/search?q=manovra+finanziaria&amp;collapse=1">Raggruppa le versioni'
    assert toggle in html
    html = page(client, "/search?q=manovra+finanziaria&collapse=1")
    assert '<details class="similar">\n          <summary>1 articolo simile</summary>' in html
    assert '<a href="/articles/a01?q=manovra+finanziaria">Il governo approva la manovra' in html
    assert "a01" not in hit_ids(html)
    assert '<a href="/search?q=manovra+finanziaria">Mostra ogni versione</a>' in html
    # The new-search form keeps the choice.
    assert '<input type="hidden" name="collapse" value="1">' in html


def test_suggestion_is_linked(client):
    html = page(client, "/search?q=manovr")
    assert (
        '<p class="suggestion">Forse cercavi: <a href="/search?q=manovra">manovra</a></p>' in html
    )


def test_typo_corrections_and_long_queries_get_a_notice(client):
    html = page(client, "/search?q=Governno")
    assert '<p class="suggestion notice">Risultati anche per: Governo</p>' in html
    assert len(hit_ids(html)) == 5
    assert hit_ids(html) == hit_ids(page(client, "/search?q=Governo"))
    html = page(client, "/search?q=" + "pil+" * 70)
    assert '<p class="suggestion notice">Ricerca limitata alle prime 64 parole.</p>' in html
    assert "Risultati anche per" not in html
    html = page(client, "/search?q=" + "manovra" * 80)
    assert '<p class="suggestion notice">Ricerca limitata ai primi 500 caratteri.</p>' in html
    assert "Ricerca limitata" not in page(client, "/search?q=manovra")


def test_facets_with_counts_and_filter_links(client):
    html = page(client, "/search?q=manovra")
    assert (
        # The fixtures spell it "Ansa"; facets show the canonical name.
        '<a class="facet-toggle" href="/search?q=manovra&amp;source=ANSA">'
        '<span class="facet-value">ANSA</span> <span class="count">2</span></a>'
    ) in html
    assert (
        '<a class="facet-toggle" href="/search?q=manovra&amp;year=2025">'
        '<span class="facet-value">2025</span>'
    ) in html
    assert '<a class="facet-toggle" href="/search?q=manovra&amp;author=Redazione">' in html


def test_active_filter_is_shown_and_removable(client):
    html = page(client, "/search?q=manovra&source=Ansa")
    assert hit_ids(html) == ["a08", "a11"]
    assert (
        '<a class="chip" href="/search?q=manovra" aria-label="Rimuovi il filtro Fonte: ANSA">'
        "Fonte: <strong>ANSA</strong>"  # the canonical name, as in the facet
    ) in html
    # The new-search form keeps the filter.
    assert '<input type="hidden" name="source" value="ANSA">' in html


def test_date_range_filter(client):
    html = page(client, "/search?q=manovra&from=2025-01-01&to=2025-04-11")
    assert hit_ids(html) == ["a08", "a01"]  # the same text, from two sources: both shown
    assert '<input id="from" name="from" type="date" value="2025-01-01">' in html
    assert "Dal: <strong>1º gennaio 2025</strong>" in html
    assert "Al: <strong>11 aprile 2025</strong>" in html


def test_filters_without_query_browse_by_date(client):
    html = page(client, "/search?source=Corriere&sort=-date")
    assert hit_ids(html) == ["a01", "a04", "a09"]


def test_sort_links_and_date_order(client):
    html = page(client, "/search?q=manovra&sort=date")
    assert hit_ids(html) == ["a11", "a01", "a08", "a02", "a06"]
    assert '<a aria-current="true" href="/search?q=manovra&amp;sort=date">Meno recenti</a>' in html
    assert '<a href="/search?q=manovra&amp;sort=-date">Più recenti</a>' in html
    newest = page(client, "/search?q=manovra&sort=-date")
    assert hit_ids(newest) == ["a06", "a02", "a01", "a08", "a11"]


def test_pagination(client):
    html = page(client, "/search?q=manovra&sort=-date&size=10")
    assert 'class="pagination"' not in html
    first = page(client, "/search?q=manovra&sort=-date&size=2")
    assert hit_ids(first) == ["a06", "a02"]
    assert "pagina 1 di 3" in first
    assert '<a rel="next" href="/search?q=manovra&amp;sort=-date&amp;size=2&amp;page=2">' in first
    second = page(client, "/search?q=manovra&sort=-date&size=2&page=2")
    assert hit_ids(second) == ["a01", "a08"]
    assert (
        '<a aria-current="page" href="/search?q=manovra&amp;sort=-date&amp;size=2&amp;page=2">2</a>'
    ) in second
    assert '<a rel="prev" href="/search?q=manovra&amp;sort=-date&amp;size=2">' in second


def test_results_per_page_choice(client):
    html = page(client, "/search?q=manovra&source=Ansa&page=1&size=20")
    sizes = re.findall(
        r'<li><a( aria-current="true")? href="([^"]+)">(\d+)</a></li>',
        html.split('class="page-size"')[1].split("</nav>")[0],
    )
    assert sizes == [
        ("", "/search?q=manovra&amp;source=ANSA", "10"),
        (' aria-current="true"', "/search?q=manovra&amp;source=ANSA&amp;size=20", "20"),
        ("", "/search?q=manovra&amp;source=ANSA&amp;size=50", "50"),
    ]
    # The new-search form keeps the size and the filter.
    assert '<input type="hidden" name="size" value="20">' in html


def test_empty_results_say_so_and_suggest(client):
    html = page(client, "/search?q=zzzqqq&source=Ansa")
    assert "Nessun articolo trovato per «zzzqqq»." in html
    assert '<a href="/search?q=zzzqqq">togliere i filtri</a> (1 filtro attivo);' in html
    assert '<ol class="hits"' not in html


def test_script_in_article_is_escaped_in_snippets(client):
    html = page(client, "/search?q=attacco+informatico")
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; e la frase &quot;hackerato da noi&quot;" in html


def test_query_is_escaped_everywhere(client):
    html = page(client, '/search?q="><script>alert(2)</script>')
    assert "<script>alert(2)" not in html
    assert 'value="&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"' in html


# ----------------------------------------------------------------------------- errors


def test_bad_query_is_a_400_page(client):
    html = page(client, "/search?q=manovra&from=16/02/2024", 400)
    assert "<h1>Ricerca non valida</h1>" in html


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        (
            "/search?q=manovra&page=abc",
            "Il numero di pagina deve essere un numero intero da 1 a 1.000; «abc» non va bene.",
        ),
        (
            "/search?q=manovra&page=100000",
            "Il numero di pagina deve essere un numero intero da 1 a 1.000; «100000» non va bene.",
        ),
        (
            "/search?q=manovra&size=500",
            "Il numero di risultati per pagina deve essere un numero intero da 1 a 50;",
        ),
        ("/search?q=manovra&sort=best", "L&#39;ordinamento «best» non esiste"),
        (
            "/search?q=manovra&from=ieri",
            "La data d&#39;inizio («Dal») deve essere una data come 2024-02-16 (oppure 2024 o "
            "2024-02); «ieri» non è una data valida.",
        ),
        ("/search?q=manovra&to=domani", "La data di fine («Al») deve essere una data come"),
        (
            "/search?q=manovra&from=2025-01-01&to=2024-01-01",
            "La data d&#39;inizio viene dopo quella di fine: scambia le due date.",
        ),
        (
            "/search?q=manovra&year=duemila",
            "L&#39;anno deve avere quattro cifre, come 2024; «duemila» non va bene.",
        ),
    ],
)
def test_bad_parameters_are_400_pages(client, url, fragment):
    html = page(client, url, 400)
    assert fragment in html
    assert 'name="q" type="search" value="manovra' in html  # the query stays in the box


def test_unknown_article_is_a_404_page(client):
    html = page(client, "/articles/nope", 404)
    assert "Nell&#39;indice non c&#39;è nessun articolo con identificativo «nope»." in html


def test_unknown_page_is_a_404_page(client):
    html = page(client, "/nowhere", 404)
    assert "<h1>Pagina non trovata</h1>" in html


def test_post_is_a_405_page(client):
    response = client.post("/search")
    assert response.status_code == 405
    assert "<h1>Metodo non consentito</h1>" in response.get_data(as_text=True)
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_no_index_is_a_503_page(tmp_path):
    app = create_app({"INDEX_DIR": str(tmp_path / "missing")})
    for url in ("/", "/search?q=manovra", "/articles/a01"):
        html = page(app.test_client(), url, 503)
        assert "<h1>Indice non disponibile</h1>" in html
        assert "L&#39;indice degli articoli non è ancora stato creato." in html
        assert "Per creare l'indice esegui <code>rassegna index</code>" in html


# ----------------------------------------------------------------------------- article


def test_article_page_with_highlights_original_link_and_related(client):
    html = page(client, "/articles/a01?q=manovra")
    assert (
        '<h1 class="article-title">Il governo approva la <mark>manovra</mark> finanziaria</h1>'
    ) in html
    assert (
        '<p>Il consiglio dei ministri ha approvato la <a class="match" id="m1" href="#m2" '
        'title="1 di 2: corrispondenza successiva"><mark>manovra</mark></a> finanziaria per il '
        "prossimo anno.</p>"
    ) in html
    assert "<strong>2 corrispondenze</strong> di «manovra» nel testo" in html
    assert re.findall(r'<li><a href="#(m\d)"', html) == ["m1", "m2"]
    assert (
        '<a class="match" id="m2" href="#corrispondenze" title="2 di 2: torna all\'elenco">'
    ) in html
    assert (
        '<a class="original" href="https://example.org/corriere/manovra-finanziaria-governo-approva"'
        ' rel="noopener noreferrer">'
    ) in html
    assert '<a href="/search?q=manovra">← Risultati per «manovra»</a>' in html
    related = re.findall(r'<li><a href="/articles/([^"]+)">', html.split('class="related"')[1])
    assert related[0] == "a08"
    assert "11 aprile 2025" in html


def test_article_without_query_or_url(client):
    html = page(client, "/articles/a09")
    assert "<mark>" not in html
    assert 'class="original"' not in html
    assert "Risultati per" not in html


def test_script_in_article_is_escaped_on_article_page(client):
    html = page(client, "/articles/a04?q=codice")
    assert XSS not in html
    assert (
        "<mark>codice</mark></a> &lt;script&gt;alert(1)&lt;/script&gt; e la frase "
        "&quot;hackerato da noi&quot; nella pagina."
    ) in html
    assert "indaga sull&#x27;attacco &amp; sui responsabili." in html


# ----------------------------------------------------------------------------- feed


def test_atom_feed_is_valid_sorted_by_date_and_honours_filters(app, client):
    app.config["BASE_URL"] = "https://news.example.org"
    response = client.get("/search.atom?q=manovra&source=Ansa")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    assert root.tag == ATOM + "feed"
    assert root.find(ATOM + "title").text == "Rassegna: manovra"
    assert root.find(ATOM + "updated").text == "2025-04-11T00:00:00Z"
    entries = root.findall(ATOM + "entry")
    assert [e.find(ATOM + "id").text for e in entries] == [
        "https://news.example.org/articles/a08",
        "https://news.example.org/articles/a11",
    ]
    first = entries[0]
    assert first.find(ATOM + "title").text == "Il governo approva la manovra finanziaria"
    assert first.find(ATOM + "updated").text == "2025-04-11T00:00:00Z"
    assert first.find(ATOM + "link[@rel='alternate']").get("href") == (
        "https://news.example.org/articles/a08?q=manovra"
    )
    summary = first.find(ATOM + "summary")
    assert summary.get("type") == "html"
    assert summary.text.startswith("Il consiglio dei ministri ha approvato la <mark>manovra</mark>")


def test_atom_feed_escapes_script(client):
    response = client.get("/search.atom?q=attacco")
    root = ET.fromstring(response.data)  # well-formed despite <script> and quotes in the text
    summary = root.find(ATOM + "entry/" + ATOM + "summary").text
    # Once parsed, the summary is HTML in which the script is still escaped text.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in summary
    assert "<script>" not in summary


def test_atom_feed_bad_parameter_is_400(client):
    assert client.get("/search.atom?q=manovra&to=domani").status_code == 400


# ----------------------------------------------------------------------------- headers


def test_security_headers_on_pages_static_and_errors(client):
    for url in ("/", "/search?q=manovra", "/static/style.css", "/nowhere", "/api/search?page=0"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        response.close()


def test_pages_have_no_inline_scripts_or_external_resources(client):
    for url in ("/", "/search?q=manovra", "/articles/a04?q=codice", "/nowhere"):
        html = client.get(url).get_data(as_text=True)
        # One script, from /static (CSP script-src 'self'); never inline.
        assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/suggest.js" defer>']
        assert "</script>" in html and '<script src="/static/suggest.js" defer></script>' in html
        assert " style=" not in html
        assert not re.search(r'(src|href)="(https?:)?//(?!example\.org)', html)


def test_debug_is_off_by_default(app):
    assert app.debug is False


# ----------------------------------------------------------------------------- newsroom tools


def test_multi_valued_filters_combine_and_toggle(client):
    html = page(client, "/search?q=manovra&source=Ansa&source=Repubblica")
    assert set(hit_ids(html)) == {"a02", "a08", "a11"}
    chips = re.findall(r'<a class="chip" href="([^"]+)"[^>]*>Fonte: <strong>([^<]+)</strong>', html)
    assert chips == [
        ("/search?q=manovra&amp;source=la+Repubblica", "ANSA"),
        ("/search?q=manovra&amp;source=ANSA", "la Repubblica"),
    ]
    # A chosen source links to its removal, another one to its addition; counts ignore the
    # source filter itself so there is something to add.
    assert (
        '<a class="facet-toggle" aria-current="true" title="Rimuovi il filtro" '
        'href="/search?q=manovra&amp;source=la+Repubblica"><span class="facet-value">ANSA</span> '
        '<span class="count">2</span></a>'
    ) in html
    assert (
        '<a class="facet-toggle" title="Aggiungi al filtro" '
        'href="/search?q=manovra&amp;source=ANSA&amp;source=la+Repubblica'
        '&amp;source=Corriere+della+Sera">'
    ) in html
    # Both values ride along in the search box's form and the date form.
    assert html.count('<input type="hidden" name="source" value="ANSA">') == 2
    assert html.count('<input type="hidden" name="source" value="la Repubblica">') == 2


def test_histogram_bars_link_to_their_period_and_count_undated(client):
    html = page(client, "/search?q=manovra")
    bars = re.findall(r'<a href="([^"]+)" aria-label="([^"]+)"><title>', html)
    assert bars[0] == (
        "/search?q=manovra&amp;from=2024-12-01&amp;to=2024-12-31",
        "dicembre 2024: 1 articolo",
    )
    assert bars[4] == (
        "/search?q=manovra&amp;from=2025-04-01&amp;to=2025-04-30",
        "aprile 2025: 3 articoli",
    )
    assert len(bars) == 6  # every month from December 2024 to May 2025, empty ones too
    assert '<span class="timeline-range">dicembre 2024 – maggio 2025</span>' in html
    assert "Senza data" not in html
    browse = page(client, "/search?sort=-date")  # September 2023 to May 2025: 21 months
    assert len(re.findall(r'<a href="[^"]+" aria-label="[^"]+"><title>', browse)) == 21


def test_histogram_switches_to_years_over_two_years():
    from search.results import DateHistogram, FacetValue
    from web.histogram import periods

    months = DateHistogram([FacetValue("2021-11", 2), FacetValue("2024-01", 5)], undated=3)
    assert periods(months) == [("2021", 2), ("2022", 0), ("2023", 0), ("2024", 5)]
    short = DateHistogram([FacetValue("2024-11", 1), FacetValue("2025-02", 4)], undated=0)
    assert periods(short) == [("2024-11", 1), ("2024-12", 0), ("2025-01", 0), ("2025-02", 4)]


def test_export_link_carries_the_search(client):
    html = page(client, "/search?q=manovra&source=Ansa&sort=-date&size=20&page=2")
    assert (
        '<a href="/api/export?q=manovra&amp;source=ANSA&amp;sort=-date&amp;format=csv" download>'
        "Esporta CSV</a>"
    ) in html
    assert '<span class="export-note">(2 righe; anche in <a href="/api/export?' in html


def test_search_box_has_the_suggestion_list_and_shortcut(client):
    html = page(client, "/search?q=manovra")
    assert 'aria-controls="q-suggestions" aria-keyshortcuts="/"' in html
    assert 'data-suggest="/api/suggest"' in html
    assert '<ul id="q-suggestions" class="suggestions" role="listbox"' in html
    script = client.get("/static/suggest.js")
    assert script.status_code == 200 and "ArrowDown" in script.get_data(as_text=True)
    script.close()


def test_home_dates_use_elision(tmp_path):
    from webfixtures import ARTICLES, build_corpus_index

    articles = [
        {**ARTICLES[0], "date": "2024-03-11"},
        {**ARTICLES[1], "date": "2025-08-08"},
    ]
    app = create_app({"INDEX_DIR": str(build_corpus_index(tmp_path, articles))})
    try:
        html = page(app.test_client(), "/")
        assert "dall&#39;11 marzo 2024 all&#39;8 agosto 2025." in html or (
            "dall'11 marzo 2024 all'8 agosto 2025." in html
        )
        assert "<strong>2 articoli</strong> da 2 fonti" in html
    finally:
        app.extensions["rassegna"].close()


def test_feed_dates_undated_articles_never_with_the_build_time(tmp_path):
    from webfixtures import ARTICLES, build_corpus_index

    undated = {**ARTICLES[1], "id": "u1", "title": "Manovra senza data", "date": None}
    app = create_app({"INDEX_DIR": str(build_corpus_index(tmp_path, [ARTICLES[0], undated]))})
    try:
        root = ET.fromstring(app.test_client().get("/search.atom?q=manovra").data)
        entries = {e.find(ATOM + "title").text: e for e in root.findall(ATOM + "entry")}
        dated = entries["Il governo approva la manovra finanziaria"]
        assert dated.find(ATOM + "updated").text == "2025-04-11T00:00:00Z"
        assert dated.find(ATOM + "published").text == "2025-04-11T00:00:00Z"
        assert entries["Manovra senza data"].find(ATOM + "updated") is None
        assert entries["Manovra senza data"].find(ATOM + "published") is None
        assert root.find(ATOM + "updated").text == "2025-04-11T00:00:00Z"
    finally:
        app.extensions["rassegna"].close()


def test_article_subheadings_stay_headings(tmp_path):
    from search.indexer import build_index

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "sub.md").write_text(
        "# La manovra in aula\n\nIl governo presenta la manovra.\n\n## Le reazioni\n\n"
        "le opposizioni protestano contro la manovra.\n\n### Cosa succede ora\n\n"
        "Il voto a marzo.\n",
        "utf-8",
    )
    index_dir = tmp_path / "index"
    build_index([tmp_path / "src"], index_dir)
    app = create_app({"INDEX_DIR": str(index_dir)})
    try:
        client = app.test_client()
        html = page(client, "/articles/sub?q=manovra")
        body = html.split('<div class="article-body">')[1].split("</div>")[0]
        assert re.findall(r"<(h2|p)[^>]*>(.*?)</\1>", body) == [
            (
                "p",
                'Il governo presenta la <a class="match" id="m1" href="#m2" title="1 di 2: '
                'corrispondenza successiva"><mark>manovra</mark></a>.',
            ),
            ("h2", "Le reazioni"),
            (
                "p",
                'le opposizioni protestano contro la <a class="match" id="m2" '
                'href="#corrispondenze" title="2 di 2: torna all\'elenco"><mark>manovra</mark>'
                "</a>.",
            ),
            ("h2", "Cosa succede ora"),
            ("p", "Il voto a marzo."),
        ]
        api = client.get("/api/articles/sub").get_json()
        assert api["headings"] == [1, 3]
        # The body is unchanged text: search and snippets never see heading markup.
        assert api["body"].split("\n\n") == [
            "Il governo presenta la manovra.",
            "Le reazioni",
            "le opposizioni protestano contro la manovra.",
            "Cosa succede ora",
            "Il voto a marzo.",
        ]
    finally:
        app.extensions["rassegna"].close()


def test_original_link_only_for_web_addresses(tmp_path):
    from webfixtures import ARTICLES, build_corpus_index

    articles = [{**ARTICLES[0], "url": "javascript:alert(1)"}, {**ARTICLES[1], "url": "ftp://x/y"}]
    app = create_app({"INDEX_DIR": str(build_corpus_index(tmp_path, articles))})
    try:
        client = app.test_client()
        for article_id in ("a01", "a02"):
            assert 'class="original"' not in page(client, f"/articles/{article_id}")
    finally:
        app.extensions["rassegna"].close()
