import datetime
import json
from pathlib import Path

import pytest

from search.articles import (
    MAX_BODY_CHARS,
    UNSUPPORTED,
    Article,
    Problem,
    parse_date,
    read_sources,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def read(*paths, **options):
    return list(read_sources([str(p) for p in paths], **options))


def as_tuples(items):
    """Problems as (str, skipped) and articles as (origin, id), in order."""
    return [
        (str(item), item.skipped) if isinstance(item, Problem) else (item.origin, item.id)
        for item in items
    ]


# --- the five seeds -------------------------------------------------------------------------

SEED_EXPECTATIONS = {
    "000_aa565b158e712ba3": dict(
        title="Il fallimento dell'approccio di Putin inaugura il terzo anno del conflitto più "
        "mortale…",
        title_derived=True,
        author=None,
        source=None,
        date=None,
        word_count=938,
        paragraphs=32,
        first="Il fallimento dell'approccio di Putin inaugura il terzo anno del conflitto più "
        "mortale in Europa dalla Seconda Guerra Mondiale e illustra quanto siano distanti le "
        "due maggiori potenze nucleari del mondo.",
        last="Il Cremlino non vede l'utilità di ulteriori contatti con gli Stati Uniti sulla "
        "questione, hanno detto le fonti russe, quindi la guerra continuerà.",
    ),
    "001_a22bd456e91d5c43": dict(
        title="Prove di dialogo tra Usa e Russia, Zelensky lavora al sabotaggio",
        title_derived=False,
        author="Giorgia Audiello",
        source=None,
        date=None,
        word_count=994,
        paragraphs=6,
        first="Da settimane proseguono sottotraccia i contatti tra Russia e USA per evitare che "
        "la situazione sul campo degeneri in una guerra aperta, ma anche per trovare dei punti "
        "condivisi atti ad intavolare un possibile negoziato. In questo senso, le aperture per "
        "eventuali trattative provengono dalle dichiarazioni di alcune massime cariche "
        "istituzionali statunitensi e da contatti di alti funzionari americani con i loro "
        "omologhi russi, fatti trapelare da organi di stampa americani. Allo stesso tempo, però, "
        "l'amministrazione statunitense risulta divisa sul da farsi, in quanto alcuni "
        "rappresentanti ritengono che non sia ancora il momento opportuno per trattare e che "
        "Washington non dovrebbe esercitare pressioni su Kiev. Quest'ultima, del resto, pare "
        "essere la prima a sabotare un accordo con Mosca: non solo, infatti, Zelensky ha "
        "firmato un decreto in cui si vieta di negoziare con il presidente russo Vladimir Putin "
        "- sebbene ultimamente abbia ammorbidito le sue posizioni in merito al defenestramento "
        "del capo del Cremlino su pressione di Washington - ma al G20 di Bali del 15 novembre "
        'ha elencato una lista di dieci punti per la "pace" che corrisponde, più che a una '
        "bozza di negoziato, alla resa incondizionata di Mosca. Il ministro degli Esteri russo "
        "Sergei Lavrov ha parlato quindi di proposta «irricevibile» e di punti «irrealistici».",
        last="Le possibilità per un negoziato, dunque, sono ancora lontane e incerte, ma quel "
        "che emerge è la celata volontà delle due superpotenze di trovare una soluzione "
        "diplomatica. Sebbene il processo sia lento e progressivo, anche a causa delle "
        "resistenze di Kiev che continua ad insistere sull'\"integrità territoriale\", "
        "inserendo all'interno di questo non solo il Donbass ma anche la Crimea che è sotto "
        "controllo russo dal 2014. La situazione sul campo, il logoramento socioeconomico "
        "internazionale e le pressioni americane potrebbero portare anche Kiev a riconsiderare "
        "le condizioni di pace e le sue prospettive. Dipendono in buona parte da questo, "
        "infatti, le possibilità per una soluzione diplomatica, la quale resta - anche secondo "
        "i consiglieri di Biden - l'unica strada per l'epilogo del conflitto.",
    ),
    "002_0a88658577c0d9c0": dict(
        title="Russia-USA, 5 ore di colloqui: “d’accordo solo in parte” ma si continua a "
        "trattare",
        title_derived=False,
        author="Valeria Casolaro",
        source="L'Indipendente",
        date=None,
        word_count=633,
        paragraphs=6,
        first="È durato cinque ore l’incontro che ha visto sedere allo stesso tavolo l’inviato "
        "speciale degli Stati Uniti Steve Witkoff, insieme all’uomo d’affari e genero di Trump "
        "Jared Kushner, e il presidente russo Vladimir Putin, per discutere di una soluzione "
        "pacifica al conflitto russo-ucraino. Secondo quanto emerso a incontro concluso, non "
        "sono stati raggiunti nuovi accordi e non è stato messo in programma un futuro "
        "incontro tra Putin e il suo omologo statunitense Donald Trump. Non sarebbe stato "
        "discusso in dettaglio nemmeno il contenuto dei piani di pace elaborati dagli Stati "
        "Uniti e consegnati a Mosca nelle scorse settimane. Tuttavia, le parti hanno definito "
        "lo scambio «costruttivo» e si sono impegnate per condurre nuovi colloqui.",
        last="Secondo Putin, dunque, l’Europa, non ha un programma di pace, ma è «dalla parte "
        "della guerra» e si è per questo «esclusa da sola» dai colloqui di pace. «Sono stati "
        "loro stessi a ostacolare i colloqui di pace e stanno ostacolando il presidente "
        "Trump», cercando di «imporre all’Ucraina richieste assolutamente inaccettabili per la "
        "Russia, e ne sono consapevoli». Il presidente ha poi commentato che le autorità di "
        "Kiev si comportano «come se vivessero su un altro pianeta», senza consapevolezza "
        "della situazione attuale, economica e sul campo.",
    ),
    "003_1cc5b084867929f2": dict(
        title="Il presidente russo Vladimir Putin ha detto alla sua controparte degli Stati "
        "Uniti…",
        title_derived=True,
        author=None,
        source=None,
        date=None,
        word_count=600,
        paragraphs=16,
        first="Il presidente russo Vladimir Putin ha detto alla sua controparte degli Stati "
        "Uniti, Donald Trump, che Mosca non rinuncerà al suo obiettivo di eliminare le “cause "
        "alla radice” della guerra in Ucraina.",
        last="Zelenskyy ha detto ai giornalisti che spera di parlare con Trump non appena "
        "venerdì della pausa nelle spedizioni di armi.",
    ),
    "004_12cb21f4b2fde920": dict(
        title="L’inviato americano Witkoff incontra Putin in Russia per colloqui di guerra "
        "ucraina",
        title_derived=False,
        author=None,
        source=None,
        # The only date is a photo caption's ("l'11 aprile 2025 [… via Reuters]"): the day
        # pictured, not a publication date, so the article stays undated.
        date=None,
        word_count=755,
        paragraphs=30,
        first="Il Cremlino afferma che l’incontro di oltre quattro ore “si è concentrato su "
        "vari aspetti dell’insediamento ucraino”.",
        last="Il ministro degli Esteri russo Sergey Lavrov ha affermato che gli scambi di "
        "prigionieri hanno contribuito a costruire “fiducia, che è molto necessaria” tra le due "
        "parti dopo che i legami si sono deteriorati sotto Biden.",
    ),
}


@pytest.fixture(scope="module")
def seed_articles():
    items = list(read_sources(SEEDS))
    assert all(isinstance(item, Article) for item in items), [str(i) for i in items]
    return {article.id: article for article in items}


def test_seed_directory_yields_the_five_articles_in_order():
    assert [item.id for item in read_sources(SEEDS)] == sorted(SEED_EXPECTATIONS)


@pytest.mark.parametrize("seed_id", sorted(SEED_EXPECTATIONS))
def test_seed(seed_articles, seed_id):
    article = seed_articles[seed_id]
    expected = SEED_EXPECTATIONS[seed_id]
    paragraphs = article.body.split("\n\n")
    assert article.origin == str(SEEDS / f"{seed_id}.txt")
    assert article.title == expected["title"]
    assert article.title_derived is expected["title_derived"]
    assert article.author == expected["author"]
    assert article.source == expected["source"]
    assert article.date == expected["date"]
    assert article.url is None
    assert article.word_count == expected["word_count"]
    assert len(paragraphs) == expected["paragraphs"]
    assert paragraphs[0] == expected["first"]
    assert paragraphs[-1] == expected["last"]
    assert all(p == p.strip() and "\n" not in p and "  " not in p for p in paragraphs)
    assert "](#)" not in article.body and "## " not in article.body
    for line in ("Annuncio", "Articoli correlati", "Ultimi articoli"):
        assert line not in paragraphs
    if not article.title_derived:
        assert article.title not in article.body


def test_seed_markup_and_furniture_are_gone(seed_articles):
    body_001 = seed_articles["001_a22bd456e91d5c43"].body
    assert "**" not in body_001 and "*Wall Street Journal*" not in body_001
    assert "in un'intervista alla CNBC" in body_001
    assert "compatto al fianco di Kiev" in body_001
    assert "Giorgia Audiello" not in body_001

    body_002 = seed_articles["002_0a88658577c0d9c0"].body
    assert "**" not in body_002 and "«costruttivo» e «significativo»" in body_002
    assert "Valeria Casolaro" not in body_002 and "Classe 1991" not in body_002

    body_004 = seed_articles["004_12cb21f4b2fde920"].body
    assert "Gavriil Grigorov" not in body_004  # the photo caption
    assert "Raggruppamenti" in body_004.split("\n\n")  # a subhead, not furniture
    assert "“p **** d off”" in body_004  # a censored word, not markup


def test_seed_cited_outlets_are_not_the_source(seed_articles):
    assert "ha dichiarato a Reuters" in seed_articles["000_aa565b158e712ba3"].body
    assert seed_articles["000_aa565b158e712ba3"].source is None


def test_content_hash_is_stable_and_covers_metadata(seed_articles):
    article = seed_articles["003_1cc5b084867929f2"]
    again = next(iter(read_sources(SEEDS / "003_1cc5b084867929f2.txt")))
    assert again.content_hash == article.content_hash
    assert len(article.content_hash) == 64
    again.author = "Qualcuno"
    assert again.content_hash != article.content_hash


# --- JSONL ----------------------------------------------------------------------------------


def write_jsonl(path, *records):
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_record_fields(tmp_path):
    path = write_jsonl(
        tmp_path / "news.jsonl",
        {
            "id": "a1",
            "title": "  Un   titolo ",
            "body": "Primo paragrafo\nsu due righe.\n\nSecondo.",
            "date": "2021-03-10T12:00:00Z",
            "source": "ANSA",
            "author": "Mario Rossi",
            "url": "https://example.org/a1",
            "tags": ["ignored"],
        },
    )
    (article,) = read(path)
    assert article == Article(
        id="a1",
        title="Un titolo",
        title_derived=False,
        body="Primo paragrafo su due righe.\n\nSecondo.",
        author="Mario Rossi",
        source="ANSA",
        date=datetime.date(2021, 3, 10),
        url="https://example.org/a1",
        origin=f"{path}:1",
    )
    assert article.word_count == 6


def test_jsonl_text_field_numeric_id_and_derived_title(tmp_path):
    path = write_jsonl(
        tmp_path / "news.jsonl",
        {"id": 7, "title": None, "text": "Il governo ha approvato la manovra. Poi altro."},
        {"id": "8", "title": "", "body": "Seconda notizia del giorno."},
    )
    first, second = read(path)
    assert (first.id, first.title, first.title_derived) == (
        "7",
        "Il governo ha approvato la manovra",
        True,
    )
    assert (second.id, second.title, second.title_derived) == (
        "8",
        "Seconda notizia del giorno",
        True,
    )


def test_jsonl_markdown_in_structured_body_is_kept(tmp_path):
    path = write_jsonl(tmp_path / "n.jsonl", {"id": "a", "body": "Annuncio\n\nUn **forte** calo."})
    (article,) = read(path)
    assert article.body == "Annuncio\n\nUn **forte** calo."


def test_jsonl_malformed_line_keeps_the_rest_with_line_numbers(tmp_path):
    path = write_jsonl(
        tmp_path / "news.jsonl",
        {"id": "a", "body": "Uno."},
        "",
        '{"id": "b", "body": ',
        "[1, 2]",
        {"id": "c", "body": "Tre."},
    )
    assert as_tuples(read(path)) == [
        (f"{path}:1", "a"),
        (f"{path}:3: malformed JSON: Expecting value", True),
        (f"{path}:4: not a JSON object: got list", True),
        (f"{path}:5", "c"),
    ]


def test_jsonl_missing_or_empty_body(tmp_path):
    path = write_jsonl(
        tmp_path / "news.jsonl",
        {"id": "a", "title": "Solo titolo"},
        {"id": "b", "body": " \n\n "},
        {"id": "c", "body": ["a", "b"]},
        {"id": "d", "body": "Ok."},
    )
    # A headline-only item (a brief, an RSS item) is read with an empty body; an item with
    # neither title nor body is skipped.
    assert as_tuples(read(path)) == [
        (f"{path}:1", "a"),
        (f"{path}:2: missing body and title", True),
        (f"{path}:3: body is not text: got list", True),
        (f"{path}:4", "d"),
    ]
    headline_only = read(path)[0]
    assert (headline_only.title, headline_only.title_derived, headline_only.body) == (
        "Solo titolo",
        False,
        "",
    )
    assert headline_only.word_count == 0


def test_jsonl_missing_id_is_derived_and_reported(tmp_path):
    path = write_jsonl(tmp_path / "news.jsonl", {"id": "a", "body": "Uno."}, {"body": "Due."})
    assert as_tuples(read(path)) == [
        (f"{path}:1", "a"),
        (f"{path}:2: missing id; using 'news:2'", False),
        (f"{path}:2", "news:2"),
    ]


def test_jsonl_invalid_date_keeps_the_article_without_date(tmp_path):
    path = write_jsonl(tmp_path / "news.jsonl", {"id": "a", "body": "Uno.", "date": "2021-13-45"})
    problem, article = read(path)
    assert (str(problem), problem.skipped) == (
        f"{path}:1: invalid date '2021-13-45'; kept without date",
        False,
    )
    assert (article.id, article.date) == ("a", None)


# --- CSV ------------------------------------------------------------------------------------


def test_csv_rows_with_quoted_multiline_fields(tmp_path):
    path = tmp_path / "news.csv"
    path.write_text(
        'ID,Title,Body,Date\n'
        'a,Primo,"Paragrafo uno.\n\nParagrafo, due.",10/03/2021\n'
        '\n'
        'b,,"Il secondo articolo parla d\'altro.",\n',
        encoding="utf-8",
    )
    first, second = read(path)
    assert (first.id, first.title, first.body, first.date, first.origin) == (
        "a",
        "Primo",
        "Paragrafo uno.\n\nParagrafo, due.",
        datetime.date(2021, 3, 10),
        f"{path}:2",
    )
    assert (second.id, second.title, second.title_derived, second.origin) == (
        "b",
        "Il secondo articolo parla d'altro",
        True,
        f"{path}:6",
    )


def test_csv_malformed_rows_are_skipped_with_their_line(tmp_path):
    path = tmp_path / "news.csv"
    path.write_text(
        "id,title,body\n"
        "a,Uno,Testo uno.\n"
        "b,Due\n"
        'c,Tre,"Testo "tre"."\n'
        "d,Quattro,Testo quattro.\n",
        encoding="utf-8",
    )
    assert as_tuples(read(path)) == [
        (f"{path}:2", "a"),
        (f"{path}:3: malformed CSV row: 2 fields, header has 3", True),
        (f"{path}:4: malformed CSV: ',' expected after '\"'", True),
        (f"{path}:5", "d"),
    ]


def test_csv_without_body_column(tmp_path):
    path = tmp_path / "news.csv"
    path.write_text("id,title\na,Uno\n", encoding="utf-8")
    assert as_tuples(read(path)) == [(f"{path}:1: CSV header has no 'body' or 'text' column", True)]


def test_csv_body_longer_than_the_csv_field_limit_is_truncated(tmp_path):
    path = tmp_path / "big.csv"
    body = "parola " * 50_000  # 350,000 characters, more than csv's default field limit
    path.write_text(f"id,body\nbig,{body}\n", encoding="utf-8")
    problem, article = read(path)
    assert (str(problem), problem.skipped) == (
        f"{path}:2: body truncated from 349,999 to 199,996 characters",
        False,
    )
    # Cut back to the last space before 200,000 so no half word ("par") is indexed.
    assert article.body == ("parola " * 28_571).rstrip()


# --- text files -----------------------------------------------------------------------------


def test_front_matter_overrides_derived_fields(tmp_path):
    path = tmp_path / "pezzo.md"
    path.write_text(
        "---\n"
        "id: pezzo-1\n"
        'title: "Il titolo vero"\n'
        "author: 'Anna Bianchi'\n"
        "source: Il Post\n"
        "date: 10 marzo 2021\n"
        "url: https://example.org/pezzo\n"
        "---\n"
        "Titolo scritto nella pagina\n\n"
        "Il fatto del giorno, con **enfasi**.\n\n"
        "[di Mario Rossi]\n",
        encoding="utf-8",
    )
    (article,) = read(path)
    assert article == Article(
        id="pezzo-1",
        title="Il titolo vero",
        title_derived=False,
        body="Il fatto del giorno, con enfasi.",
        author="Anna Bianchi",
        source="Il Post",
        date=datetime.date(2021, 3, 10),
        url="https://example.org/pezzo",
        origin=str(path),
    )


def test_front_matter_partial_and_bad_lines(tmp_path):
    path = tmp_path / "pezzo.txt"
    path.write_text(
        "---\nsource: Il Post\nnon è una riga valida\ndate: ieri\n---\n"
        "Titolo nella pagina\n\nIl fatto del giorno.\n",
        encoding="utf-8",
    )
    assert [str(item) for item in read(path)[:-1]] == [
        f"{path}:3: unreadable front matter line; ignored",
        f"{path}: invalid date 'ieri'; kept without date",
    ]
    article = read(path)[-1]
    assert (article.id, article.title, article.source, article.date) == (
        "pezzo",
        "Titolo nella pagina",
        "Il Post",
        None,
    )


def test_text_without_article_text(tmp_path):
    path = tmp_path / "vuoto.txt"
    path.write_text("Annuncio\n\nArticoli correlati\n", encoding="utf-8")
    assert as_tuples(read(path)) == [(f"{path}: missing body", True)]


# --- encodings and unreadable files ------------------------------------------------------------


def test_cp1252_file_is_decoded_and_reported(tmp_path):
    path = tmp_path / "vecchio.txt"
    path.write_bytes("La città è ferma. L’attesa continua.".encode("cp1252"))
    problem, article = read(path)
    assert (str(problem), problem.skipped) == (
        f"{path}: not valid UTF-8; decoded as cp1252",
        False,
    )
    assert article.body == "La città è ferma. L’attesa continua."


def test_utf8_bom_is_removed_and_reported(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"id": "a", "body": "Città."}).encode())
    problem, article = read(path)
    assert (str(problem), problem.skipped) == (f"{path}: UTF-8 byte order mark removed", False)
    assert (article.id, article.body) == ("a", "Città.")


