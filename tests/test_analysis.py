import pickle
from concurrent.futures import ThreadPoolExecutor

import pytest
from whoosh import fields, highlight, index, qparser
from whoosh.filedb.filestore import RamStorage
from whoosh.lang.stopwords import stoplists

from search.analysis import (
    ANALYZER_VERSION,
    ITALIAN_STOP_WORDS,
    cached_exact_analyzer,
    cached_italian_analyzer,
    exact_analyzer,
    fold_accents,
    italian_analyzer,
    tokens,
)

SAMPLES = [
    "Il presidente dell'Ucraina e l’Europa: c'è un po' di senz'altro.",
    "D'Alema, O'Brien, Track II e Trump's; sant'Antonio, nient'altro, tutt'altro.",
    "Il PIL cresce del 3,5% nel 2025: 5 ore, 1.000 euro, covid-19.",
    "Perché la città e l'università? Più negoziati, perche' citta universita piu.",
]


def italian(text):
    return tokens(text, italian_analyzer())


def exact(text):
    return tokens(text, exact_analyzer())


def positioned(analyzer, text):
    return [(t.text, t.pos) for t in analyzer(text, positions=True)]


def test_version_is_a_non_empty_string():
    assert isinstance(ANALYZER_VERSION, str) and ANALYZER_VERSION


def test_default_analyzer_is_italian():
    assert tokens("Le negoziazioni dell'Ucraina") == ["negoz", "ucrain"]


@pytest.mark.parametrize(
    "text, expected_italian, expected_exact",
    [
        ("l'Ucraina", ["ucrain"], ["ucraina"]),
        ("l’Ucraina", ["ucrain"], ["ucraina"]),
        ("lʼUcraina", ["ucrain"], ["ucraina"]),
        ("l‘Ucraina", ["ucrain"], ["ucraina"]),
        (
            "dell'Ucraina all'Europa dall'Italia",
            ["ucrain", "europ", "ital"],
            ["ucraina", "europa", "italia"],
        ),
        ("nell’area sull’isola un’altra", ["are", "isol", "altra"], ["area", "isola", "altra"]),
        ("c'è", [], ["e"]),
        ("quell'uomo", ["uom"], ["uomo"]),
        ("sant'Antonio Sant’Egidio", ["anton", "egid"], ["antonio", "egidio"]),
        ("un po' di tempo", ["poc", "temp"], ["un", "poco", "di", "tempo"]),
        ("il Po", ["po"], ["il", "po"]),
        ("dev'essere", ["esser"], ["essere"]),
        (
            "senz'altro nient'altro tutt'altro",
            ["altro", "altro", "altro"],
            ["altro", "altro", "altro"],
        ),
        ("d'accordo", ["accord"], ["accordo"]),
        ("quest'anno", ["anno"], ["anno"]),
        ("anch'io", [], ["io"]),
        ("nessun'altra", ["altra"], ["altra"]),
        ("l'8 marzo", ["8", "marz"], ["8", "marzo"]),
        # A space after the apostrophe (a common typo) still drops the elided article.
        ("dell' Ucraina", ["ucrain"], ["ucraina"]),
        # After a vowel the apostrophe stands for an accent.
        ("perche' e' citta'", ["citt"], ["perche", "e", "citta"]),
        # A closing quote after a word that is not an elided form keeps the word.
        ("‘Recovery Fund’", ["recovery", "fund"], ["recovery", "fund"]),
        ("anni '90 al 45'", ["anni", "90", "45"], ["anni", "90", "al", "45"]),
        # Names: the consonant before the apostrophe goes, a vowel stays as its own word.
        ("D'Alema", ["alem"], ["alema"]),
        ("O'Brien", ["brien"], ["o", "brien"]),
        ("Trump's Track II", ["trump", "track", "ii"], ["trump", "track", "ii"]),
    ],
)
def test_elisions(text, expected_italian, expected_exact):
    assert italian(text) == expected_italian
    assert exact(text) == expected_exact


def test_no_elision_fragments_survive():
    text = "dell' quell'anno sant'Anna dev'essere senz'altro un po' c'era"
    fragments = {"dell", "quell", "sant", "dev", "senz", "po", "c", "l", "d"}
    assert not fragments & set(exact(text))
    assert not fragments & set(italian(text))


