import datetime

import pytest

from search.cleaning import (
    clean_scraped_text,
    derive_title,
    normalize_paragraphs,
    parse_date,
    strip_markdown,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-03-10", datetime.date(2021, 3, 10)),
        ("2021-03-10T12:00:00Z", datetime.date(2021, 3, 10)),
        ("2021-03-10T23:30:00.123-05:00", datetime.date(2021, 3, 10)),
        ("2021-03-10 12:00", datetime.date(2021, 3, 10)),
        ("10/03/2021", datetime.date(2021, 3, 10)),
        ("1.3.2021", datetime.date(2021, 3, 1)),
        ("10 marzo 2021", datetime.date(2021, 3, 10)),
        ("1º Marzo 2021", datetime.date(2021, 3, 1)),
        ("mercoledì 10 mar 2021", datetime.date(2021, 3, 10)),
        (" 10  dicembre 2021 ", datetime.date(2021, 12, 10)),
        (datetime.datetime(2021, 3, 10, 8, 0), datetime.date(2021, 3, 10)),
        (datetime.date(2021, 3, 10), datetime.date(2021, 3, 10)),
        (None, None),
        ("", None),
    ],
)
def test_parse_date_accepts(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2021-13-45", "invalid date '2021-13-45'"),
        ("31/02/2021", "invalid date '31/02/2021'"),
        ("30 febbraio 2021", "invalid date '30 febbraio 2021'"),
        ("ieri", "unrecognised date 'ieri'"),
        ("15 novembre", "unrecognised date '15 novembre'"),
        ("03/10/21", "unrecognised date '03/10/21'"),
    ],
)
def test_parse_date_rejects(value, message):
    with pytest.raises(ValueError) as raised:
        parse_date(value)
    assert str(raised.value) == message


def test_normalize_paragraphs_blank_line_separated():
    text = "Primo paragrafo\nsu due righe.\r\n\r\n\n  Secondo\t paragrafo.\u200b  \n"
    assert normalize_paragraphs(text) == ["Primo paragrafo su due righe.", "Secondo paragrafo."]


def test_normalize_paragraphs_one_paragraph_per_line_without_blank_lines():
    text = "Prima frase.\nSeconda frase senza punto\nTerza frase."
    assert normalize_paragraphs(text) == [
        "Prima frase.",
        "Seconda frase senza punto",
        "Terza frase.",
    ]


def test_normalize_paragraphs_joins_a_sentence_cut_by_a_break():
    text = "Il fronte rimane compatto al\n\nfianco di Kiev.\n\nNuovo paragrafo."
    assert normalize_paragraphs(text) == [
        "Il fronte rimane compatto al fianco di Kiev.",
        "Nuovo paragrafo.",
    ]


def test_normalize_paragraphs_of_nothing():
    assert normalize_paragraphs(" \n\n\t") == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("il **capo di Stato maggiore**: secondo", "il capo di Stato maggiore: secondo"),
        ("in un'[intervista](#) alla CNBC", "in un'intervista alla CNBC"),
        ("[link](https://example.org/a \"titolo\") qui", "link qui"),
        ("fonti del *Wall Street Journal* (WSJ)", "fonti del Wall Street Journal (WSJ)"),
        ("«**costruttivo**» e «**significativo**»", "«costruttivo» e «significativo»"),
        ("foto ![grafico](img.png) sopra", "foto  sopra"),
        ("un __forte__ segnale", "un forte segnale"),
        # A censored word is text, not emphasis.
        ("“p **** d off” dopo che", "“p **** d off” dopo che"),
        ("2 * 3 * 4 fa 24", "2 * 3 * 4 fa 24"),
        ("nome_file_lungo resta", "nome_file_lungo resta"),
    ],
)
def test_strip_markdown(line, expected):
    assert strip_markdown(line) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Breve frase d'apertura. Poi il resto.", "Breve frase d'apertura"),
        (
            "Il fallimento dell'approccio di Putin inaugura il terzo anno del conflitto più "
            "mortale in Europa dalla Seconda Guerra Mondiale.",
            "Il fallimento dell'approccio di Putin inaugura il terzo anno del conflitto più "
            "mortale…",
        ),
        (
            "Il presidente russo Vladimir Putin ha detto alla sua controparte degli Stati "
            "Uniti, Donald Trump, che Mosca non rinuncerà.",
            "Il presidente russo Vladimir Putin ha detto alla sua controparte degli Stati Uniti…",
        ),
        ("Gli U.S. Marines sono arrivati. Poi altro.", "Gli U.S. Marines sono arrivati"),
        ("", ""),
    ],
)
def test_derive_title(body, expected):
    assert derive_title(body) == expected