def test_binary_file_is_skipped(tmp_path):
    path = tmp_path / "foto.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert as_tuples(read(path)) == [(f"{path}: binary file", True)]


def test_bytes_cp1252_leaves_undefined_cost_nothing(tmp_path):
    path = tmp_path / "strano.txt"
    path.write_bytes(b"testo \x81\x8d\x90 testo")  # bytes cp1252 leaves undefined
    assert as_tuples(read(path)) == [
        (f"{path}: not valid UTF-8; decoded as cp1252", False),
        (str(path), "strano"),
    ]
    assert read(path)[1].body == "testo testo"


@pytest.mark.parametrize("content", [b"", b" \n\t\r\n", b"\xef\xbb\xbf\n"])
def test_empty_file_is_skipped(tmp_path, content):
    path = tmp_path / "vuoto.jsonl"
    path.write_bytes(content)
    assert as_tuples(read(path)) == [(f"{path}: empty file", True)]


def test_oversized_body_is_truncated_and_reported(tmp_path):
    path = write_jsonl(tmp_path / "big.jsonl", {"id": "big", "body": "x" * 350_000})
    problem, article = read(path)
    assert (str(problem), problem.skipped) == (
        f"{path}:1: body truncated from 350,000 to 200,000 characters",
        False,
    )
    assert article.body == "x" * MAX_BODY_CHARS


