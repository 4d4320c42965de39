"""Metadata: the article's own date, canonical outlet and author names, and filters on variants."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

import pytest

from search.articles import Article, Problem, read_sources
from search.indexer import build_index
from search.metadata import (
    article_date,
    author_from_signature,
    canonical_author,
    canonical_filter_value,
    canonical_source,
    dateline_date,
    publication_line_date,
    source_from_url,
    strip_outlet_suffix,
    url_date,
)
from search.searcher import index_stats, search
from search.store import IndexHandle

D = datetime.date

# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("MILANO, 3 marzo 2024 – Il sindaco ha firmato l'ordinanza.", D(2024, 3, 3)),
        ("Roma, 12 gen. 2025 Il governo ha approvato il decreto.", D(2025, 1, 12)),
        ("Roma, 12 gen. 2025", D(2025, 1, 12)),
        ("REGGIO EMILIA, 3 marzo 2024 - Un incendio", D(2024, 3, 3)),
        ("L'AQUILA - 4 aprile 2024, ore 10:15 - Scossa di terremoto", D(2024, 4, 4)),
        ("(ANSA) - ROMA, 3 MAR 2024 - Il Senato", D(2024, 3, 3)),
        ("ROMA, 12 GEN. 2025 (Adnkronos) - Il ministro", D(2025, 1, 12)),
        ("Napoli, domenica 3 marzo 2024 - La festa", D(2024, 3, 3)),
        ("Torino, 03/03/2024 – La giunta", D(2024, 3, 3)),
        # Not datelines: a date inside the sentence, no year, a weekday that does not fit
        # (3 March 2024 was a Sunday), a day that does not exist, a lowercase start.
        ("Il 10 marzo 2021 il governo ha deciso.", None),
        ("CARPI. Ieri sera, mercoledì 10 marzo, i carabinieri", None),
        ("Milano, lunedì 3 marzo 2024 - La festa", None),
        ("Milano, 31 febbraio 2024 - x", None),
        ("secondo fonti, 3 marzo 2024 – x", None),
        ("ROMA, 3 MAR - (ANSA) Il Senato", None),
    ],
)
def test_dateline_date(paragraph, expected):
    assert dateline_date(paragraph) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Pubblicato il 3/3/2024", ("published", D(2024, 3, 3))),
        ("Pubblicato: 3 marzo 2024 ore 10:15", ("published", D(2024, 3, 3))),
        ("Pubblicata il 3 marzo 2024 alle 10.15", ("published", D(2024, 3, 3))),
        ("Data di pubblicazione: 2024-03-03", ("published", D(2024, 3, 3))),
        ("Pubblicato il 3 marzo 2024 alle 10:15 da Mario Rossi", ("published", D(2024, 3, 3))),
        (
            "Pubblicato il 3 marzo 2024 | Aggiornato il 4 marzo 2024",
            ("published", D(2024, 3, 3)),
        ),
        ("Aggiornato il 4 marzo 2024 alle 10:15", ("updated", D(2024, 3, 4))),
        ("3 marzo 2024 ore 10:15", ("date", D(2024, 3, 3))),
        ("03/03/2024 10:15", ("date", D(2024, 3, 3))),
        ("giovedì 8 gennaio 2026", ("date", D(2026, 1, 8))),
        # Lines that say more than a date.
        ("Pubblicato nel 1990, il libro ebbe successo.", None),
        ("Pubblicato in data 15/12/2025 riceviamo e pubblichiamo", None),
        ("Il 3 marzo 2024 ore 10:15 è successo", None),
    ],
)
def test_publication_line_date(line, expected):
    assert publication_line_date(line) == expected


def test_url_date():
    url = "https://gazzettadimodena.gelocal.it/modena/cronaca/2011/04/07/news/furto-1.403254"
    assert url_date(url) == D(2011, 4, 7)
    assert url_date("https://example.org/2011/13/07/x") is None
    assert url_date("https://example.org/notizie/123") is None
    assert url_date(None) is None


def test_article_date_prefers_the_publication_line_then_dateline_url_and_update():
    body = "MILANO, 2 marzo 2024 – Il sindaco. Il 10 maggio 2020 era successo altro."
    url = "https://www.corriere.it/cronaca/2024/03/01/x"
    lines = ["Aggiornato il 5 marzo 2024", "Pubblicato il 4/3/2024"]
    assert article_date(date_lines=lines, body=body, url=url) == D(2024, 3, 4)
    assert article_date(date_lines=lines[:1], body=body, url=url) == D(2024, 3, 2)
    assert article_date(date_lines=lines[:1], body="Il sindaco.", url=url) == D(2024, 3, 1)
    assert article_date(date_lines=lines[:1], body="Il sindaco.") == D(2024, 3, 5)
    # A record body may open with its own publication line.
    assert article_date(body="Pubblicato il 6/3/2024\nMILANO, 2 marzo 2024 – x") == D(2024, 3, 6)


def test_dates_the_text_mentions_are_never_the_article_date():
    body = (
        "Il governo ha deciso il 10 marzo 2021 di rinviare il voto.\n"
        "Pubblicato in data 15/12/2025 riceviamo e pubblichiamo la replica.\n"
        "Si torna al voto il 3/4/2021."
    )
    assert article_date(body=body) is None


def _read(path: Path) -> tuple[Article, list[str]]:
    items = list(read_sources([path]))
    articles = [i for i in items if isinstance(i, Article)]
    assert len(articles) == 1, items
    return articles[0], [str(i) for i in items if isinstance(i, Problem)]


def test_front_matter_date_beats_the_dateline(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(
        "---\ndate: 2024-03-05\n---\nMILANO, 3 marzo 2024 – Il sindaco ha parlato.\n", "utf-8"
    )
    article, problems = _read(path)
    assert (article.date, problems) == (D(2024, 3, 5), [])


def test_scraped_text_takes_the_dateline_and_the_published_line_but_not_a_caption(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(
        "Vertice sul clima\n\n"
        "Pubblicato il 4/3/2024\n\n"
        "ROMA, 3 marzo 2024 – Il governo convoca le regioni.\n\n"
        "Il ministro a Roma, il 1 marzo 2024 [Mario Rossi/ANSA]\n\n"
        "Il vertice si è aperto alle dieci.\n",
        "utf-8",
    )
    article, _ = _read(path)
    assert article.date == D(2024, 3, 4)
    assert article.body == (
        "ROMA, 3 marzo 2024 – Il governo convoca le regioni.\n\n"
        "Il vertice si è aperto alle dieci."
    )
    path.write_text(path.read_text("utf-8").replace("Pubblicato il 4/3/2024\n\n", ""), "utf-8")
    assert _read(path)[0].date == D(2024, 3, 3)


def test_a_bare_date_line_counts_only_in_the_header(tmp_path):
    path = tmp_path / "a.txt"
    lead = "Il consiglio comunale ha approvato il bilancio dopo una lunga seduta notturna " * 2
    path.write_text(
        f"Bilancio approvato\n\n{lead}\n\nUltimi articoli\n\n12 febbraio 2024\n", "utf-8"
    )
    article, _ = _read(path)
    assert article.date is None
    assert "12 febbraio" not in article.body
    path.write_text(f"Bilancio approvato\n\n3 marzo 2024 ore 10:15\n\n{lead}\n", "utf-8")
    assert _read(path)[0].date == D(2024, 3, 3)


def test_record_without_date_takes_dateline_or_url_and_an_invalid_date_says_so(tmp_path):
    path = tmp_path / "a.jsonl"
    records = [
        {"id": "d", "body": "MILANO, 3 marzo 2024 – Il sindaco. Il 1 maggio 2020 no."},
        {"id": "u", "body": "Il sindaco.", "url": "https://www.ansa.it/sito/2024/03/02/x.html"},
        {"id": "i", "body": "ROMA, 3 marzo 2024 – Il governo.", "date": "ieri"},
        {"id": "m", "body": "Il governo ha deciso il 10 marzo 2021.", "date": "ieri"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in records), "utf-8")
    items = list(read_sources([path]))
    dates = {i.id: i.date for i in items if isinstance(i, Article)}
    assert dates == {"d": D(2024, 3, 3), "u": D(2024, 3, 2), "i": D(2024, 3, 3), "m": None}
    assert [str(i) for i in items if isinstance(i, Problem)] == [
        f"{path}:3: invalid date 'ieri'; kept with date 2024-03-03 from the text",
        f"{path}:4: invalid date 'ieri'; kept without date",
    ]


# --- outlets ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ANSA", "ANSA"),
        ("Ansa", "ANSA"),
        (" ansa ", "ANSA"),
        ("Agenzia ANSA", "ANSA"),
        ("Repubblica", "la Repubblica"),
        ("La Repubblica", "la Repubblica"),
        ("LA  REPUBBLICA", "la Repubblica"),
        ("repubblica.it", "la Repubblica"),
        ("https://www.repubblica.it/politica/", "la Repubblica"),
        ("Corriere Della Sera", "Corriere della Sera"),
        ("Il Sole Ventiquattro Ore", "Il Sole 24 Ore"),
        ("il sole 24ore", "Il Sole 24 Ore"),
        ("Il Manifesto", "il manifesto"),
        ("Fanpage", "Fanpage.it"),
        ("Libero Quotidiano", "Libero"),
        ("la verita", "La Verità"),
        ("Sky Tg 24", "Sky TG24"),
        ("tgcom24", "TGCom24"),
        ("Rai News", "RaiNews"),
        ("open.online", "Open"),
        ("gazzetta di modena", "Gazzetta di Modena"),
        ("gazzetta.it", "La Gazzetta dello Sport"),
        ("Gazzetta", "Gazzetta"),  # several papers: a bare word is not matched to a domain
        ("la Repubblica - Esteri", "la Repubblica"),
        ("Governo Italiano - Comunicati Stampa", "Governo Italiano"),
        ("Camera Dei Deputati - Ultimi Temi", "Camera dei deputati"),
        # Unknown outlets keep their name, with spacing (and an all-caps or lowercase case) tidied.
        ("The  Guardian", "The Guardian"),
        ("NEW YORK TIMES", "New York Times"),
        ("BBC", "BBC"),
        ("undefined", None),
        ("", None),
        (None, None),
    ],
)
def test_canonical_source(name, expected):
    assert canonical_source(name) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.ansa.it/sito/notizie/x.html", "ANSA"),
        ("https://milano.corriere.it/notizie/x", "Corriere della Sera"),
        ("https://gazzettadimodena.gelocal.it/modena/2011/04/07/news/x", "Gazzetta di Modena"),
        ("https://tg24.sky.it/politica/x", "Sky TG24"),
        ("https://espresso.repubblica.it/x", "L'Espresso"),
        ("https://www.theguardian.com/world/x", "theguardian.com"),
        ("https://web.archive.org/web/2020/https://www.ansa.it/", None),
        ("http://127.0.0.1:8000/x", None),
        ("file:///tmp/x.html", None),
        ("not a url", None),
    ],
)
def test_source_from_url(url, expected):
    assert source_from_url(url) == expected


def test_outlet_suffix_leaves_the_headline():
    assert strip_outlet_suffix("Presidio - lastampa.it", "La Stampa") == ("Presidio", "La Stampa")
    assert strip_outlet_suffix("La manovra passa - Il Post", "Il Post") == (
        "La manovra passa",
        "Il Post",
    )
    title = "Vandali in sede | Libero Quotidiano.it - Libero Quotidiano"
    assert strip_outlet_suffix(title, None) == ("Vandali in sede", "Libero")
    # A second half that is no outlet, or another outlet than the article's, stays.
    assert strip_outlet_suffix("Ucraina - La guerra", None) == ("Ucraina - La guerra", None)
    assert strip_outlet_suffix("Intervista - Il Post", "La Stampa") == (
        "Intervista - Il Post",
        "La Stampa",
    )


# --- authors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Mario Rossi", "Mario Rossi"),
        ("di Mario Rossi", "Mario Rossi"),
        ("Di Mario Rossi", "Mario Rossi"),
        ("MARIO ROSSI", "Mario Rossi"),
        ("mario  rossi", "Mario Rossi"),
        ("a cura di Mario Rossi", "Mario Rossi"),
        ("dal nostro inviato Mario Rossi", "Mario Rossi"),
        ("dalla nostra inviata a Seul Anna Bianchi", "Anna Bianchi"),
        ("Mario Rossi, inviato a Kiev", "Mario Rossi"),
        (
            "Anna Bianchi, corrispondente da Parigi, e Redazione Online",
            "Anna Bianchi, Redazione Online",
        ),
        ("Mario Rossi e Anna Bianchi", "Mario Rossi, Anna Bianchi"),
        ("Mario Rossi, inviato e Anna Bianchi", "Mario Rossi, Anna Bianchi"),
        ("Mario Rossi; Anna Bianchi e Mario Rossi", "Mario Rossi, Anna Bianchi"),
        ("Mario Rossi, foto di Luca Neri", "Mario Rossi"),
        ("Mario Rossi (redazione@example.it (Mario Rossi))", "Mario Rossi"),
        ("MARIO ROSSI, LUCA NERI (REPORTERS)", "Mario Rossi, Luca Neri"),
        ("FRANCESCA D’ANGELO", "Francesca D'Angelo"),
        ("francesca d'angelo", "Francesca D'Angelo"),
        ("Giorgio dell'Orefice", "Giorgio dell'Orefice"),
        ("Carmine Di Niro", "Carmine Di Niro"),
        ("di Battista", "di Battista"),  # a surname, not "di" + a name
        ("BERNARD-HENRI LEVY", "Bernard-Henri Levy"),
        ("dal nostro inviato Jacopo D'orsi", "Jacopo D'Orsi"),
        ("GIORGIO E CATERINA CALABRESE", "Giorgio e Caterina Calabrese"),  # one shared surname
        ("A. Fulloni, inviato a Lens - G. Guastella", "A. Fulloni, G. Guastella"),
        ("videointervista di Gian Luca Bauzano", "Gian Luca Bauzano"),
        ("Redazione web", "Redazione Web"),
        ("REDAZIONE WEB", "Redazione Web"),
        ("A CURA DELLA REDAZIONE WEB", "Redazione Web"),
        ("(Redazione La Stampa)", "Redazione La Stampa"),
        ("A CURA DELLA REDAZIONE DI ECONOMIA", "Redazione di Economia"),
        ("Redazione Online e Esteri", "Redazione Online, Redazione Esteri"),
        ("Redazione Repubblica.it", "Redazione la Repubblica"),
        (
            "Red. Sport e Red. gianlucadimarzio.com",
            "Redazione Sport, Redazione gianlucadimarzio.com",
        ),
        ("Redazione 27esima", "Redazione 27esima"),
        ("agi", "AGI"),
        ("F. Q.", "F. Q."),
        ("undefined", None),
        ("Web Info", None),
        ("", None),
        (None, None),
    ],
)
def test_canonical_author(name, expected):
    assert canonical_author(name) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Il furto è stato sventato. (Rino Filippin)", "Rino Filippin"),
        ("Il furto è stato sventato. (a. setti) ©RIPRODUZIONE RISERVATA", "A. Setti"),
        ("Il furto è stato sventato. (A. Setti)", "A. Setti"),
        # Initials and short cuts name nobody; lowercase words may be text.
        ("Il furto è stato sventato. (al. sci.)", None),
        ("Il furto è stato sventato. (d. mon)", None),
        ("Il furto è stato sventato. (s. to)", None),
        ("Il sindaco (nella foto)", None),
        ("(Mario Rossi) ha parlato a lungo ieri sera in consiglio.", None),
    ],
)
def test_author_from_signature(body, expected):
    assert author_from_signature(body) == expected


def test_canonical_filter_value_only_touches_names():
    assert canonical_filter_value("source", "ansa.it") == "ANSA"
    assert canonical_filter_value("author", "di MARIO ROSSI") == "Mario Rossi"
    assert canonical_filter_value("author", "undefined") == "undefined"  # kept: finds nothing
    assert canonical_filter_value("year", "2024") == "2024"


# --- facets and filters on a real index -------------------------------------------------------

VARIANTS = [
    {"id": "v1", "body": "Il governo approva la manovra.", "source": "ANSA",
     "author": "di Mario Rossi"},
    {"id": "v2", "body": "La manovra arriva in aula.", "source": "Ansa", "author": "MARIO ROSSI"},
    {
        "id": "v3",
        "body": "Le opposizioni criticano la manovra.",
        "url": "https://www.ansa.it/sito/notizie/politica/2024/03/03/manovra.html",
        "author": "mario rossi, inviato a Bruxelles",
    },
    {"id": "v4", "body": "La manovra e i sindaci.", "source": "Repubblica",
     "author": "Anna Bianchi"},
    {
        "id": "v5",
        "body": "La manovra e le regioni.",
        "source": "LA REPUBBLICA",
        "author": "Redazione web",
    },
    {
        "id": "v6",
        "body": "La manovra e le imprese.",
        "source": "repubblica.it",
        "author": "A CURA DELLA REDAZIONE WEB",
    },
]


@pytest.fixture(scope="module")
def variants_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("variants")
    corpus = root / "variants.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in VARIANTS), "utf-8")
    build_index([corpus], root / "index")
    return root / "index"


@pytest.fixture
def handle(variants_index):
    h = IndexHandle(variants_index)
    yield h
    h.close()


def _ids(result):
    return sorted(hit.id for hit in result.hits)


def test_facets_show_one_canonical_value_per_name(handle):
    facets = search(handle, "manovra").facets
    assert sorted((v.value, v.count) for v in facets["source"]) == [
        ("ANSA", 3),
        ("la Repubblica", 3),
    ]
    assert sorted((v.value, v.count) for v in facets["author"]) == [
        ("Anna Bianchi", 1),
        ("Mario Rossi", 3),
        ("Redazione Web", 2),
    ]
    stats = index_stats(handle)
    assert sorted((v.value, v.count) for v in stats.sources) == [("ANSA", 3), ("la Repubblica", 3)]
    dates = {hit.id: hit.date for hit in search(handle, "manovra", source="ansa").hits}
    assert dates == {"v1": None, "v2": None, "v3": D(2024, 3, 3)}  # v3's from its url


@pytest.mark.parametrize("value", ["ANSA", "ansa", " Ansa ", "ansa.it", "https://www.ansa.it/"])
def test_source_filter_matches_every_variant(handle, value):
    assert _ids(search(handle, "manovra", source=value)) == ["v1", "v2", "v3"]


@pytest.mark.parametrize("value", ["Repubblica", "la repubblica", "repubblica.it"])
def test_source_filter_on_an_outlet_with_an_article(handle, value):
    assert _ids(search(handle, "manovra", source=value)) == ["v4", "v5", "v6"]


@pytest.mark.parametrize("value", ["Mario Rossi", "MARIO ROSSI", "di mario rossi"])
def test_author_filter_matches_every_variant(handle, value):
    assert _ids(search(handle, "manovra", author=value)) == ["v1", "v2", "v3"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("manovra source:ansa", ["v1", "v2", "v3"]),
        ("manovra source:ansa.it", ["v1", "v2", "v3"]),
        ("manovra fonte:repubblica.it", ["v4", "v5", "v6"]),
        ('manovra source:"la Repubblica"', ["v4", "v5", "v6"]),
        ('manovra author:"di Mario Rossi"', ["v1", "v2", "v3"]),
        ('manovra autore:"redazione web"', ["v5", "v6"]),
    ],
)
def test_query_filters_match_every_variant(handle, query, expected):
    assert _ids(search(handle, query)) == expected


def test_cli_source_filter_takes_any_spelling(variants_index):
    rassegna = str(Path(sys.executable).parent / "rassegna")
    out = subprocess.run(
        [rassegna, "search", "manovra", "--source", "ansa.it", "--index", variants_index, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    hits = json.loads(out.stdout)["hits"]
    assert sorted(h["id"] for h in hits) == ["v1", "v2", "v3"]
    assert {h["source"] for h in hits} == {"ANSA"}


# --- the coverage report -----------------------------------------------------------------------


def test_metadata_report_counts_and_samples(tmp_path, capsys):
    from eval.metadata_report import main

    corpus = tmp_path / "c.jsonl"
    records = [
        {"id": "a", "body": "Testo.", "source": "Ansa", "author": "undefined",
         "date": "2024-03-03"},
        {"id": "b", "body": "ROMA, 3 marzo 2024 – Testo del 1 maggio 2020.", "author": "di A. Bo"},
        {"id": "c", "body": "Testo.", "url": "https://www.ilpost.it/2024/03/02/x/"},
    ]
    corpus.write_text("\n".join(json.dumps(r) for r in records), "utf-8")
    assert main([str(corpus), "--sample", "10"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[2] == f"| {corpus} | 3 | 3 (100.0%) | 2 (66.7%) | 1 (33.3%) | 2 | 1 | 1 | 2 |"
    assert out[4] == "6 of 6 derived, respelled or dropped values:"
    assert sorted(line.split(" ← ")[0].split(". ", 1)[1] for line in out[6:]) == [
        "a author = None",
        "a source = ANSA",
        "b author = A. Bo",
        "b date = 2024-03-03",
        "c date = 2024-03-02",
        "c source = Il Post",
    ]