def test_headline_at_top_repeated_with_caption_and_boilerplate():
    text = (
        "Vertice a Roma sul clima\n\n"
        "Il governo convoca le regioni.\n\n"
        "Vertice a Roma sul clima\n"
        "Il ministro parla ai giornalisti a Roma, il 3 maggio 2024 [Mario Rossi/ANSA]\n\n"
        "Annuncio\n\n"
        "Il vertice si è aperto alle dieci.\n\n"
        "Raggruppamenti\n\n"
        "Le regioni chiedono fondi.\n\n"
        "Articoli correlati\n\n"
        "Ultimi articoli\n"
    )
    cleaned = clean_scraped_text(text)
    assert cleaned.paragraphs == [
        "Il governo convoca le regioni.",
        "Il vertice si è aperto alle dieci.",
        "Raggruppamenti",
        "Le regioni chiedono fondi.",
    ]
    assert (cleaned.title, cleaned.title_derived) == ("Vertice a Roma sul clima", False)
    # The caption's date is the picture's, not the article's.
    assert cleaned.date is None
    assert (cleaned.author, cleaned.source) == (None, None)


def test_short_first_line_running_into_the_text_is_not_a_headline():
    cleaned = clean_scraped_text("Roma si sveglia\ncon il traffico di sempre.\nPoi piove.")
    assert cleaned.paragraphs == ["Roma si sveglia con il traffico di sempre.", "Poi piove."]
    assert (cleaned.title, cleaned.title_derived) == (
        "Roma si sveglia con il traffico di sempre",
        True,
    )


def test_headline_injected_mid_sentence_is_removed_and_becomes_the_title():
    text = (
        "I colloqui sul clima proseguono, ma la situazione resta, per il\n\n"
        "Colloqui sul clima, la situazione resta incerta\n\n"
        "momento, incerta.\n\n[di Anna Bianchi]"
    )
    cleaned = clean_scraped_text(text)
    assert cleaned.paragraphs == [
        "I colloqui sul clima proseguono, ma la situazione resta, per il momento, incerta."
    ]
    assert (cleaned.title, cleaned.title_derived) == (
        "Colloqui sul clima, la situazione resta incerta",
        False,
    )
    assert cleaned.author == "Anna Bianchi"


def test_unrelated_line_injected_mid_sentence_is_removed_but_not_the_title():
    text = "Le regioni chiedono, per il\n\nOroscopo della settimana\n\nmomento, fondi."
    cleaned = clean_scraped_text(text)
    assert cleaned.paragraphs == ["Le regioni chiedono, per il momento, fondi."]
    assert (cleaned.title, cleaned.title_derived) == (
        "Le regioni chiedono, per il momento, fondi",
        True,
    )


def test_one_paragraph_per_line_with_headline_and_furniture():
    text = (
        "Sciopero dei treni venerdì\n"
        "I sindacati hanno confermato lo sciopero.\n"
        "Annuncio\n"
        "Le linee regionali si fermano dalle 9\n"
        "Alle 17 il servizio riprende, a 130 (km/h)\n"
        "Foto: Mario Rossi\n"
        "Gli alta velocità viaggiano."
    )
    cleaned = clean_scraped_text(text)
    assert cleaned.paragraphs == [
        "I sindacati hanno confermato lo sciopero.",
        "Le linee regionali si fermano dalle 9",
        "Alle 17 il servizio riprende, a 130 (km/h)",
        "Gli alta velocità viaggiano.",
    ]
    assert (cleaned.title, cleaned.title_derived) == ("Sciopero dei treni venerdì", False)


def test_author_bio_at_the_end_gives_author_and_outlet():
    text = (
        "Titolo del pezzo\n\nIl testo dell'articolo.\n\n"
        "## Mario Rossi\n\nClasse 1980, scrive per Il Foglio Quotidiano dal 2010."
    )
    cleaned = clean_scraped_text(text)
    assert cleaned.paragraphs == ["Il testo dell'articolo."]
    assert (cleaned.author, cleaned.source) == ("Mario Rossi", "Il Foglio Quotidiano")


def test_heading_that_is_not_a_bio_stays_in_the_text():
    text = "Primo paragrafo.\n\n## Le reazioni\n\nLe opposizioni protestano."
    cleaned = clean_scraped_text(text)
    assert cleaned.paragraphs == ["Primo paragrafo.", "Le reazioni", "Le opposizioni protestano."]
    assert cleaned.author is None


def test_cited_outlets_are_not_the_source():
    text = "Una fonte ha dichiarato a Reuters che i colloqui sono falliti, secondo la Tass."
    assert clean_scraped_text(text).source is None


def test_published_line_gives_the_date():
    cleaned = clean_scraped_text("Pubblicato il 10 marzo 2021\n\nIl testo.")
    assert cleaned.paragraphs == ["Il testo."]
    assert cleaned.date == datetime.date(2021, 3, 10)


def test_dates_in_the_text_are_not_the_publication_date():
    cleaned = clean_scraped_text("Il 10 marzo 2021 il governo ha deciso. Al G20 del 15 novembre.")
    assert cleaned.date is None


def test_nothing_left():
    cleaned = clean_scraped_text("Annuncio\n\nArticoli correlati\n")
    assert (cleaned.paragraphs, cleaned.title, cleaned.title_derived) == ([], "", False)
