"""The search-box query language and its limits (Whoosh's parser is never used)."""

from __future__ import annotations

import pytest
from corpus import write_jsonl

from search.indexer import build_index
from search.query import MAX_EXPANSIONS, compile_query, parse
from search.searcher import search
from search.store import IndexHandle


def describe(text):
    parsed = parse(text)
    return (
        [(c.kind, c.text) for c in parsed.clauses],
        [(c.kind, c.text) for c in parsed.excluded],
        [(c.kind, c.text, c.field_name) for c in parsed.filters],
    )


def test_words_phrases_exclusions_or_and_fields():
    assert describe('putin "cessate il fuoco" -trump source:ansa Kiev OR Kyiv negoz*') == (
        [
            ("word", "putin"),
            ("phrase", "cessate il fuoco"),
            ("any", "Kiev OR Kyiv"),
            ("prefix", "negoz"),
        ],
        [("word", "trump")],
        [("word", "ansa", "source")],
    )


def test_italian_field_aliases_and_quoted_field_values():
    assert describe('autore:"Giorgia Audiello" fonte:ansa titolo:guerra')[2] == [
        ("phrase", "Giorgia Audiello", "author"),
        ("word", "ansa", "source"),
        ("word", "guerra", "title"),
    ]


def test_unknown_fields_and_operator_debris_are_plain_words():
    assert describe("ore 5:30 http://x.it")[0] == [
        ("word", "ore"),
        ("word", "5:30"),
        ("word", "http://x.it"),
    ]
    # Inputs that make Whoosh's QueryParser raise or misbehave are just words here.
    assert describe("a NOT OR b") == ([("any", "a OR b")], [], [])  # the dangling NOT is dropped
    assert describe("OR AND NOT") == ([], [], [])
    assert describe("[a TO z]")[0] == [("word", "[a"), ("word", "TO"), ("word", "z]")]


def test_typographic_quotes_make_phrases():
    assert describe("“presidente della repubblica”")[0] == [
        ("phrase", "presidente della repubblica")
    ]
    assert describe("«cessate il fuoco»")[0] == [("phrase", "cessate il fuoco")]


# Each documented operator stays an operator...
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("negoz*", ([("prefix", "negoz")], [], [])),
        ("Negoziat*", ([("prefix", "Negoziat")], [], [])),
        ("l'ital*", ([("prefix", "l'ital")], [], [])),
        ("-trump", ([], [("word", "trump")], [])),
        ('-"cessate il fuoco"', ([], [("phrase", "cessate il fuoco")], [])),
        ("putin NOT trump", ([("word", "putin")], [("word", "trump")], [])),
        ("Kiev OR Kyiv", ([("any", "Kiev OR Kyiv")], [], [])),
        ('"cessate il fuoco"', ([("phrase", "cessate il fuoco")], [], [])),
        ("source:ansa", ([], [], [("word", "ansa", "source")])),
        ("Fonte:Ansa", ([], [], [("word", "Ansa", "source")])),
        ('autore:"Mario Rossi"', ([], [], [("phrase", "Mario Rossi", "author")])),
        ("titolo:decreto", ([], [], [("word", "decreto", "title")])),
    ],
)
def test_documented_operators_stay_operators(query, expected):
    assert describe(query) == expected


# ... and everything else a pasted headline holds is punctuation between words.
@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("Chi ha paura di Greta Thunberg?", ["Chi", "ha", "paura", "di", "Greta", "Thunberg"]),
        ("pu?in", ["pu", "in"]),
        ("Thunberg??", ["Thunberg"]),
        ("*a*", ["a"]),
        ("*putin", ["putin"]),
        ("pu*tin", ["pu", "tin"]),
        ("go*", ["go"]),  # a prefix needs 3 letters before the `*`
        ("Juve**", ["Juve"]),
        ("5* lusso", ["5", "lusso"]),
        ('"cessate il fuoco', ["cessate", "il", "fuoco"]),  # a quote that never closes
        ('schermo da 10" pollici', ["schermo", "da", "10", "pollici"]),  # a quote inside a word
        ("in tv: Basta", ["in", "tv:", "Basta"]),  # a colon that names no field
        ("tv:Basta", ["tv:Basta"]),
        ("source: ansa", ["source:", "ansa"]),  # a field name with nothing after it
        ("-5 gradi", ["-5", "gradi"]),  # `-` before a digit is a minus sign
        ("Roma - Lazio", ["Roma", "Lazio"]),
        ("ro~2", ["ro~2"]),
    ],
)
def test_pasted_punctuation_is_never_an_operator(query, words):
    parsed = parse(query)
    assert [(c.kind, c.text) for c in parsed.clauses] == [("word", w) for w in words]
    assert parsed.excluded == [] and parsed.filters == [] and parsed.truncated is None


def test_punctuation_inside_phrases_and_prefixes_in_phrases():
    assert describe('"negoz* in corso?"')[0] == [("phrase", "negoz in corso")]
    assert describe('tv: "Basta!" | Libero')[0] == [
        ("word", "tv:"),
        ("phrase", "Basta!"),
        ("word", "Libero"),
    ]


def test_over_long_text_is_answered_on_its_first_64_words():
    parsed = parse(" ".join(f"p{i}" for i in range(70)))
    assert parsed.truncated == "words"
    assert [c.text for c in parsed.clauses] == [f"p{i}" for i in range(64)]
    assert parsed.text == " ".join(f"p{i}" for i in range(64))


def test_over_long_text_is_answered_on_its_first_500_characters():
    words = ["precipitazioni"] * 40  # 40 words, 599 characters
    parsed = parse(" ".join(words))
    assert parsed.truncated == "characters"
    assert parsed.text == " ".join(words[:33])  # 494 characters: the last whole word in 500
    assert len(parse("x" * 600).text) == 500
    assert parse("x" * 500).truncated is None


def test_many_words_in_few_characters_are_bounded_too():
    parsed = parse("a?" * 200)
    assert parsed.truncated == "words"
    assert len(parsed.clauses) == 64


def test_fuzzy_and_range_syntax_are_not_operators():
    # "ro~2" would be a fuzzy query in Whoosh (seconds on a large index): here it is words.
    assert describe("ro~2")[0] == [("word", "ro~2")]


def test_prefix_expansion_is_bounded(tmp_path):
    articles = [
        {"id": f"d{i}", "title": "", "body": f"parola negoz{i:03d}x e altro testo"}
        for i in range(MAX_EXPANSIONS + 30)
    ]
    build_index([write_jsonl(tmp_path / "n.jsonl", articles)], tmp_path / "ix")
    handle = IndexHandle(tmp_path / "ix")
    with handle.searcher() as searcher:
        compiled = compile_query(parse("negoz*"), searcher.reader())
    assert len(compiled.clauses[0].subqueries) == MAX_EXPANSIONS
    assert search(handle, "negoz*").total == MAX_EXPANSIONS
    handle.close()