def test_max_body_chars_option_cuts_at_a_space(tmp_path):
    path = write_jsonl(tmp_path / "n.jsonl", {"id": "a", "body": "uno due tre quattro"})
    problem, article = read(path, max_body_chars=10)
    assert str(problem) == f"{path}:1: body truncated from 19 to 7 characters"
    assert article.body == "uno due"


# --- paths ------------------------------------------------------------------------------------


def test_unsupported_extension_given_explicitly(tmp_path):
    path = tmp_path / "notizie.xml"
    path.write_text("<a/>", encoding="utf-8")
    assert as_tuples(read(path)) == [
        (f"{path}: unsupported file type (expected .txt, .md, .jsonl, .csv)", True)
    ]


def test_nonexistent_path(tmp_path):
    path = tmp_path / "manca"
    assert as_tuples(read(path)) == [(f"{path}: no such file or directory", True)]


def test_directory_walk_is_sorted_recursive_and_skips_hidden_and_other_files(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text("Zeta.", encoding="utf-8")
    (tmp_path / "a.md").write_text("Alfa.", encoding="utf-8")
    (tmp_path / "c.CSV").write_text("id,body\nc1,Ci.\n", encoding="utf-8")
    (tmp_path / "note.xml").write_text("<a/>", encoding="utf-8")
    (tmp_path / ".nascosto.txt").write_text("No.", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("No.", encoding="utf-8")
    assert as_tuples(read_sources(tmp_path)) == [
        (str(tmp_path / "a.md"), "a"),
        (str(tmp_path / "b" / "z.txt"), "z"),
        (f"{tmp_path / 'c.CSV'}:2", "c1"),
        (f"{tmp_path / 'note.xml'}: {UNSUPPORTED}", True),
    ]


def test_several_paths_in_the_order_given(tmp_path):
    one = write_jsonl(tmp_path / "1.jsonl", {"id": "uno", "body": "Uno."})
    two = write_jsonl(tmp_path / "2.jsonl", {"id": "due", "body": "Due."})
    assert [a.id for a in read_sources([two, one])] == ["due", "uno"]


def test_parse_date_is_exported_here():
    assert parse_date("10 marzo 2021") == datetime.date(2021, 3, 10)