@pytest.mark.parametrize(
    "text, expected_italian, expected_exact",
    [
        ("3,5%", ["3,5"], ["3,5"]),
        ("2025", ["2025"], ["2025"]),
        ("5 ore", ["5", "ore"], ["5", "ore"]),
        ("1.000 e 1000", ["1000", "1000"], ["1000", "e", "1000"]),
        ("1.000.000,50", ["1000000,50"], ["1000000,50"]),
        # Not thousands groups: times, dates and English decimals stay as written.
        (
            "alle 10.30 del 10.03.2021, 3.5",
            ["10.30", "10.03.2021", "3.5"],
            ["alle", "10.30", "del", "10.03.2021", "3.5"],
        ),
        ("covid-19 Covid19 G7", ["covid", "19", "covid19", "g7"], ["covid", "19", "covid19", "g7"]),
        ("2020.", ["2020"], ["2020"]),
    ],
)
def test_numbers(text, expected_italian, expected_exact):
    assert italian(text) == expected_italian
    assert exact(text) == expected_exact


@pytest.mark.parametrize(
    "accented, plain",
    [
        ("città", "citta"),
        ("perché", "perche"),
        ("università", "universita"),
        ("più", "piu"),
        ("è", "e"),
        ("responsabilità", "responsabilita"),
        ("qualità", "qualita"),
        ("resterà", "restera"),
        ("CITTÀ", "citta"),
        ("citta\u0300", "citta"),  # decomposed accent
    ],
)
def test_accented_and_plain_spellings_match(accented, plain):
    assert italian(accented) == italian(plain)
    assert exact(accented) == exact(plain)


def test_accent_tokens():
    text = "città università perché più è"
    assert italian(text) == ["citt", "univers"]
    assert exact(text) == ["citta", "universita", "perche", "piu", "e"]


def test_only_italian_stop_words_are_removed():
    assert italian("the and della il che") == ["the", "and"]
    assert exact("the and della il che") == ["the", "and", "della", "il", "che"]


def test_stop_words_are_snowball_italian_folded():
    assert ITALIAN_STOP_WORDS == frozenset(fold_accents(w) for w in stoplists["it"])
    # 279 published words; "è" and "e" fold to one.
    assert len(ITALIAN_STOP_WORDS) == 278
    assert {"perche", "piu", "e", "sara"} <= ITALIAN_STOP_WORDS
    assert not {"the", "and", "perché", "è"} & ITALIAN_STOP_WORDS


def test_stems():
    assert italian("negoziato negoziati negoziare negoziazione negoziazioni") == ["negoz"] * 5
    assert italian("Meloni melone") == ["melon", "melon"]
    assert exact("Meloni melone") == ["meloni", "melone"]


def test_phrase_positions_keep_stop_word_gaps():
    it, ex = italian_analyzer(), exact_analyzer()
    assert positioned(it, "presidente della repubblica") == [("president", 0), ("repubbl", 2)]
    assert positioned(it, "presidente e repubblica") == [("president", 0), ("repubbl", 2)]
    assert positioned(it, "presidente repubblica") == [("president", 0), ("repubbl", 1)]
    assert positioned(ex, "presidente della repubblica") == [
        ("presidente", 0),
        ("della", 1),
        ("repubblica", 2),
    ]
    assert positioned(ex, "presidente e repubblica") == [
        ("presidente", 0),
        ("e", 1),
        ("repubblica", 2),
    ]


def test_dropped_elisions_leave_no_position_gap():
    ex = exact_analyzer()
    assert positioned(ex, "dell'Ucraina e d'Europa") == [("ucraina", 0), ("e", 1), ("europa", 2)]
    assert positioned(ex, "dell' Ucraina O'Brien") == [("ucraina", 0), ("o", 1), ("brien", 2)]
    assert positioned(italian_analyzer(), "l'Ucraina c'è sempre") == [("ucrain", 0), ("sempr", 2)]


def test_char_offsets_point_at_the_original_word():
    text = "Crisi dell'Ucraina, l’Europa e O'Brien: 1.000 euro"
    expected = {
        "italian": ["Crisi", "Ucraina", "Europa", "Brien", "1.000", "euro"],
        "exact": ["Crisi", "Ucraina", "Europa", "e", "O", "Brien", "1.000", "euro"],
    }
    for name, analyzer in (("italian", italian_analyzer()), ("exact", exact_analyzer())):
        spans = [text[t.startchar : t.endchar] for t in analyzer(text, chars=True)]
        assert spans == expected[name]


def test_highlighting_marks_exactly_the_word_after_the_elision():
    text = "La guerra dell'Ucraina"
    fragments = highlight.highlight(
        text,
        {"ucrain"},
        italian_analyzer(),
        highlight.WholeFragmenter(),
        highlight.HtmlFormatter(tagname="b", classname="m"),
    )
    assert fragments == 'La guerra dell\'<b class="m term0">Ucraina</b>'


@pytest.mark.parametrize("make", [italian_analyzer, exact_analyzer])
def test_analyzers_pickle_round_trip(make):
    analyzer = make()
    restored = pickle.loads(pickle.dumps(analyzer))
    assert restored == analyzer
    for text in SAMPLES:
        assert tokens(text, restored) == tokens(text, analyzer)


def test_analyzers_are_equal_when_built_twice():
    assert italian_analyzer() == italian_analyzer()
    assert exact_analyzer() == exact_analyzer()
    assert italian_analyzer() != exact_analyzer()


def test_on_disk_index_round_trip(tmp_path):
    schema = fields.Schema(
        id=fields.ID(stored=True),
        body=fields.TEXT(analyzer=italian_analyzer()),
        body_exact=fields.TEXT(analyzer=exact_analyzer()),
    )
    ix = index.create_in(str(tmp_path), schema)
    with ix.writer() as writer:
        writer.add_document(id="a", body=SAMPLES[0], body_exact=SAMPLES[0])
    ix.close()

    reopened = index.open_dir(str(tmp_path))
    try:
        for name, make in (("body", italian_analyzer), ("body_exact", exact_analyzer)):
            stored = reopened.schema[name].analyzer
            assert stored == make()
            for text in SAMPLES:
                assert tokens(text, stored) == tokens(text, make())
        with reopened.searcher() as searcher:
            assert set(searcher.lexicon("body")) == {t.encode() for t in italian(SAMPLES[0])}
            assert set(searcher.lexicon("body_exact")) == {t.encode() for t in exact(SAMPLES[0])}
    finally:
        reopened.close()


def test_analysis_is_deterministic():
    first = [tokens(text) for text in SAMPLES]
    assert [tokens(text) for text in SAMPLES] == first


def test_quoted_phrases_with_stop_words_need_the_exact_field():
    # Whoosh's PhrasePlugin keeps only token texts, not positions, so on the stemmed field the
    # stop word's gap makes the phrase miss the very text it quotes; the exact field has no gaps.
    schema = fields.Schema(
        id=fields.ID(stored=True),
        body=fields.TEXT(analyzer=italian_analyzer()),
        body_exact=fields.TEXT(analyzer=exact_analyzer()),
    )
    ix = RamStorage().create_index(schema)
    with ix.writer() as writer:
        for doc_id, text in [
            ("della", "il presidente della repubblica"),
            ("e", "il presidente e repubblica"),
            ("none", "presidente repubblica"),
            ("elision", "la guerra dell’Ucraina"),
        ]:
            writer.add_document(id=doc_id, body=text, body_exact=text)

    def ids(field, query):
        with ix.searcher() as searcher:
            parsed = qparser.QueryParser(field, schema).parse(query)
            return sorted(hit["id"] for hit in searcher.search(parsed))

    assert ids("body", '"presidente della repubblica"') == ["none"]
    assert ids("body_exact", '"presidente della repubblica"') == ["della"]
    assert ids("body_exact", '"guerra dell\'Ucraina"') == ["elision"]
    assert ids("body", '"guerra dell\'Ucraina"') == ["elision"]


def test_cached_analyzers_are_shared_and_equal_to_fresh_ones():
    assert cached_italian_analyzer() is cached_italian_analyzer()
    assert cached_italian_analyzer() == italian_analyzer()
    assert cached_exact_analyzer() is cached_exact_analyzer()
    assert cached_exact_analyzer() == exact_analyzer()


def test_shared_analyzer_gives_the_same_tokens_in_every_thread():
    expected = [tokens(text, italian_analyzer()) for text in SAMPLES * 50]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: [tokens(text) for text in SAMPLES * 50], range(8)))
    assert results == [expected] * 8
